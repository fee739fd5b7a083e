#!/usr/bin/env bash
# Fine-tune, init container `upload-datasets` (aws-cli image, first): copy the datasets the stack
# uploads from its project (mounted from the run's data ConfigMap at $UPLOAD_DIR) to their store
# keys, so restore reads them like any dataset. The keys are content-addressed
# (datasets/uploads/<sha256>/<file>): one that exists already holds these bytes and is left alone.
# Nothing to do when the run's adapter is already published (restore then skips everything).
set -euo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET ADAPTER_PREFIX UPLOAD_DIR

if object_exists "${ADAPTER_PREFIX}_SUCCESS"; then
  echo "s3://$STORE_BUCKET/$ADAPTER_PREFIX is already published: nothing to upload"
  exit 0
fi

# uploads.txt: one "<file in $UPLOAD_DIR> <store key>" per line (components/training/upload.ts)
while read -r file key; do
  [[ -n "$file" ]] || continue
  if [[ ! -f "$UPLOAD_DIR/$file" ]]; then
    echo "configuration error: $UPLOAD_DIR/$file is missing from the run's data ConfigMap" >&2
    exit "$CONFIG_ERROR"
  fi
  if object_exists "$key"; then
    echo "s3://$STORE_BUCKET/$key is already in the store"
    continue
  fi
  aws s3 cp --only-show-errors "$UPLOAD_DIR/$file" "s3://$STORE_BUCKET/$key"
  echo "uploaded s3://$STORE_BUCKET/$key"
done < "$(dirname "$0")/uploads.txt"
