#!/usr/bin/env bash
# Fine-tune, init container 1 (aws-cli image): fetch the base model, the datasets and the latest
# complete checkpoint of this run. If the run's adapter is already published, leave a marker so
# training and publishing skip: an unchanged spec costs nothing.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET MODEL_PREFIX ADAPTER_PREFIX CHECKPOINT_PREFIX MODEL_DIR DATA_DIR OUTPUT_DIR \
  DONE_MARKER CONFIG_DIR MODEL_WAIT_SECONDS

if object_exists "${ADAPTER_PREFIX}_SUCCESS"; then
  echo "s3://$STORE_BUCKET/$ADAPTER_PREFIX is already published: nothing to do"
  touch "$DONE_MARKER"
  exit 0
fi

# The model mirror Job may still be running: wait for its _SUCCESS, then give up loudly.
waited=0
until object_exists "${MODEL_PREFIX}_SUCCESS"; do
  if (( waited >= MODEL_WAIT_SECONDS )); then
    echo "configuration error: s3://$STORE_BUCKET/$MODEL_PREFIX has no _SUCCESS after ${waited}s: is the model mirrored?" >&2
    exit "$CONFIG_ERROR"
  fi
  echo "waiting for the base model at s3://$STORE_BUCKET/$MODEL_PREFIX"
  sleep 30
  waited=$(( waited + 30 ))
done

mkdir -p "$MODEL_DIR" "$DATA_DIR" "$OUTPUT_DIR"
aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" "s3://$STORE_BUCKET/$MODEL_PREFIX" "$MODEL_DIR"

# datasets.txt: one "<store key> <local file name>" per line
while read -r key file; do
  [[ -n "$key" ]] || continue
  if ! object_exists "$key"; then
    echo "configuration error: dataset s3://$STORE_BUCKET/$key does not exist: upload it first" >&2
    exit "$CONFIG_ERROR"
  fi
  aws s3 cp --only-show-errors "s3://$STORE_BUCKET/$key" "$DATA_DIR/$file"
done < "$CONFIG_DIR/datasets.txt"
if [[ -f "$CONFIG_DIR/dataset_info.json" ]]; then
  cp "$CONFIG_DIR/dataset_info.json" "$DATA_DIR/dataset_info.json"
fi

# Resume: the newest checkpoint-N/ whose own _SUCCESS exists (checkpoints are uploaded whole or
# not at all; a half-written one is never resumed from).
status=0
listing=$(aws s3 ls "s3://$STORE_BUCKET/$CHECKPOINT_PREFIX") || status=$?
if (( status > 1 )); then
  echo "cannot list s3://$STORE_BUCKET/$CHECKPOINT_PREFIX (exit $status)" >&2
  exit 1
fi
steps=()
while read -r kind name; do
  if [[ "$kind" == "PRE" && "$name" =~ ^checkpoint-([0-9]+)/$ ]]; then
    steps+=("${BASH_REMATCH[1]}")
  fi
done <<< "$listing"
if (( ${#steps[@]} > 0 )); then
  for step in $(printf '%s\n' "${steps[@]}" | sort -rn); do
    if object_exists "${CHECKPOINT_PREFIX}checkpoint-$step/_SUCCESS"; then
      aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" \
        "s3://$STORE_BUCKET/${CHECKPOINT_PREFIX}checkpoint-$step/" "$OUTPUT_DIR/checkpoint-$step"
      echo "resuming from checkpoint-$step"
      break
    fi
  done
fi
echo "restored base model and ${#steps[@]} checkpoint candidate(s)"
