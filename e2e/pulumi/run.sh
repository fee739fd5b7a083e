#!/usr/bin/env bash
# The Pulumi part of the cluster lane: the real CLI and Kubernetes provider (./build.sh)
# deploying the e2e stacks to a real control plane (e2e/cluster/start.sh). Prints `PASS …`/`FAIL …`
# lines and `group pulumi: N passed, M failed` (./run.ts). With KUBECONFIG set it uses that cluster;
# otherwise it starts one and stops it afterwards.
#
#   e2e/pulumi/build.sh && e2e/pulumi/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${PULUMI_E2E_BIN:-$root/.cache/pulumi/bin}"
for b in pulumi pulumi-resource-kubernetes pulumi-analyzer-policy-nodejs; do
  if [ ! -x "$bin/$b" ]; then
    echo "NOTE pulumi: skipped, $bin/$b is not built: run e2e/pulumi/build.sh"
    echo "group pulumi: 0 passed, 0 failed"
    exit 0
  fi
done
started=0
if [ -z "${KUBECONFIG:-}" ]; then
  # its own run dir, so it never meets the cluster lane's (.cache/cluster/run)
  export CLUSTER_RUN_DIR="${CLUSTER_RUN_DIR:-$root/.cache/pulumi/cluster}"
  eval "$("$root/e2e/cluster/start.sh" | tail -n 1)" # `export KUBECONFIG=…`
  started=1
fi
status=0
node --import tsx "$root/e2e/pulumi/run.ts" --kubeconfig "$KUBECONFIG" "$@" || status=$?
if [ "$started" = 1 ]; then "$root/e2e/cluster/stop.sh" >/dev/null; fi
exit "$status"
