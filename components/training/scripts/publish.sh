#!/usr/bin/env bash
# Fine-tune, main container (aws-cli image): upload the adapter, then manifest.json, then
# _SUCCESS last. An adapter is immutable once _SUCCESS exists, so a published one is never
# overwritten.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET ADAPTER_PREFIX ADAPTER_DIR CONFIG_DIR DONE_MARKER WORK_DIR

if [[ -e "$DONE_MARKER" ]] || object_exists "${ADAPTER_PREFIX}_SUCCESS"; then
  echo "s3://$STORE_BUCKET/$ADAPTER_PREFIX is already published"
  exit 0
fi

aws s3 cp --only-show-errors --recursive "$ADAPTER_DIR" "s3://$STORE_BUCKET/$ADAPTER_PREFIX"
manifest=$(<"$CONFIG_DIR/manifest.json")
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
printf '%s\n' "${manifest//@CREATED_AT@/$created}" > "$WORK_DIR/manifest.json"
aws s3 cp --only-show-errors "$WORK_DIR/manifest.json" "s3://$STORE_BUCKET/${ADAPTER_PREFIX}manifest.json"
put_marker "${ADAPTER_PREFIX}_SUCCESS"
echo "published s3://$STORE_BUCKET/$ADAPTER_PREFIX"
