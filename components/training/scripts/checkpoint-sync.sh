#!/usr/bin/env bash
# Fine-tune, native sidecar `checkpoint-sync` (aws-cli image; an init container with
# restartPolicy: Always, started after `restore`, running next to `train`): every SYNC_INTERVAL_SECONDS
# upload each COMPLETE $OUTPUT_DIR/checkpoint-N/ to $CHECKPOINT_PREFIX/checkpoint-N/, then that
# checkpoint's _SUCCESS last (restore.sh resumes only from checkpoints with one).
#
# HF checkpoint saves are not atomic. transformers Trainer._save_checkpoint writes the model, then
# optimizer/scheduler/scaler and RNG state, then trainer_state.json, and only then rotates old
# checkpoints away (save_total_limit) (huggingface/transformers@000945a9 src/transformers/trainer.py).
# So checkpoint-N is complete when (a newer checkpoint-M exists, or checkpoint-N has its
# trainer_state.json) AND its files (names, sizes, mtimes) did not change between two scans. It is
# fingerprinted again after the upload: if rotation deleted or changed it meanwhile, no _SUCCESS.
#
# SIGTERM: final sync, then exit 0. When the Job finishes, the kubelet stops sidecars only after
# the main container (publish) exits; a pod deletion during training (preemption, eviction) sends
# SIGTERM to the trainer and this sidecar at the same time, and terminationGracePeriodSeconds
# covers the final sync. Store errors are logged and retried at the next scan: a sidecar that died
# on a network blip would be restarted by the kubelet anyway, and lose its fingerprints.
set -uo pipefail
source "$(dirname "$0")/store.sh"
require STORE_BUCKET CHECKPOINT_PREFIX OUTPUT_DIR DONE_MARKER SYNC_INTERVAL_SECONDS KEEP_CHECKPOINTS

declare -A seen=()    # step -> fingerprint at the previous scan
declare -A handled=() # step -> 1 once uploaded (or found complete in the store at start)
remote=()             # complete steps in the store, oldest first
stopping=0
trap 'stopping=1' TERM

# pause: sleep in the background so that SIGTERM ends the wait at once, and leave no sleep behind.
pause() {
  local pid
  sleep "$1" &
  pid=$!
  wait "$pid"
  kill "$pid" 2>/dev/null
  return 0
}

