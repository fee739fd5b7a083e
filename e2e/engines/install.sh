#!/usr/bin/env bash
# Installs the engine lane's tools into a project-local, git-ignored cache (default .cache/engines,
# or $LLMKIT_ENGINES_CACHE), reusing what is there when its lock file is unchanged:
#   uv-boot/        a venv holding the pinned uv (the installer)
# uv's download cache is the user's (${UV_CACHE_DIR:-~/.cache/uv}, ~19 GB with the nvidia wheels),
# shared by every checkout like pip's and Go's, so a fresh clone links its venvs from it instead of
# downloading them again.
#   venv-llamafactory/  requirements-llamafactory.txt (python 3.11)
#   venv-ms-swift/      requirements-ms-swift.txt (python 3.12)
#   venv-vllm/          requirements-vllm.txt (python 3.12)
#   llama.cpp/      convert_hf_to_gguf.py + gguf-py from the llama-cpp-python sdist's vendored llama.cpp
#
# usage: install.sh           install or reuse
#        install.sh --lock    re-resolve requirements-*.in into requirements-*.txt (needs PyPI), then install
#
# The PyPI torch wheels for Linux are CUDA builds: `import torch` loads libcublas & co. even on a
# CPU-only machine (torch/__init__.py _load_global_deps raises "libcublas.so.*[0-9] not found"
# without them), so the venvs carry the nvidia-* wheels their torch requires; uv installs them in
# ~20 s from a warm cache. CPU-only torch builds live on download.pytorch.org, not on PyPI.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
ROOT=$(cd ../.. && pwd)
CACHE=${LLMKIT_ENGINES_CACHE:-$ROOT/.cache/engines}
UV_VERSION=0.13.9
# llama-cpp-python's sdist vendors llama.cpp (convert_hf_to_gguf.py, gguf-py 0.19.0); 0.3.36 vendors
# ggml-org/llama.cpp@0c1e57098 (its CHANGELOG). The kit's image is llama.cpp full-b11223; which
# commit b11223 is could not be checked here (build numbers are commit counts on GitHub).
LLAMA_CPP_PYTHON=0.3.36
mkdir -p "$CACHE"
export UV_CACHE_DIR=${UV_CACHE_DIR:-$HOME/.cache/uv} UV_NO_PROGRESS=1 UV_PYTHON_DOWNLOADS=never

# python VERSION: an interpreter of that minor version (PATH, pyenv's versions, /usr/bin).
python_for() {
  local v=$1 c
  for c in "python$v" "$(pyenv root 2>/dev/null)"/versions/"$v".*/bin/"python$v" /usr/bin/"python$v" /usr/local/bin/"python$v"; do
    if [[ -n "$c" ]] && command -v "$c" >/dev/null 2>&1 && "$c" -c 'import venv' >/dev/null 2>&1; then
      command -v "$c"
      return 0
    fi
  done
  echo "install.sh: no python$v found (PATH, pyenv, /usr/bin); install it (e.g. apt-get install python$v-venv)" >&2
  return 1
}

UV=$CACHE/uv-boot/bin/uv
if [[ ! -x "$UV" ]] || [[ "$("$UV" --version 2>/dev/null)" != "uv $UV_VERSION"* ]]; then
  rm -rf "$CACHE/uv-boot"
  "$(python_for 3.12)" -m venv "$CACHE/uv-boot"
  "$CACHE/uv-boot/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

declare -A PY=([llamafactory]=3.11 [ms-swift]=3.12 [vllm]=3.12)

if [[ "${1:-}" == "--lock" ]]; then
  for name in "${!PY[@]}"; do
    "$UV" pip compile --quiet --python "$(python_for "${PY[$name]}")" --python-platform x86_64-manylinux_2_28 \
      --custom-compile-command "e2e/engines/install.sh --lock" "requirements-$name.in" -o "requirements-$name.txt"
  done
fi

