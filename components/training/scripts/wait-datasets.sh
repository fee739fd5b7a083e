#!/usr/bin/env bash
# Fine-tune, init container `wait-datasets` (aws-cli image, before restore): a dataset mirrored from
# a hub (llmkit:datasets) may still be copying in the same `pulumi up`. Wait for each mirror's
# _SUCCESS, as restore waits for the base model, then give up loudly. Nothing to wait for when the
# run's adapter is already published (restore then skips everything).
set -euo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET ADAPTER_PREFIX MIRROR_PREFIXES WAIT_SECONDS POLL_SECONDS

if object_exists "${ADAPTER_PREFIX}_SUCCESS"; then
  echo "s3://$STORE_BUCKET/$ADAPTER_PREFIX is already published: nothing to wait for"
  exit 0
fi

read -r -a prefixes <<< "$MIRROR_PREFIXES"
for prefix in "${prefixes[@]}"; do
  wait_for "${prefix}_SUCCESS" "$WAIT_SECONDS" "is its llmkit:datasets entry mirrored?"
done
echo "mirrored datasets complete: ${prefixes[*]}"
