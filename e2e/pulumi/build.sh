#!/usr/bin/env bash
# Builds the real Pulumi toolchain for the e2e lane from Go modules into .cache/pulumi/bin (ignored
# by git), each from its tools module under e2e/tools/pulumi (go.sum pins every module):
#
#   pulumi                      github.com/pulumi/pulumi/pkg/v3 v3.248.0, cmd/pulumi: the version
#                               package-lock.json pins for @pulumi/pulumi
#   pulumi-resource-kubernetes  github.com/pulumi/pulumi-kubernetes/provider/v4
#                               v4.0.0-20260115033456-f47bc2d6f199: the only version of the module the
#                               proxy serves (no v4.34.2, the version the program requests; the
#                               pseudo-version's sdk/v4 requirement is v4.24.0, so it is ~4.24)
#
# and writes one script of ours:
#
#   pulumi-analyzer-policy-nodejs  runs the CrossGuard pack with @pulumi/pulumi's policy runner from
#                               node_modules (npm). pulumi v3.248.0 starts a Node.js pack this way when
#                               no Node.js language host is installed (sdk/go/common/resource/plugin/
#                               analyzer_plugin.go, NewPolicyAnalyzer: the plugin gets `<engine address>
#                               <pack dir>`, its working directory is the pack's).
#
# Not built, because the Go module proxy serves no module for them (it answers 403 for
# github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 and every
# github.com/pulumi/pulumi-random module path): the Node.js language host, which `npm run up` does
# not need (cli/workspace.ts runs the program inline, through the Automation API's language server),
# and the random provider, which the e2e stacks do not use (e2e/pulumi/README.md).
#
# The run finds the providers on PATH (ambient plugins), whatever version the program asks for.
# A stamp of the tools modules and this script skips the build when the binaries are current;
# FORCE=1 rebuilds.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/e2e/tools/pulumi"
bin="$root/.cache/pulumi/bin"
mkdir -p "$bin"

pulumi_version=v3.248.0
k8s_version=4.0.0-20260115033456-f47bc2d6f199 # e2e/tools/pulumi/kubernetes/go.mod

binaries=(pulumi pulumi-resource-kubernetes pulumi-analyzer-policy-nodejs)
stamp_want="$(cat "$tools"/*/go.mod "$tools"/*/go.sum "$tools"/kubernetes/main.go "$0" | sha256sum | cut -c1-16)"
current=1
for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || current=0; done
if [ "$current" = 1 ] && [ "${FORCE:-0}" != 1 ] && [ "$(cat "$bin/.stamp" 2>/dev/null)" = "$stamp_want" ]; then
  echo "build: pulumi toolchain current in ${bin#"$root"/}"
  exit 0
fi


# cgo stays at the go command's default: CGO_ENABLED changes the build ID of nearly every package,
# so forcing it would throw away the build cache these binaries were first built into (~1 h here).
export GOFLAGS="-mod=readonly -buildvcs=false"
nice_cmd=(nice -n 10)
tmp="$bin/.tmp"
rm -rf "$tmp" && mkdir -p "$tmp"
start=$(date +%s)
step() { echo "build: $1 ($(($(date +%s) - start))s so far)"; }

version_ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version"
(cd "$tools/cli" && "${nice_cmd[@]}" go build -trimpath -ldflags "$version_ldflags" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
step pulumi

# The provider's main embeds schema-embed.json and terraform-mapping-embed.json, which upstream's
# Makefile generates (cmd/pulumi-resource-kubernetes/generate.go: the schema with its version set,
# both re-serialised compactly); written here the same way from the module's copies.
# `go list -m` reports no Dir for a module not yet in the module cache (a fresh machine): download it first.
k8s_module=github.com/pulumi/pulumi-kubernetes/provider/v4
(cd "$tools/kubernetes" && go mod download "$k8s_module")
k8s_cmd="$(cd "$tools/kubernetes" && go list -m -f '{{.Dir}}' "$k8s_module")/cmd/pulumi-resource-kubernetes"
if [ ! -f "$k8s_cmd/schema.json" ]; then echo "build: no schema.json under $k8s_cmd" >&2; exit 1; fi
node -e '
const fs = require("fs");
const [from, to, version] = process.argv.slice(1);
const schema = JSON.parse(fs.readFileSync(`${from}/schema.json`, "utf8"));
schema.version = version;
fs.writeFileSync(`${to}/schema-embed.json`, JSON.stringify(schema));
fs.writeFileSync(`${to}/terraform-mapping-embed.json`, JSON.stringify(JSON.parse(fs.readFileSync(`${from}/terraform-mapping.json`, "utf8"))));
' "$k8s_cmd" "$tools/kubernetes" "$k8s_version"
(cd "$tools/kubernetes" && "${nice_cmd[@]}" go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$k8s_version" -o "$tmp/pulumi-resource-kubernetes" .)
step pulumi-resource-kubernetes

cat >"$tmp/pulumi-analyzer-policy-nodejs" <<SHIM
#!/bin/sh
# written by e2e/pulumi/build.sh: Pulumi's analyzer-plugin protocol for a Node.js policy pack
exec node "$root/node_modules/@pulumi/pulumi/cmd/run-policy-pack" "\$@"
SHIM
chmod +x "$tmp/pulumi-analyzer-policy-nodejs"

for b in "${binaries[@]}"; do mv "$tmp/$b" "$bin/$b"; done
rmdir "$tmp"
echo "$stamp_want" >"$bin/.stamp"
echo "build: ${binaries[*]} in ${bin#"$root"/} ($(($(date +%s) - start))s)"
