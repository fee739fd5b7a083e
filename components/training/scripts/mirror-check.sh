#!/usr/bin/env bash
# Model mirror, init container 1 (aws-cli image): is this revision already in the store?
# If so, leave a marker so the download and upload steps skip.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET MODEL_PREFIX PRESENT_MARKER

if object_exists "${MODEL_PREFIX}_SUCCESS"; then
  echo "s3://$STORE_BUCKET/$MODEL_PREFIX is complete: nothing to mirror"
  touch "$PRESENT_MARKER"
fi
