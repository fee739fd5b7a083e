# Helpers shared by the kit's store scripts; sourced, never run on its own.
# Exit 3 marks a configuration error: the Job's podFailurePolicy fails the Job at once on it.
CONFIG_ERROR=3

# require VAR...: stop with a configuration error unless every variable is set and non-empty.
require() {
  local v
  for v in "$@"; do
    if [[ -z "${!v:-}" ]]; then
      echo "configuration error: environment variable $v is not set" >&2
      exit "$CONFIG_ERROR"
    fi
  done
}

# object_exists KEY: status 0 if s3://$STORE_BUCKET/KEY exists, 1 if it does not (HTTP 404).
# Any other failure (403 without s3:ListBucket, network) stops the script: guessing "absent"
# could overwrite an immutable adapter.
object_exists() {
  local err
  if err=$(aws s3api head-object --bucket "$STORE_BUCKET" --key "$1" 2>&1 >/dev/null); then
    return 0
  fi
  if [[ "$err" == *"(404)"* ]]; then
    return 1
  fi
  echo "cannot check s3://$STORE_BUCKET/$1: $err" >&2
  exit 1
}

# put_marker KEY: write an empty object, the "everything before me is complete" marker.
put_marker() {
  local empty
  empty=$(mktemp)
  aws s3 cp --only-show-errors "$empty" "s3://$STORE_BUCKET/$1"
  rm -f "$empty"
}