# fingerprint DIR: one "path size mtime" line per file, sorted; empty when DIR has no files.
fingerprint() {
  local files=()
  shopt -s globstar nullglob dotglob
  local f
  for f in "$1"/**; do
    [[ -f "$f" ]] && files+=("$f")
  done
  shopt -u globstar nullglob dotglob
  (( ${#files[@]} > 0 )) || return 0
  # a file rotated away between the glob and stat just changes the fingerprint
  stat -c '%n %s %y' -- "${files[@]}" 2>/dev/null | sort
}

# local_steps: the N of every $OUTPUT_DIR/checkpoint-N/, ascending.
local_steps() {
  local dir n
  for dir in "$OUTPUT_DIR"/checkpoint-*; do
    n=${dir##*-}
    [[ -d "$dir" && "$n" =~ ^[0-9]+$ ]] && echo "$n"
  done | sort -n
}

# Steps already complete in the store (a previous attempt uploaded them, or restore came from one).
load_remote() {
  local listing key keys=()
  if ! listing=$(aws s3api list-objects-v2 --bucket "$STORE_BUCKET" --prefix "${CHECKPOINT_PREFIX}checkpoint-" \
    --query 'Contents[].Key' --output text 2>&1); then
    echo "cannot list s3://$STORE_BUCKET/$CHECKPOINT_PREFIX: $listing" >&2
    return 1
  fi
  read -r -a keys <<< "$listing"
  for key in "${keys[@]}"; do
    if [[ "${key#"$CHECKPOINT_PREFIX"}" =~ ^checkpoint-([0-9]+)/_SUCCESS$ ]]; then
      handled[${BASH_REMATCH[1]}]=1
      remote+=("${BASH_REMATCH[1]}")
    fi
  done
}

# upload STEP FINGERPRINT: files first, _SUCCESS last, and only if nothing changed meanwhile.
upload() {
  local step=$1 before=$2 dir="$OUTPUT_DIR/checkpoint-$1" dest="${CHECKPOINT_PREFIX}checkpoint-$1/"
  if ! aws s3 sync --only-show-errors --no-progress "$dir" "s3://$STORE_BUCKET/$dest"; then
    echo "upload of checkpoint-$step failed: retrying at the next scan" >&2
    return 1
  fi
  if [[ "$(fingerprint "$dir")" != "$before" ]]; then
    echo "checkpoint-$step changed during its upload (still written, or rotated away): not marking it" >&2
    unset "seen[$step]"
    return 1
  fi
  put_marker "${dest}_SUCCESS" || return 1
  handled[$step]=1
  remote+=("$step")
  echo "synced checkpoint-$step to s3://$STORE_BUCKET/$dest"
}

# prune: keep the newest KEEP_CHECKPOINTS complete checkpoints in the store. Runs only after an
# upload, so an old checkpoint goes only once a newer one is complete. Marker first: a
# half-deleted checkpoint must never look complete to restore.sh.
prune() {
  mapfile -t remote < <(printf '%s\n' "${remote[@]}" | sort -n)
  while (( ${#remote[@]} > KEEP_CHECKPOINTS )); do
    local old=${remote[0]} dest="${CHECKPOINT_PREFIX}checkpoint-${remote[0]}/"
    aws s3 rm --only-show-errors "s3://$STORE_BUCKET/${dest}_SUCCESS" &&
      aws s3 rm --only-show-errors --recursive "s3://$STORE_BUCKET/$dest" || return 1
    remote=("${remote[@]:1}")
    echo "pruned checkpoint-$old from the store (keeping $KEEP_CHECKPOINTS)"
  done
}

# scan [final]: upload what became complete; prune after an upload, except in the final sync, whose
# grace period is for uploads (the next attempt, or the next upload, prunes).
scan() {
  local steps=() step newest fp uploaded=0
  mapfile -t steps < <(local_steps)
  (( ${#steps[@]} > 0 )) || return 0
  newest=${steps[-1]}
  for step in "${steps[@]}"; do
    [[ -z "${handled[$step]:-}" ]] || continue
    fp=$(fingerprint "$OUTPUT_DIR/checkpoint-$step")
    if [[ -n "$fp" && "$fp" == "${seen[$step]:-}" ]] &&
      [[ "$step" != "$newest" || -f "$OUTPUT_DIR/checkpoint-$step/trainer_state.json" ]]; then
      upload "$step" "$fp" && uploaded=1
    else
      seen[$step]=$fp
    fi
  done
  if (( uploaded )) && [[ "${1:-}" != final ]]; then
    prune || echo "pruning old checkpoints failed: retrying after the next upload" >&2
  fi
}

# An already published run has nothing to sync; stay up (a sidecar that exits is restarted).
if [[ ! -e "$DONE_MARKER" ]]; then
  until load_remote; do
    pause "$SYNC_INTERVAL_SECONDS"
    (( stopping )) && exit 0
  done
fi
echo "watching $OUTPUT_DIR every ${SYNC_INTERVAL_SECONDS}s (${#remote[@]} checkpoint(s) already in the store)"
while (( ! stopping )); do
  [[ -e "$DONE_MARKER" ]] || scan
  pause "$SYNC_INTERVAL_SECONDS"
done

# Final sync: two scans a moment apart (FINAL_SETTLE_SECONDS, default 2), so the stability rule
# still holds for files written since the last scan.
echo "SIGTERM: final checkpoint sync"
if [[ ! -e "$DONE_MARKER" ]]; then
  scan final
  sleep "${FINAL_SETTLE_SECONDS:-2}"
  scan final
fi
echo "checkpoint sync stopped"
exit 0
