#!/usr/bin/env bash
# Fine-tune, main container (aws-cli image): upload the adapter, then manifest.json (staged by
# train.sh; wall time and publish time filled in here), then _SUCCESS last. An adapter is
# immutable once _SUCCESS exists, so a published one is never overwritten, and a failed upload
# leaves no _SUCCESS: readers (serving, promotion) ignore the prefix until a retry completes it.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET ADAPTER_PREFIX ADAPTER_DIR DONE_MARKER WORK_DIR LINEAGE_DIR

if [[ -e "$DONE_MARKER" ]] || object_exists "${ADAPTER_PREFIX}_SUCCESS"; then
  echo "s3://$STORE_BUCKET/$ADAPTER_PREFIX is already published"
  exit 0
fi

manifest=$(<"$WORK_DIR/manifest.json")
aws s3 cp --only-show-errors --recursive "$ADAPTER_DIR" "s3://$STORE_BUCKET/$ADAPTER_PREFIX"
now=$(date -u +%s)
started=$(<"$LINEAGE_DIR/started")
# Each placeholder is matched with its key: model output in the manifest (smoke) may contain the
# bare placeholder text, but in JSON text a quote inside a string is always escaped, so
# `"createdAt": "@CREATED_AT@"` can only be the top-level field lineage.py wrote.
wall='"wallSeconds": "@WALL_SECONDS@"'
created='"createdAt": "@CREATED_AT@"'
manifest=${manifest/"$wall"/"\"wallSeconds\": $(( now - started ))"}
manifest=${manifest/"$created"/"\"createdAt\": \"$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)\""}
printf '%s\n' "$manifest" > "$WORK_DIR/manifest.published.json"
aws s3 cp --only-show-errors "$WORK_DIR/manifest.published.json" "s3://$STORE_BUCKET/${ADAPTER_PREFIX}manifest.json"
put_marker "${ADAPTER_PREFIX}_SUCCESS"
echo "published s3://$STORE_BUCKET/$ADAPTER_PREFIX"
