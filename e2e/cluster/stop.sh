#!/usr/bin/env bash
# Stops the processes e2e/cluster/start.sh started (by the process ids it recorded, each in its own
# process group) and removes the run directory. KEEP_RUN_DIR=1 keeps it (logs, certificates).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
run="${CLUSTER_RUN_DIR:-$root/.cache/cluster/run}"
[ -d "$run/pids" ] || exit 0

# Reverse start order: KWOK and the controllers first, etcd last.
order=(kwok kube-scheduler kube-controller-manager kube-apiserver etcd)
for name in "${order[@]}"; do
  f="$run/pids/$name.pid"
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
done
if [ "${KEEP_RUN_DIR:-0}" != 1 ]; then rm -rf "$run"; fi
echo "cluster: stopped"
