#!/usr/bin/env bash
# Model mirror, init container 2 (python image): download exactly the pinned revision from the hub.
# Tools are pip-installed at pinned versions into a venv on the pod's scratch volume (the image
# ships no hub CLI). Tokens come from a Secret through the environment, never from arguments
# that logs could echo, except modelscope, whose CLI takes the token only as --token.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require HUB REPO REVISION MODEL_DIR TOOLS_DIR PRESENT_MARKER

case "$HUB" in
  huggingface | modelscope) ;;
  *)
    echo "configuration error: unknown hub \"$HUB\"" >&2
    exit "$CONFIG_ERROR"
    ;;
esac
if [[ -e "$PRESENT_MARKER" ]]; then
  echo "already mirrored: skipping download"
  exit 0
fi

python -m venv "$TOOLS_DIR"
case "$HUB" in
  huggingface)
    require HUGGINGFACE_HUB_VERSION
    "$TOOLS_DIR/bin/pip" install --no-cache-dir --quiet "huggingface_hub==$HUGGINGFACE_HUB_VERSION"
    # huggingface_hub src/huggingface_hub/cli/download.py; HF_TOKEN is read from the environment
    "$TOOLS_DIR/bin/hf" download "$REPO" --repo-type model --revision "$REVISION" --local-dir "$MODEL_DIR"
    ;;
  modelscope)
    require MODELSCOPE_VERSION
    "$TOOLS_DIR/bin/pip" install --no-cache-dir --quiet "modelscope==$MODELSCOPE_VERSION"
    token=()
    if [[ -n "${MODELSCOPE_API_TOKEN:-}" ]]; then
      token=(--token "$MODELSCOPE_API_TOKEN")
    fi
    # modelscope modelscope/cli/download.py
    "$TOOLS_DIR/bin/modelscope" download --model "$REPO" --revision "$REVISION" --local_dir "$MODEL_DIR" "${token[@]}"
    ;;
esac
# download bookkeeping, not part of the model
rm -rf "$MODEL_DIR/.cache"
