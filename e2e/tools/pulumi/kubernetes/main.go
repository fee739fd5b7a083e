// Command pulumi-resource-kubernetes is the Kubernetes provider built from its Go module for the
// e2e lane. It is upstream's cmd/pulumi-resource-kubernetes/main.go
// (https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/cmd/pulumi-resource-kubernetes/main.go)
// in our module: upstream's package embeds schema-embed.json and terraform-mapping-embed.json, which
// its Makefile generates (generate.go) and which the module zip therefore lacks. e2e/pulumi/build.sh
// writes them here from the module's schema.json and terraform-mapping.json the way generate.go does
// (schema with its "version" set, both re-serialised compactly); they are ignored by git.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
