#!/usr/bin/env bash
# Merge Job of a fine-tune run; the step is the first argument (components/training/merge.ts):
#   restore (aws-cli): skip everything if merged/<name>/<runId>/_SUCCESS exists; else wait for the
#     adapter's _SUCCESS (the training Job may still run) and fetch the base model and the adapter;
#   merge (engine image): the engine's own exporter writes full weights to MERGED_DIR;
#   upload (aws-cli): the merged weights, then _SUCCESS last. Never overwrites a merged run.
set -euo pipefail
source "$(dirname "$0")/store.sh"

case "${1:-}" in
  restore)
    require STORE_BUCKET MERGED_PREFIX ADAPTER_PREFIX MODEL_PREFIX MODEL_DIR ADAPTER_DIR DONE_MARKER ADAPTER_WAIT_SECONDS
    if object_exists "${MERGED_PREFIX}_SUCCESS"; then
      echo "s3://$STORE_BUCKET/$MERGED_PREFIX is already merged: nothing to do"
      touch "$DONE_MARKER"
      exit 0
    fi
    wait_for "${ADAPTER_PREFIX}_SUCCESS" "$ADAPTER_WAIT_SECONDS" "the adapter was never published: did the training Job fail?"
    wait_for "${MODEL_PREFIX}_SUCCESS" 0 "is the base model mirrored?"
    aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" "s3://$STORE_BUCKET/$MODEL_PREFIX" "$MODEL_DIR"
    # only the PEFT files: the exporters read adapter_config.json + weights
    aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" --exclude "manifest.json" \
      "s3://$STORE_BUCKET/$ADAPTER_PREFIX" "$ADAPTER_DIR"
    echo "restored the base model and the adapter"
    ;;
  merge)
    require ENGINE CONFIG_DIR MERGED_DIR DONE_MARKER
    if [[ -e "$DONE_MARKER" ]]; then
      echo "already merged: skipping"
      exit 0
    fi
    case "$ENGINE" in
      llamafactory) llamafactory-cli export "$CONFIG_DIR/export.yaml" ;;
      ms-swift)
        mapfile -t args < "$CONFIG_DIR/swift-export-args.txt"
        swift export "${args[@]}"
        ;;
      *)
        echo "configuration error: unknown engine \"$ENGINE\"" >&2
        exit "$CONFIG_ERROR"
        ;;
    esac
    if [[ ! -f "$MERGED_DIR/config.json" ]]; then
      echo "the exporter finished but $MERGED_DIR/config.json is missing" >&2
      exit 1
    fi
    ;;
  upload)
    require STORE_BUCKET MERGED_PREFIX MERGED_DIR DONE_MARKER
    if [[ -e "$DONE_MARKER" ]] || object_exists "${MERGED_PREFIX}_SUCCESS"; then
      echo "s3://$STORE_BUCKET/$MERGED_PREFIX is already merged"
      exit 0
    fi
    aws s3 sync --only-show-errors --no-progress "$MERGED_DIR" "s3://$STORE_BUCKET/$MERGED_PREFIX"
    put_marker "${MERGED_PREFIX}_SUCCESS"
    echo "merged into s3://$STORE_BUCKET/$MERGED_PREFIX"
    ;;
  *)
    echo "configuration error: unknown step \"${1:-}\" (restore, merge or upload)" >&2
    exit "$CONFIG_ERROR"
    ;;
esac
