#!/usr/bin/env bash
# Fine-tune, init container 1 (aws-cli image): fetch the base model, the datasets and the latest
# complete checkpoint of this run, and record lineage in $LINEAGE_DIR for the manifest (dataset
# ETags, attempts). If the run's adapter is already published, leave a marker so training and
# publishing skip: an unchanged spec costs nothing.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET MODEL_PREFIX ADAPTER_PREFIX CHECKPOINT_PREFIX MODEL_DIR DATA_DIR OUTPUT_DIR \
  DONE_MARKER CONFIG_DIR MODEL_WAIT_SECONDS LINEAGE_DIR POD_NAME

if object_exists "${ADAPTER_PREFIX}_SUCCESS"; then
  echo "s3://$STORE_BUCKET/$ADAPTER_PREFIX is already published: nothing to do"
  touch "$DONE_MARKER"
  exit 0
fi

# The model mirror Job may still be running: wait for its _SUCCESS, then give up loudly.
wait_for "${MODEL_PREFIX}_SUCCESS" "$MODEL_WAIT_SECONDS" "is the model mirrored?"

mkdir -p "$MODEL_DIR" "$DATA_DIR" "$OUTPUT_DIR" "$LINEAGE_DIR"

aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" "s3://$STORE_BUCKET/$MODEL_PREFIX" "$MODEL_DIR"

# datasets.txt: one "<store key> <local file name>" per line. get-object prints the ETag of exactly
# the bytes it wrote (a separate head-object could see a newer upload): "<key>\t<etag>" per dataset.
: > "$LINEAGE_DIR/datasets.tsv"
while read -r key file; do
  [[ -n "$key" ]] || continue
  if ! object_exists "$key"; then
    echo "configuration error: dataset s3://$STORE_BUCKET/$key does not exist: upload it first" >&2
    exit "$CONFIG_ERROR"
  fi
  etag=$(aws s3api get-object --bucket "$STORE_BUCKET" --key "$key" --query ETag --output text "$DATA_DIR/$file")
  printf '%s\t%s\n' "$key" "${etag//\"/}" >> "$LINEAGE_DIR/datasets.tsv"
done < "$CONFIG_DIR/datasets.txt"
# Stage dpo continuing a published adapter: its run may still train in the same `pulumi up`.
if [[ -n "${FROM_PREFIX:-}" ]]; then
  require FROM_DIR FROM_WAIT_SECONDS
  wait_for "${FROM_PREFIX}_SUCCESS" "$FROM_WAIT_SECONDS" "is that run published? from: must name a run id that was (or is being) trained"
  mkdir -p "$FROM_DIR"
  for file in adapter_config.json adapter_model.safetensors; do
    aws s3 cp --only-show-errors --no-progress "s3://$STORE_BUCKET/$FROM_PREFIX$file" "$FROM_DIR/$file"
  done
fi
if [[ -f "$CONFIG_DIR/dataset_info.json" ]]; then
  cp "$CONFIG_DIR/dataset_info.json" "$DATA_DIR/dataset_info.json"
fi

# One listing of the run's checkpoint prefix serves two purposes:
# - Attempts: one empty object per pod that got this far. A non-indexed Job exposes no attempt
#   number to its pods (batch.kubernetes.io/job-index-failure-count exists only for Indexed Jobs
#   with backoffLimitPerIndex, and ignored preemptions are not failures), so the store counts them:
#   restarts = attempts - 1, and the oldest key's time is when the run started.
# - Resume: the newest checkpoint-N/ whose own _SUCCESS exists (checkpoint-sync.sh uploads
#   checkpoints whole, marker last; a half-uploaded one is never resumed from).
put_marker "${CHECKPOINT_PREFIX}attempts/$(date -u +%s)-$POD_NAME"
listing=$(aws s3api list-objects-v2 --bucket "$STORE_BUCKET" --prefix "$CHECKPOINT_PREFIX" --query 'Contents[].Key' --output text)
read -r -a keys <<< "$listing"
attempts=0
started=""
resume=-1
for key in "${keys[@]}"; do
  rel=${key#"$CHECKPOINT_PREFIX"}
  if [[ "$rel" =~ ^attempts/([0-9]+)- ]]; then
    attempts=$(( attempts + 1 ))
    if [[ -z "$started" ]] || (( BASH_REMATCH[1] < started )); then
      started=${BASH_REMATCH[1]}
    fi
  elif [[ "$rel" =~ ^checkpoint-([0-9]+)/_SUCCESS$ ]] && (( BASH_REMATCH[1] > resume )); then
    resume=${BASH_REMATCH[1]}
  fi
done
printf '%s\n' "$attempts" > "$LINEAGE_DIR/attempts"
printf '%s\n' "$started" > "$LINEAGE_DIR/started"
if (( resume >= 0 )); then
  aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" \
    "s3://$STORE_BUCKET/${CHECKPOINT_PREFIX}checkpoint-$resume/" "$OUTPUT_DIR/checkpoint-$resume"
  echo "resuming from checkpoint-$resume (attempt $attempts)"
else
  echo "starting from scratch (attempt $attempts)"
fi
