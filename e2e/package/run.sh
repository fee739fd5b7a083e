#!/usr/bin/env bash
# The installable package (README "Use llmkit as a package"): packs the repository with `npm pack`,
# checks the tarball's file list, installs it into a fresh project with `npm ci --omit=dev` (every
# dependency at the version package-lock.json locks, no dev tree), then from that project runs
# `npx llmkit --help`, `render` and a refused stack, type-checks examples/own-program against the
# installed entry points and runs it under Pulumi's mocks. Prints one line per check, then
# "package: N checks passed" (or "M failed") with the tarball's size and file count and the time.
# Needs the npm registry (or a warm npm cache). Not part of `npm test`; .ci/run runs it.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/llmkit-package-XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
check() { # check <name> <command…>: one PASS/FAIL line; the command's output only on failure
  local name=$1 log="$work/check.log"
  shift
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "PASS $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    sed 's/^/    /' "$log" | tail -n 40
  fi
}

# ---------------------------------------------------------------- the tarball
npm pack --json --pack-destination "$work" >"$work/pack.json" 2>"$work/pack.err" || { cat "$work/pack.err"; exit 1; }
tarball=$(node -e 'console.log(require(process.argv[1])[0].filename)' "$work/pack.json")

# Nothing test-only ships: tests, fixtures, goldens, promtool rule tests, the test/ and e2e/ trees, CI, docs sources.
no_test_files() {
  node -e '
    const files = require(process.argv[1])[0].files.map((f) => f.path);
    const bad = files.filter((p) => /(^|\/)(test|e2e|examples|docs|\.ci|\.github|__fixtures__|__golden__|__promtool__|node_modules|\.cache|\.scratch|out)\/|\.test\.[a-z]+$/.test(p));
    if (bad.length > 0) { console.log(bad.join("\n")); process.exit(1); }
  ' "$work/pack.json"
}
check "no test-only file in the tarball" no_test_files

