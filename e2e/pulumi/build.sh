#!/usr/bin/env bash
# Builds the real Pulumi toolchain for the e2e lane from Go modules into .cache/pulumi/bin (ignored
# by git), each from its tools module under e2e/tools/pulumi (go.sum pins every module):
#
#   pulumi                      github.com/pulumi/pulumi/pkg/v3 v3.248.0, cmd/pulumi: the version
#                               package-lock.json pins for @pulumi/pulumi
#   pulumi-language-nodejs      v3.248.0. Its module is not served by the module proxy: the source
#                               is exported from a git clone of github.com/pulumi/pulumi at tag
#                               v3.248.0 (PULUMI_GIT_DIR) into .cache/pulumi/src
#   pulumi-resource-kubernetes  github.com/pulumi/pulumi-kubernetes/provider/v4
#                               v4.0.0-20260115033456-f47bc2d6f199: the only version of the module the
#                               proxy serves (no v4.34.2, the version the program requests; the
#                               pseudo-version's sdk/v4 requirement is v4.24.0, so it is ~4.24)
#   pulumi-resource-random      v4.19.1 from a git clone of github.com/pulumi/pulumi-random
#                               (PULUMI_RANDOM_GIT_DIR): its module is not served, and v4.21.x
#                               requires bridge dependencies (pulumi-yaml, pulumi-dotnet and
#                               pulumi-java pseudo-versions) the proxy does not serve either
#
# No policy analyzer binary: pulumi v3.248.0 runs a Node.js policy pack through the language host's
# RunPlugin whenever pulumi-language-nodejs is found (sdk/go/common/resource/plugin/analyzer_plugin.go,
# NewPolicyAnalyzer); pulumi-analyzer-policy is only the fallback without one.
#
# The run finds the providers on PATH (ambient plugins), whatever version the program asks for.
# A stamp of the tools modules and this script skips the build when the binaries are current;
# FORCE=1 rebuilds. When a binary is missing and a git clone it needs is not there, it prints a
# `skip:` line and exits 0 (nothing else can bring those two sources here); e2e/pulumi/run.sh then
# notes the skip instead of running.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/e2e/tools/pulumi"
bin="$root/.cache/pulumi/bin"
src="$root/.cache/pulumi/src"
mkdir -p "$bin" "$src"

pulumi_version=v3.248.0
random_version=v4.19.1
k8s_version=4.0.0-20260115033456-f47bc2d6f199 # e2e/tools/pulumi/kubernetes/go.mod
pulumi_git="${PULUMI_GIT_DIR:-/work/.mirror/pulumi+pulumi/repo}"
random_git="${PULUMI_RANDOM_GIT_DIR:-/work/.mirror/pulumi+pulumi-random/repo}"

binaries=(pulumi pulumi-language-nodejs pulumi-resource-kubernetes pulumi-resource-random)
stamp_want="$(cat "$tools"/*/go.mod "$tools"/*/go.sum "$tools"/kubernetes/main.go "$0" | sha256sum | cut -c1-16)"
current=1
for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || current=0; done
if [ "$current" = 1 ] && [ "${FORCE:-0}" != 1 ] && [ "$(cat "$bin/.stamp" 2>/dev/null)" = "$stamp_want" ]; then
  echo "build: pulumi toolchain current in ${bin#"$root"/}"
  exit 0
fi

# export <git dir> <tag> <path in repo> <dest>: the tree at the tag, nothing else (no .git, no tests' data)
export_tree() {
  local git_dir=$1 tag=$2 path=$3 dest=$4 strip
  strip=$(($(tr -cd / <<<"$path" | wc -c) + 1))
  rm -rf "$dest" && mkdir -p "$dest"
  git --git-dir="$git_dir" archive "$tag" "$path" | tar -x --strip-components="$strip" -C "$dest"
  rm -rf "$dest/testdata" "$dest/test-programs"
}
for need in "$pulumi_git:$pulumi_version" "$random_git:$random_version"; do
  dir=${need%:*} tag=${need##*:}
  if ! git --git-dir="$dir" rev-parse -q --verify "refs/tags/$tag" >/dev/null 2>&1; then
    echo "skip: no git clone with tag $tag at $dir (set PULUMI_GIT_DIR / PULUMI_RANDOM_GIT_DIR): the pulumi toolchain cannot be built here"
    exit 0
  fi
done

# cgo stays at the go command's default: CGO_ENABLED changes the build ID of nearly every package,
# so forcing it would throw away the build cache these binaries were first built into (~1 h here).
export GOFLAGS="-mod=readonly -buildvcs=false"
nice_cmd=(nice -n 10)
tmp="$bin/.tmp"
rm -rf "$tmp" && mkdir -p "$tmp"
start=$(date +%s)
step() { echo "build: $1 ($(($(date +%s) - start))s so far)"; }

# The CLI and the language host share pkg/v3 and sdk/v3 v3.248.0: built one after the other, the
# second reuses the first's build cache.
version_ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version"
(cd "$tools/cli" && "${nice_cmd[@]}" go build -trimpath -ldflags "$version_ldflags" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
step pulumi

export_tree "$pulumi_git" "$pulumi_version" sdk/nodejs/cmd/pulumi-language-nodejs "$src/pulumi-language-nodejs"
(cd "$tools/language-nodejs" && "${nice_cmd[@]}" go build -trimpath -ldflags "$version_ldflags" -o "$tmp/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
step pulumi-language-nodejs

# The provider's main embeds schema-embed.json and terraform-mapping-embed.json, which upstream's
# Makefile generates (cmd/pulumi-resource-kubernetes/generate.go: the schema with its version set,
# both re-serialised compactly); written here the same way from the module's copies.
k8s_cmd="$(cd "$tools/kubernetes" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)/cmd/pulumi-resource-kubernetes"
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

# Same for Random: cmd/pulumi-resource-random/generate.go writes schema-embed.json (version set).
export_tree "$random_git" "$random_version" provider "$src/pulumi-random"
node -e '
const fs = require("fs");
const [dir, version] = process.argv.slice(1);
const schema = JSON.parse(fs.readFileSync(`${dir}/schema.json`, "utf8"));
schema.version = version;
fs.writeFileSync(`${dir}/schema-embed.json`, JSON.stringify(schema));
' "$src/pulumi-random/cmd/pulumi-resource-random" "${random_version#v}"
(cd "$tools/random" && "${nice_cmd[@]}" go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-random/provider/v4/pkg/version.Version=${random_version#v}" -o "$tmp/pulumi-resource-random" github.com/pulumi/pulumi-random/provider/v4/cmd/pulumi-resource-random)
step pulumi-resource-random

for b in "${binaries[@]}"; do mv "$tmp/$b" "$bin/$b"; done
rmdir "$tmp"
echo "$stamp_want" >"$bin/.stamp"
echo "build: ${binaries[*]} in ${bin#"$root"/} ($(($(date +%s) - start))s)"