# A venv is reused while its stamp (the lock file's hash and the interpreter) is unchanged.
for name in llamafactory ms-swift vllm; do
  venv=$CACHE/venv-$name
  python=$(python_for "${PY[$name]}")
  stamp="$(sha256sum "requirements-$name.txt" | cut -c1-64) $("$python" -c 'import sys; print(sys.version.split()[0])')"
  if [[ -f "$venv/.llmkit-stamp" && "$(<"$venv/.llmkit-stamp")" == "$stamp" ]]; then
    echo "engines: venv-$name up to date"
    continue
  fi
  echo "engines: installing venv-$name from requirements-$name.txt"
  rm -rf "$venv"
  "$UV" venv --quiet --python "$python" "$venv"
  "$UV" pip sync --quiet --python "$venv/bin/python" "requirements-$name.txt"
  printf '%s\n' "$stamp" > "$venv/.llmkit-stamp"
done

# llama.cpp's converter and gguf-py, as in the llama.cpp `full` image's /app (.devops/cpu.Dockerfile
# copies the repository's convert_hf_to_gguf.py and gguf-py there); the converter puts ./gguf-py
# on sys.path itself.
# convert_hf_to_gguf.py imports its model classes from ./conversion (a package next to it).
LLAMA_CPP_FILES=(convert_hf_to_gguf.py conversion gguf-py)
lcpp=$CACHE/llama.cpp
lcpp_stamp="$LLAMA_CPP_PYTHON ${LLAMA_CPP_FILES[*]}"
if [[ ! -f "$lcpp/.llmkit-stamp" || "$(<"$lcpp/.llmkit-stamp")" != "$lcpp_stamp" ]]; then
  echo "engines: extracting convert_hf_to_gguf.py from llama-cpp-python $LLAMA_CPP_PYTHON"
  rm -rf "$lcpp" "$CACHE/sdist"
  mkdir -p "$CACHE/sdist"
  "$CACHE/uv-boot/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    "llama-cpp-python==$LLAMA_CPP_PYTHON" -d "$CACHE/sdist"
  mkdir -p "$lcpp"
  tar -xzf "$CACHE/sdist/llama_cpp_python-$LLAMA_CPP_PYTHON.tar.gz" -C "$lcpp" --strip-components=3 \
    "${LLAMA_CPP_FILES[@]/#/llama_cpp_python-$LLAMA_CPP_PYTHON/vendor/llama.cpp/}"
  rm -rf "$CACHE/sdist"
  printf '%s\n' "$lcpp_stamp" > "$lcpp/.llmkit-stamp"
fi
# The real Qwen2 BPE ranks: dashscope ships Qwen's qwen.tiktoken (151,643 tokens; the same ranks as
# Qwen2/Qwen2.5's vocab.json + merges.txt), which build-models.py turns into the Qwen2 tokenizer.
# llama.cpp's converter recognises it by its pre-tokenizer hash ("qwen2"); no PyPI package ships
# Llama 3's tokenizer files, so the tiny Llama gets a tokenizer trained here.
DASHSCOPE=2.0.2
tok=$CACHE/tokenizers
if [[ ! -f "$tok/.llmkit-stamp" || "$(<"$tok/.llmkit-stamp")" != "dashscope $DASHSCOPE" ]]; then
  echo "engines: extracting qwen.tiktoken from dashscope $DASHSCOPE"
  rm -rf "$tok" "$CACHE/wheel"
  mkdir -p "$tok" "$CACHE/wheel"
  "$CACHE/uv-boot/bin/pip" download --quiet --disable-pip-version-check --no-deps "dashscope==$DASHSCOPE" -d "$CACHE/wheel"
  "$CACHE/uv-boot/bin/python" -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("dashscope/resources/qwen.tiktoken"))' \
    "$CACHE/wheel/dashscope-$DASHSCOPE-py3-none-any.whl" "$tok/qwen.tiktoken"
  rm -rf "$CACHE/wheel"
  printf '%s\n' "dashscope $DASHSCOPE" > "$tok/.llmkit-stamp"
fi
echo "engines: tools ready in $CACHE"
