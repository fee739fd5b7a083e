#!/usr/bin/env bash
# `npm run e2e:cluster`: the real control plane lane. Builds (or reuses) the pinned binaries, then
# for each group of shipped stacks (a platform stack with the workloads stacks on it, or `local`)
# starts a fresh cluster, runs e2e/cluster/checks.ts against it and stops it; then runs the further
# check groups that are present (e2e/cluster/ops.sh, e2e/pulumi/run.sh). Prints `cluster: N passed, M failed` and
# exits non-zero on any failure. CLUSTER_GROUPS="platform-dev local" limits the groups.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/.cache/cluster/out"
rm -rf "$out" && mkdir -p "$out"
start_all=$(date +%s)
say() { echo "$*" | tee -a "$out/run.log"; }

"$root/e2e/cluster/build.sh" || { echo "FAIL build"; echo "cluster: 0 passed, 1 failed"; exit 1; }

if [ ! -d "$root/../shared/contracts/crds" ] && [ -z "${LLMKIT_CRDS_DIR:-}" ]; then
  echo "NOTE ../shared/contracts/crds is absent: custom resources are skipped (not validated by a real server)"
fi

# One cluster at a time; stop.sh runs on any exit.
export CLUSTER_RUN_DIR="$root/.cache/cluster/run"
trap '"$root/e2e/cluster/stop.sh" >/dev/null 2>&1' EXIT

mapfile -t lines < <(node --import tsx e2e/cluster/checks.ts --list-groups)
status=0
for line in "${lines[@]}"; do
  group=${line%% *}
  if [ -n "${CLUSTER_GROUPS:-}" ] && [[ " $CLUSTER_GROUPS " != *" $group "* ]]; then continue; fi
  t0=$(date +%s)
  if ! "$root/e2e/cluster/start.sh" >"$out/$group.start.log" 2>&1; then
    cat "$out/$group.start.log"
    say "FAIL cluster for $group started"
    status=1
    continue
  fi
  say "PASS cluster for $group started ($(tail -n 2 "$out/$group.start.log" | head -n 1 | sed 's/^cluster: up, //'), $(($(date +%s) - t0))s)"
  node --import tsx e2e/cluster/checks.ts --group "$group" --kubeconfig "$CLUSTER_RUN_DIR/kubeconfig" \
    --out "$root/.cache/cluster/render/$group" 2>&1 | tee "$out/$group.log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
  KEEP_RUN_DIR=${KEEP_RUN_DIR:-0} "$root/e2e/cluster/stop.sh" >/dev/null
  echo "     group $group: $(($(date +%s) - t0))s"
done

# llmkit status|logs|chat against a fresh cluster and a loopback S3 server (SKIP_OPS=1 skips).
if [ "${SKIP_OPS:-0}" != 1 ]; then
  t0=$(date +%s)
  CLUSTER_RUN_DIR="$root/.cache/cluster/run-ops" "$root/e2e/cluster/ops.sh" 2>&1 | tee "$out/ops.log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
  echo "     group ops: $(($(date +%s) - t0))s"
fi

# Further check groups of this lane, when their part is present.
# e2e/pulumi/run.sh starts its own cluster when KUBECONFIG is unset (never the caller's context).
if [ -x "$root/e2e/pulumi/run.sh" ] && [ "${SKIP_PULUMI:-0}" != 1 ]; then
  if [ -x "$root/e2e/pulumi/build.sh" ] && ! "$root/e2e/pulumi/build.sh" >"$out/pulumi-build.log" 2>&1; then
    tail -n 20 "$out/pulumi-build.log"
    say "FAIL e2e/pulumi/build.sh"
    status=1
  else
    env -u KUBECONFIG "$root/e2e/pulumi/run.sh" 2>&1 | tee "$out/pulumi.log"
    [ "${PIPESTATUS[0]}" = 0 ] || status=1
  fi
fi

passed=$(cat "$out"/*.log 2>/dev/null | grep -c '^PASS ' || true)
failed=$(cat "$out"/*.log 2>/dev/null | grep -c '^FAIL ' || true)
if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then echo "FAIL no check ran"; failed=1; fi
echo "cluster: $passed passed, $failed failed ($(($(date +%s) - start_all))s)"
[ "$status" = 0 ] && [ "$failed" = 0 ]
