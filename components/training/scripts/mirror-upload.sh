#!/usr/bin/env bash
# Model mirror, main container (aws-cli image): copy the download to models/<repo>/<revision>/
# and write _SUCCESS last, so readers never see a half-copied model. Idempotent: a complete
# copy is left alone.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET MODEL_PREFIX MODEL_DIR

if object_exists "${MODEL_PREFIX}_SUCCESS"; then
  echo "s3://$STORE_BUCKET/$MODEL_PREFIX is complete: nothing to upload"
  exit 0
fi
aws s3 sync --only-show-errors --no-progress "$MODEL_DIR" "s3://$STORE_BUCKET/$MODEL_PREFIX"
put_marker "${MODEL_PREFIX}_SUCCESS"
echo "mirrored to s3://$STORE_BUCKET/$MODEL_PREFIX"
