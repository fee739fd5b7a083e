#!/usr/bin/env bash
# Serving, init container `fetch` (aws-cli image): restore exactly the pinned base model and
# adapters from the store into the pod's emptyDir (adapters a local service follows are
# adapter-follow.sh's: they may not be published yet). Refuses anything incomplete or mismatched:
# a prefix without _SUCCESS is still being written (or failed), and vLLM would serve it wrongly.
#   MODEL_PREFIX      models/<repo>/<revision>/           -> $BASE_MODEL_DIR
#   ADAPTER_PREFIXES  adapters/<name>/<runId>/ …(spaces)  -> $MODELS_DIR/adapters/<name>/<runId>
set -euo pipefail
CONFIG_ERROR=3

for v in STORE_BUCKET MODEL_PREFIX MODEL_REVISION MODELS_DIR BASE_MODEL_DIR MAX_LORA_RANK; do
  if [[ -z "${!v:-}" ]]; then
    echo "configuration error: environment variable $v is not set" >&2
    exit "$CONFIG_ERROR"
  fi
done
read -r -a adapters <<< "${ADAPTER_PREFIXES:-}"

source "$(dirname "$0")/adapter-check.sh"

# require_complete KEY WHAT: stop unless s3://$STORE_BUCKET/KEY_SUCCESS exists. Any failure (403,
# network) also stops: the pod retries rather than guessing.
require_complete() {
  local found
  if ! found=$(marker_key "${1}_SUCCESS"); then
    echo "cannot check s3://$STORE_BUCKET/${1}_SUCCESS: $found" >&2
    exit 1
  fi
  if [[ "$found" != "${1}_SUCCESS" ]]; then
    echo "refusing $2 s3://$STORE_BUCKET/$1: it has no _SUCCESS marker, so it is incomplete or still being written" >&2
    exit "$CONFIG_ERROR"
  fi
}

# Check everything before downloading anything: a bad pin fails in seconds, not after the weights.
require_complete "$MODEL_PREFIX" "base model"
for prefix in "${adapters[@]}"; do
  require_complete "$prefix" "adapter"
done

restore() {
  aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" "s3://$STORE_BUCKET/$1" "$2"
}

restore "$MODEL_PREFIX" "$BASE_MODEL_DIR"
for prefix in "${adapters[@]}"; do
  dir="$MODELS_DIR/${prefix%/}"
  restore "$prefix" "$dir"
  if ! why=$(adapter_problem "$dir" "$prefix"); then
    echo "$why" >&2
    exit "$CONFIG_ERROR"
  fi
done
echo "restored s3://$STORE_BUCKET/$MODEL_PREFIX and ${#adapters[@]} adapter(s)"
