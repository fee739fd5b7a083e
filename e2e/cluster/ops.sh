#!/usr/bin/env bash
# `llmkit status|logs|chat` against a real control plane: builds (or reuses) the lane's binaries,
# starts a fresh cluster, runs e2e/cluster/ops-checks.ts (the `local` stack applied, a real S3
# server on loopback for the store) and stops the cluster. Prints PASS/FAIL/NOTE lines and
# `group ops: N passed, M failed`; exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
"$root/e2e/cluster/build.sh" >/dev/null || { echo "FAIL build"; exit 1; }
export CLUSTER_RUN_DIR="${CLUSTER_RUN_DIR:-$root/.cache/cluster/run-ops}"
trap '"$root/e2e/cluster/stop.sh" >/dev/null 2>&1' EXIT
t0=$(date +%s)
log="$root/.cache/cluster/ops.start.log"
if ! "$root/e2e/cluster/start.sh" >"$log" 2>&1; then
  cat "$log"
  echo "FAIL cluster for ops started"
  exit 1
fi
echo "PASS cluster for ops started ($(($(date +%s) - t0))s)"
node --import tsx e2e/cluster/ops-checks.ts --kubeconfig "$CLUSTER_RUN_DIR/kubeconfig" --out "$root/.cache/cluster/render/ops"
