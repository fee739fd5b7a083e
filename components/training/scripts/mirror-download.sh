#!/usr/bin/env bash
# Model/dataset mirror, init container 2 (python image): download exactly the pinned revision of
# REPO (REPO_TYPE model or dataset) from the hub, optionally only the files matching INCLUDE (glob
# patterns separated by spaces).
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

require REPO_TYPE
case "$REPO_TYPE" in
  model | dataset) ;;
  *)
    echo "configuration error: unknown repo type \"$REPO_TYPE\" (model or dataset)" >&2
    exit "$CONFIG_ERROR"
    ;;
esac
# `read -a` splits on spaces without expanding globs
read -r -a include <<< "${INCLUDE:-}"

python -m venv "$TOOLS_DIR"
case "$HUB" in
  huggingface)
    require HUGGINGFACE_HUB_VERSION
    "$TOOLS_DIR/bin/pip" install --no-cache-dir --quiet "huggingface_hub==$HUGGINGFACE_HUB_VERSION"
    # huggingface_hub src/huggingface_hub/cli/download.py: --repo-type model|dataset, and
    # --include is a repeatable list option; HF_TOKEN is read from the environment
    patterns=()
    for pattern in "${include[@]}"; do
      patterns+=(--include "$pattern")
    done
    "$TOOLS_DIR/bin/hf" download "$REPO" --repo-type "$REPO_TYPE" --revision "$REVISION" --local-dir "$MODEL_DIR" "${patterns[@]}"
    ;;
  modelscope)
    require MODELSCOPE_VERSION
    "$TOOLS_DIR/bin/pip" install --no-cache-dir --quiet "modelscope==$MODELSCOPE_VERSION"
    token=()
    if [[ -n "${MODELSCOPE_API_TOKEN:-}" ]]; then
      token=(--token "$MODELSCOPE_API_TOKEN")
    fi
    # modelscope modelscope/cli/download.py: --model or --dataset <id>; --include takes every
    # pattern after one flag (argparse nargs='*': a second --include would replace the first)
    patterns=()
    if (( ${#include[@]} > 0 )); then
      patterns=(--include "${include[@]}")
    fi
    "$TOOLS_DIR/bin/modelscope" download "--$REPO_TYPE" "$REPO" --revision "$REVISION" --local_dir "$MODEL_DIR" "${patterns[@]}" "${token[@]}"
    ;;
esac
# download bookkeeping, not part of the model
rm -rf "$MODEL_DIR/.cache"
