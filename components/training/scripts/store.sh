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

# object_exists KEY: status 0 if s3://$STORE_BUCKET/KEY exists, 1 if it does not.
# A listing with the key as prefix, not head-object: the roles' s3:ListBucket is scoped by an
# s3:prefix condition, which a HeadObject request does not carry, so S3 would answer a missing key
# with 403, indistinguishable from "denied". Any failure (403, network) stops the script:
# guessing "absent" could overwrite an immutable adapter.
object_exists() {
  local found
  if ! found=$(aws s3api list-objects-v2 --bucket "$STORE_BUCKET" --prefix "$1" --max-keys 1 --no-paginate \
    --query 'Contents[0].Key' --output text 2>&1); then
    echo "cannot check s3://$STORE_BUCKET/$1: $found" >&2
    exit 1
  fi
  [[ "$found" == "$1" ]]
}

# put_marker KEY: write an empty object, the "everything before me is complete" marker. Returns the
# upload's status, so callers without `set -e` (checkpoint-sync.sh) see a failed marker.
put_marker() {
  local empty status=0
  empty=$(mktemp)
  aws s3 cp --only-show-errors "$empty" "s3://$STORE_BUCKET/$1" || status=$?
  rm -f "$empty"
  return "$status"
}

# wait_for KEY SECONDS HINT: poll until the object exists; after SECONDS it is a configuration error.
wait_for() {
  local waited=0
  until object_exists "$1"; do
    if (( waited >= $2 )); then
      echo "configuration error: s3://$STORE_BUCKET/$1 does not exist after ${waited}s: $3" >&2
      exit "$CONFIG_ERROR"
    fi
    echo "waiting for s3://$STORE_BUCKET/$1"
    sleep "${POLL_SECONDS:-30}"
    waited=$(( waited + ${POLL_SECONDS:-30} ))
  done
}