# Everything the entry points, the bin and the extraArgs checks need is in it.
has_required_files() {
  node -e '
    const files = new Set(require(process.argv[1])[0].files.map((f) => f.path));
    const pkg = require(process.argv[2]);
    const needed = [
      ...Object.values(pkg.exports).map((p) => p.replace(/^\.\//, "")),
      ...Object.values(pkg.bin),
      "LICENSE", "CHANGELOG.md", "README.md", "Pulumi.yaml", "policies/PulumiPolicy.yaml", "data/support/train.jsonl",
      "components/serving/vllm-flags.json", "components/training/llamafactory-keys.json", "components/training/ms-swift-keys.json",
    ];
    const missing = needed.filter((p) => !files.has(p));
    if (missing.length > 0) { console.log(`missing: ${missing.join(", ")}`); process.exit(1); }
  ' "$work/pack.json" "$repo/package.json"
}
check "the tarball holds the exports, bin, LICENSE, CHANGELOG, policy pack, engine lists and sample data" has_required_files

# ---------------------------------------------------------------- install like a user's project
project="$work/project"
mkdir -p "$project"
cp "$work/$tarball" "$project/"
npx --no-install tsx e2e/package/consumer-lock.ts "$repo/package-lock.json" "$tarball" "$project"
check "npm ci --omit=dev installs the tarball at the locked versions" \
  bash -c "cd '$project' && npm ci --omit=dev --no-audit --no-fund"

no_dev_tree() { # no package the lock marks dev-only (vitest, eslint, ajv, …) is in the project
  node -e '
    const fs = require("node:fs");
    const { packages } = require(process.argv[1]);
    const dev = Object.keys(packages).filter((p) => packages[p].dev && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(p));
    const present = dev.filter((p) => fs.existsSync(`${process.argv[2]}/${p}`));
    console.log(`${dev.length} dev-only packages in the lock, ${present.length} installed ${present.join(" ")}`);
    process.exit(present.length === 0 && dev.length > 0 ? 0 : 1);
  ' "$repo/package-lock.json" "$project"
}
check "no dev-only package installed" no_dev_tree

# the stack files a user keeps in ./stacks: the ones the package ships, and the sample data the
# local stack uploads (a path relative to the project, the folder holding stacks/)
cp -r "$project/node_modules/llmkit/stacks" "$project/stacks"
cp -r "$project/node_modules/llmkit/data" "$project/data"
in_project() { (cd "$project" && "$@"); }

help_lists_commands() {
  in_project npx --no-install llmkit --help >"$work/help.txt" && grep -q "render" "$work/help.txt" && grep -q "status" "$work/help.txt" &&
    in_project npx --no-install llmkit render --help | grep -q -- "--stack"
}
check "npx llmkit --help and llmkit render --help" help_lists_commands

renders() { # renders <stack>: exit 0 and Kubernetes manifests written under ./out/<stack>
  in_project npx --no-install llmkit render --stack "$1" --out "out/$1" && [ -n "$(ls "$project/out/$1/manifests")" ]
}
check "npx llmkit render --stack local" renders local
check "npx llmkit render --stack workloads-dev (its platform stack read from ./stacks)" renders workloads-dev

# a stack file with a typo in a vLLM flag: refused with exit 2 from the shipped flag list
refuses_bad_flag() {
  mkdir -p "$project/bad/stacks"
  sed 's/^\( *\)maxLoras: 1$/&\n\1extraArgs: {max-num-seq: 8}/' "$project/stacks/Pulumi.local.yaml" >"$project/bad/stacks/Pulumi.local.yaml"
  local code=0
  (cd "$project/bad" && npx --no-install llmkit render --stack local) >"$work/bad.txt" 2>&1 || code=$?
  cat "$work/bad.txt"
  [ "$code" = 2 ] && grep -q 'extraArgs.max-num-seq: is not a vLLM 0.21.0 `vllm serve` flag: did you mean "max-num-seqs"?' "$work/bad.txt"
}
check "a stack with an unknown vLLM flag is refused (exit 2, did-you-mean)" refuses_bad_flag

# ---------------------------------------------------------------- a user's own program
mkdir -p "$project/own-program"
cp examples/own-program/index.ts "$project/own-program/index.ts"
# The kit ships TypeScript sources with .ts imports: a program type-checks them with bundler (or
# nodenext) resolution and allowImportingTsExtensions, as the kit's own tsconfig.json does.
node -e '
  const fs = require("node:fs");
  const kit = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).compilerOptions;
  const compilerOptions = { ...kit, typeRoots: [process.argv[2]], types: ["node"] };
  fs.writeFileSync(process.argv[3], JSON.stringify({ compilerOptions, files: ["index.ts"] }, null, 2));
' "$repo/tsconfig.json" "$repo/node_modules/@types" "$project/own-program/tsconfig.json"
check "examples/own-program type-checks against the installed llmkit/platform, llmkit/serving, llmkit/training" \
  "$repo/node_modules/.bin/tsc" -p "$project/own-program/tsconfig.json"

cat >"$project/own-program/run.ts" <<'EOF'
import * as pulumi from "@pulumi/pulumi";

pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "own-program", "test", false);
const { default: program } = await import("./index.ts");
const out = program();
pulumi.all([out.runId, out.endpoint]).apply(([runId, endpoint]) => console.log(`runId ${runId} endpoint ${endpoint}`));
EOF
runs_under_mocks() {
  (cd "$project/own-program" && node --import tsx run.ts) >"$work/own.txt" 2>&1
  cat "$work/own.txt"
  grep -Eq '^runId [0-9a-f]{12} endpoint http://chat\.llmkit\.svc\.cluster\.local:8000/v1$' "$work/own.txt"
}
check "examples/own-program builds its FineTune and VllmService under Pulumi's mocks" runs_under_mocks

summary=$(node -e '
  const p = require(process.argv[1])[0];
  console.log(`${p.filename}: ${(p.size / 1024).toFixed(0)} KiB packed, ${(p.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${p.entryCount} files`);
' "$work/pack.json")
if ((failed == 0)); then
  echo "package: $passed checks passed ($summary; $((SECONDS - start)) s)"
else
  echo "package: $passed passed, $failed failed ($summary; $((SECONDS - start)) s)"
  exit 1
fi
