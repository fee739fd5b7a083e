#!/usr/bin/env bash
# GGUF Job of a merged run; the step is the first argument (components/training/gguf.ts):
#   restore (aws-cli): skip everything if the .gguf file and _SUCCESS exist under GGUF_PREFIX;
#     else wait for merged/<name>/<runId>/_SUCCESS and fetch the merged weights;
#   convert (llama.cpp image): convert_hf_to_gguf.py writes OUT_DIR/GGUF_FILE;
#   upload (aws-cli): the file, then _SUCCESS.
set -euo pipefail
source "$(dirname "$0")/store.sh"

# exported: this file is already published (S3 objects appear whole, _SUCCESS follows them)
exported() {
  object_exists "${GGUF_PREFIX}${GGUF_FILE}" && object_exists "${GGUF_PREFIX}_SUCCESS"
}

case "${1:-}" in
  restore)
    require STORE_BUCKET GGUF_PREFIX GGUF_FILE MERGED_PREFIX MERGED_DIR DONE_MARKER MERGED_WAIT_SECONDS
    if exported; then
      echo "s3://$STORE_BUCKET/$GGUF_PREFIX$GGUF_FILE is already exported: nothing to do"
      touch "$DONE_MARKER"
      exit 0
    fi
    wait_for "${MERGED_PREFIX}_SUCCESS" "$MERGED_WAIT_SECONDS" "the merged model was never published: did the merge Job fail?"
    aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" "s3://$STORE_BUCKET/$MERGED_PREFIX" "$MERGED_DIR"
    echo "restored the merged model"
    ;;
  convert)
    require MERGED_DIR OUT_DIR GGUF_FILE OUTTYPE CONVERT_SCRIPT DONE_MARKER
    if [[ -e "$DONE_MARKER" ]]; then
      echo "already exported: skipping"
      exit 0
    fi
    mkdir -p "$OUT_DIR"
    python3 "$CONVERT_SCRIPT" "$MERGED_DIR" --outfile "$OUT_DIR/$GGUF_FILE" --outtype "$OUTTYPE"
    if [[ ! -s "$OUT_DIR/$GGUF_FILE" ]]; then
      echo "the converter finished but $OUT_DIR/$GGUF_FILE is missing or empty" >&2
      exit 1
    fi
    ;;
  upload)
    require STORE_BUCKET GGUF_PREFIX GGUF_FILE OUT_DIR DONE_MARKER
    if [[ -e "$DONE_MARKER" ]] || exported; then
      echo "s3://$STORE_BUCKET/$GGUF_PREFIX$GGUF_FILE is already exported"
      exit 0
    fi
    aws s3 cp --only-show-errors "$OUT_DIR/$GGUF_FILE" "s3://$STORE_BUCKET/$GGUF_PREFIX$GGUF_FILE"
    put_marker "${GGUF_PREFIX}_SUCCESS"
    echo "exported s3://$STORE_BUCKET/$GGUF_PREFIX$GGUF_FILE"
    ;;
  *)
    echo "configuration error: unknown step \"${1:-}\" (restore, convert or upload)" >&2
    exit "$CONFIG_ERROR"
    ;;
esac
