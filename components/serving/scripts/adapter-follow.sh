#!/usr/bin/env bash
# Serving, container `adapter-follow` (aws-cli image, env: local only): the adapters a local service
# lists without an llmkit:release pin follow their fine-tune's current run, which may still be
# training when the pod starts. vLLM starts on the base model alone (so the pod is ready at once);
# this loop waits for each run's _SUCCESS, restores it, checks it like fetch.sh does, and loads it
# through vLLM's runtime LoRA API. It keeps checking GET /v1/models, so an engine restart (which
# forgets runtime adapters) gets the adapter again.
#   FOLLOW_ADAPTERS  <name>=adapters/<name>/<runId>/ …(spaces)  -> $MODELS_DIR/adapters/<name>/<runId>
# vLLM 0.21.0: POST /v1/load_lora_adapter {"lora_name", "lora_path"} exists only with
# VLLM_ALLOW_RUNTIME_LORA_UPDATING set (vllm/entrypoints/serve/lora/api_router.py attach_router,
# protocol.py LoadLoRAAdapterRequest); a loaded adapter is listed by /v1/models with its path as
# "root" (vllm/entrypoints/openai/models/serving.py). /v1 needs the engine key when one is set.
# No curl: the image does not promise one, so HTTP goes through bash's /dev/tcp (bash(1), REDIRECTION).
set -uo pipefail
CONFIG_ERROR=3

for v in STORE_BUCKET FOLLOW_ADAPTERS MODELS_DIR MODEL_REVISION MAX_LORA_RANK ENGINE_PORT POLL_SECONDS; do
  if [[ -z "${!v:-}" ]]; then
    echo "configuration error: environment variable $v is not set" >&2
    exit "$CONFIG_ERROR"
  fi
done
read -r -a follows <<< "$FOLLOW_ADAPTERS"
source "$(dirname "$0")/adapter-check.sh"

# engine METHOD PATH [BODY]: one HTTP/1.1 request to vLLM on loopback; prints the response (status
# line, headers, body); status 1 when the engine does not answer yet.
engine() {
  local body=${3:-} auth=""
  [[ -n "${VLLM_API_KEY:-}" ]] && auth="Authorization: Bearer $VLLM_API_KEY"$'\r\n'
  exec 3<>"/dev/tcp/127.0.0.1/$ENGINE_PORT" 2>/dev/null || return 1
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "$auth" "${#body}" "$body" >&3
  cat <&3
  exec 3<&-
}

# loaded NAME DIR: whether vLLM lists adapter NAME loaded from DIR
loaded() {
  local models pattern="\"id\"[[:space:]]*:[[:space:]]*\"$1\"[^}]*\"root\"[[:space:]]*:[[:space:]]*\"$2\""
  models=$(engine GET /v1/models) || return 1
  [[ "$models" =~ $pattern ]]
}

# follow NAME PREFIX: one step for one adapter; returns when there is nothing more to do this round
follow() {
  local name=$1 prefix=$2 dir="$MODELS_DIR/${2%/}" found why response
  [[ -f "$dir.refused" ]] && return 0
  if [[ ! -f "$dir.ready" ]]; then
    if ! found=$(marker_key "${prefix}_SUCCESS"); then
      echo "cannot check s3://$STORE_BUCKET/${prefix}_SUCCESS: $found" >&2
      return 0
    fi
    if [[ "$found" != "${prefix}_SUCCESS" ]]; then
      echo "adapter $name: s3://$STORE_BUCKET/$prefix is not published yet (its run is training); serving the base model meanwhile"
      return 0
    fi
    aws s3 sync --only-show-errors --no-progress --exclude "_SUCCESS" "s3://$STORE_BUCKET/$prefix" "$dir" || return 0
    if ! why=$(adapter_problem "$dir" "$prefix"); then
      echo "$why" >&2
      touch "$dir.refused"
      return 0
    fi
    touch "$dir.ready"
  fi
  loaded "$name" "$dir" && return 0
  if ! response=$(engine POST /v1/load_lora_adapter "{\"lora_name\":\"$name\",\"lora_path\":\"$dir\"}"); then
    echo "adapter $name: vLLM does not answer on port $ENGINE_PORT yet"
    return 0
  fi
  if [[ "$response" == "HTTP/1.1 200"* ]]; then
    echo "adapter $name: loaded $dir"
  else
    echo "adapter $name: vLLM refused to load $dir: ${response##*$'\r\n\r\n'}" >&2
  fi
}

while true; do
  for item in "${follows[@]}"; do
    follow "${item%%=*}" "${item#*=}"
  done
  sleep "$POLL_SECONDS"
done
