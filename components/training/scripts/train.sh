#!/usr/bin/env bash
# Fine-tune, init container 2 (engine image): train, then stage the adapter for publishing.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require ENGINE CONFIG_DIR OUTPUT_DIR ADAPTER_DIR DONE_MARKER

if [[ -e "$DONE_MARKER" ]]; then
  echo "adapter already published: skipping training"
  exit 0
fi

# latest_checkpoint: the checkpoint-N directory of OUTPUT_DIR with the highest N, or nothing.
latest_checkpoint() {
  local best=-1 dir n
  for dir in "$OUTPUT_DIR"/checkpoint-*; do
    n=${dir##*-}
    if [[ -d "$dir" && "$n" =~ ^[0-9]+$ ]] && (( n > best )); then
      best=$n
    fi
  done
  if (( best >= 0 )); then
    echo "$OUTPUT_DIR/checkpoint-$best"
  fi
}

case "$ENGINE" in
  llamafactory)
    # resumes on its own from the newest checkpoint (overwrite_output_dir: false)
    llamafactory-cli train "$CONFIG_DIR/train.yaml"
    final="$OUTPUT_DIR"
    ;;
  ms-swift)
    mapfile -t args < "$CONFIG_DIR/swift-args.txt"
    resume=$(latest_checkpoint)
    if [[ -n "$resume" ]]; then
      args+=(--resume_from_checkpoint "$resume")
    fi
    swift sft "${args[@]}"
    # ms-swift saves the final adapter as its last checkpoint
    final=$(latest_checkpoint)
    ;;
  *)
    echo "configuration error: unknown engine \"$ENGINE\"" >&2
    exit "$CONFIG_ERROR"
    ;;
esac

mkdir -p "$ADAPTER_DIR"
for file in adapter_config.json adapter_model.safetensors; do
  if [[ ! -f "$final/$file" ]]; then
    echo "training finished but $final/$file is missing" >&2
    exit 1
  fi
  cp "$final/$file" "$ADAPTER_DIR/$file"
done
echo "adapter staged in $ADAPTER_DIR"
