# Serving helpers sourced by fetch.sh and adapter-follow.sh (aws-cli image); never run on its own.
# Needs STORE_BUCKET, MODEL_REVISION and MAX_LORA_RANK.

# marker_key KEY: print the key a listing with KEY as prefix finds first ("None" if none); status 1
# if the store cannot be read. A listing rather than head-object: the serving role's s3:ListBucket
# is scoped by s3:prefix, which HeadObject does not carry, so a missing key would come back as 403.
marker_key() {
  aws s3api list-objects-v2 --bucket "$STORE_BUCKET" --prefix "$1" --max-keys 1 --no-paginate \
    --query 'Contents[0].Key' --output text 2>&1
}

# adapter_problem DIR PREFIX: print why the adapter restored into DIR must not be served (status 1),
# or nothing (status 0). vLLM refuses a rank above --max-lora-rank only when it loads the adapter,
# and would load an adapter of another base revision silently: both are checked up front.
adapter_problem() {
  local dir=$1 prefix=$2 file config manifest trained=""
  for file in adapter_config.json manifest.json; do
    if [[ ! -f "$dir/$file" ]]; then
      echo "refusing adapter $prefix: $file is missing"
      return 1
    fi
  done
  config=$(<"$dir/adapter_config.json")
  if [[ "$config" =~ \"r\"[[:space:]]*:[[:space:]]*([0-9]+) ]] && (( BASH_REMATCH[1] > MAX_LORA_RANK )); then
    echo "refusing adapter $prefix: its LoRA rank ${BASH_REMATCH[1]} exceeds --max-lora-rank $MAX_LORA_RANK (set the adapter's rank in the service args)"
    return 1
  fi
  # the manifest names the base revision the adapter was trained on (its first "revision")
  manifest=$(<"$dir/manifest.json")
  if [[ "$manifest" =~ \"revision\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; then
    trained=${BASH_REMATCH[1]}
  fi
  if [[ "$trained" != "$MODEL_REVISION" ]]; then
    echo "refusing adapter $prefix: it was trained on base revision '${trained}' but this service serves $MODEL_REVISION"
    return 1
  fi
}
