#!/usr/bin/env bash
# The README's chat UI screenshot (docs/images/chat-ui.png), taken in a real headless browser.
# Not run by CI. Open WebUI 0.12.4 (the pinned image's version, from PyPI) runs on loopback as
# uid 1000 with the environment components/chat-ui/render.ts gives the pod (auth none, as on the
# local stack), against an OpenAI-compatible endpoint; a question goes through the UI's own
# /api/chat/completions to that endpoint, the exchange is saved as a chat, and Chromium
# screenshots the chat page.
#
#   e2e/chat-ui/screenshot.sh                       # endpoint: `llamafactory-cli api` (below)
#   OPENAI_URL=http://127.0.0.1:8000/v1 OPENAI_KEY=… MODEL=… e2e/chat-ui/screenshot.sh
#
# Without OPENAI_URL it starts `llamafactory-cli api` from LLAMAFACTORY_VENV on MODEL_DIR (the
# engine lane's venv and tiny model: .cache/engines/venv-llamafactory, .cache/engines/build/*/models/tiny-qwen2).
# Needs: python3.11, uv or pip, Debian's chromium (apt-get install chromium), setpriv.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK=$ROOT/.cache/chatui
OUT=${OUT:-$ROOT/docs/images/chat-ui.png}
UI_PORT=${UI_PORT:-18080}
API_PORT=${API_PORT:-18000}
QUESTION=${QUESTION:-How do I reset my password?}
mkdir -p "$WORK"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# --- Open WebUI from PyPI, the version images.openWebui pins
VERSION=$(node -e 'import("./components/lib/versions.ts").then((m) => console.log(m.images.openWebui.version))' --import tsx)
if [ ! -x "$WORK/venv/bin/uvicorn" ]; then
  python3.11 -m venv "$WORK/venv"
  # async-timeout: redis 8.0.1 imports it on every Python, but declares it only below 3.11.3
  "$WORK/venv/bin/pip" install -q "open-webui==$VERSION" async-timeout
fi

# --- the endpoint
if [ -z "${OPENAI_URL:-}" ]; then
  : "${LLAMAFACTORY_VENV:?set OPENAI_URL, or LLAMAFACTORY_VENV and MODEL_DIR for llamafactory-cli api}"
  : "${MODEL_DIR:?set MODEL_DIR (a local Hugging Face model directory)}"
  MODEL=${MODEL:-$(basename "$MODEL_DIR")}
  OPENAI_KEY=${OPENAI_KEY:-screenshot-key}
  OPENAI_URL=http://127.0.0.1:$API_PORT/v1
  API_HOST=127.0.0.1 API_PORT=$API_PORT API_KEY=$OPENAI_KEY API_MODEL_NAME=$MODEL HF_HUB_OFFLINE=1 \
    "$LLAMAFACTORY_VENV/bin/llamafactory-cli" api --model_name_or_path "$MODEL_DIR" --template qwen --infer_backend huggingface \
    > "$WORK/api.log" 2>&1 &
  pids+=($!)
fi
: "${MODEL:?set MODEL to a model id the endpoint lists}"

# --- the UI, as the pod runs it (components/chat-ui/render.ts), on loopback
rm -rf "$WORK/data" "$WORK/tmp" && mkdir -p "$WORK/data" "$WORK/tmp" && chown 1000:1000 "$WORK/data" "$WORK/tmp"
(
  cd "$WORK"
  export OPENAI_API_BASE_URLS=$OPENAI_URL OPENAI_API_KEYS=${OPENAI_KEY:-} ENABLE_OLLAMA_API=False WEBUI_AUTH=False \
    WEBUI_SECRET_KEY=loopback-screenshot-only DATA_DIR=$WORK/data ENABLE_PERSISTENT_CONFIG=False OFFLINE_MODE=True \
    HOME=$WORK/tmp STATIC_DIR=$WORK/tmp/static \
    FRONTEND_BUILD_DIR=$WORK/venv/lib/python3.11/site-packages/open_webui/frontend # the image keeps it at /app/build
  exec setpriv --reuid=1000 --regid=1000 --clear-groups venv/bin/uvicorn open_webui.main:app --host 127.0.0.1 --port "$UI_PORT"
) > "$WORK/ui.log" 2>&1 &
pids+=($!)

wait_for() { for _ in $(seq 1 "$2"); do curl -sf -m 5 "$1" -H "Authorization: Bearer ${OPENAI_KEY:-}" > /dev/null && return 0; sleep 2; done; echo "timed out waiting for $1" >&2; exit 1; }
wait_for "$OPENAI_URL/models" 150
wait_for "http://127.0.0.1:$UI_PORT/health" 150

# --- one exchange through the UI's own API, saved as a chat; its id goes to $WORK/chat.id
UI=http://127.0.0.1:$UI_PORT MODEL=$MODEL QUESTION=$QUESTION WORK=$WORK "$WORK/venv/bin/python" - <<'PY'
import json, os, time, urllib.request
ui, model, question = os.environ["UI"], os.environ["MODEL"], os.environ["QUESTION"]
def call(path, body, token=None):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(ui + path, data=json.dumps(body).encode(), headers=headers)
    return json.load(urllib.request.urlopen(request, timeout=300))
token = call("/api/v1/auths/signin", {"email": "", "password": ""})["token"]  # WEBUI_AUTH=False: the default admin
listed = [m["id"] for m in json.load(urllib.request.urlopen(urllib.request.Request(ui + "/api/models", headers={"Authorization": f"Bearer {token}"})))["data"]]
print("models the UI lists:", listed)
call("/api/v1/users/user/settings/update", {"ui": {"showChangelog": False}}, token)
answer = call("/api/chat/completions", {"model": model, "stream": False, "max_tokens": 32, "messages": [{"role": "user", "content": question}]}, token)
reply = answer["choices"][0]["message"]["content"]
now = int(time.time())
user = {"id": "q", "parentId": None, "childrenIds": ["a"], "role": "user", "content": question, "timestamp": now, "models": [model]}
bot = {"id": "a", "parentId": "q", "childrenIds": [], "role": "assistant", "content": reply, "model": model, "modelName": model, "modelIdx": 0, "timestamp": now, "done": True}
chat = {"title": question, "models": [model], "params": {}, "history": {"messages": {"q": user, "a": bot}, "currentId": "a"}, "messages": [user, bot], "tags": [], "timestamp": now * 1000}
chat_id = call("/api/v1/chats/new", {"chat": chat}, token)["id"]
open(os.path.join(os.environ["WORK"], "chat.id"), "w").write(chat_id)
PY

mkdir -p "$(dirname "$OUT")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,720 --virtual-time-budget=20000 \
  --screenshot="$OUT" "http://127.0.0.1:$UI_PORT/c/$(cat "$WORK/chat.id")" 2> "$WORK/chromium.log"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes); UI RSS $(ps -o rss= -p "$(pgrep -f "uvicorn open_webui.main:app --host 127.0.0.1 --port $UI_PORT" | head -1)") KiB"
