#!/usr/bin/env bash
# Serving, init container `fetch` (aws-cli image): restore exactly the pinned base model and
# adapters from the store into the pod's emptyDir. Refuses anything incomplete or mismatched:
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

# require_complete KEY WHAT: stop unless s3://$STORE_BUCKET/KEY_SUCCESS exists. Listed with the key
# as prefix rather than head-object: the serving role's s3:ListBucket is scoped by s3:prefix, which
# HeadObject does not carry, so a missing key would come back as 403. Any failure (403, network)
# also stops: the pod retries rather than guessing.
require_complete() {
  local found
  if ! found=$(aws s3api list-objects-v2 --bucket "$STORE_BUCKET" --prefix "${1}_SUCCESS" --max-keys 1 --no-paginate \
    --query 'Contents[0].Key' --output text 2>&1); then
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
  for file in adapter_config.json manifest.json; do
    if [[ ! -f "$dir/$file" ]]; then
      echo "refusing adapter $prefix: $file is missing" >&2
      exit "$CONFIG_ERROR"
    fi
  done
  # vLLM refuses ranks above --max-lora-rank only when it loads the adapter; say why up front.
  config=$(<"$dir/adapter_config.json")
  if [[ "$config" =~ \"r\"[[:space:]]*:[[:space:]]*([0-9]+) ]] && (( BASH_REMATCH[1] > MAX_LORA_RANK )); then
    echo "refusing adapter $prefix: its LoRA rank ${BASH_REMATCH[1]} exceeds --max-lora-rank $MAX_LORA_RANK (set the adapter's rank in the service args)" >&2
    exit "$CONFIG_ERROR"
  fi
  # The manifest names the base revision the adapter was trained on; another one would load silently.
  manifest=$(<"$dir/manifest.json")
  trained=""
  if [[ "$manifest" =~ \"revision\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; then
    trained=${BASH_REMATCH[1]}
  fi
  if [[ "$trained" != "$MODEL_REVISION" ]]; then
    echo "refusing adapter $prefix: it was trained on base revision '${trained}' but this service serves $MODEL_REVISION" >&2
    exit "$CONFIG_ERROR"
  fi
done
echo "restored s3://$STORE_BUCKET/$MODEL_PREFIX and ${#adapters[@]} adapter(s)"
