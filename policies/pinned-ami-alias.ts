/**
 * pinned-ami-alias: Karpenter EC2NodeClass AMI aliases name an exact version
 * (`bottlerocket@v1.62.0`), never `@latest` or a bare family, and the class selects AMIs at all;
 * a new AMI arrives by pull request, not as drift that replaces every node. docs/architecture.md §5.
 */
import { arr, isKind, obj, str } from "./lib/k8s.ts";
import type { ResourcePolicy } from "./lib/types.ts";

export const pinnedAmiAlias: ResourcePolicy = {
  kind: "resource",
  name: "pinned-ami-alias",
  description: "EC2NodeClass amiSelectorTerms pin an exact AMI version: no @latest alias.",
  check(type, inputs) {
    if (!isKind(type, inputs, "karpenter.k8s.aws", "EC2NodeClass")) return [];
    const name = str(obj(inputs.metadata).name) ?? "(unnamed)";
    const terms = arr(obj(inputs.spec).amiSelectorTerms).map(obj);
    if (terms.length === 0) return [`EC2NodeClass ${name}: spec.amiSelectorTerms is missing: the AMI is not pinned`];
    const problems: string[] = [];
    for (const [i, t] of terms.entries()) {
      const alias = str(t.alias);
      if (alias === undefined) continue; // id, name, tags, owner: fixed images the team chose
      const version = alias.includes("@") ? alias.slice(alias.indexOf("@") + 1) : "";
      if (version === "" || version.toLowerCase() === "latest") {
        problems.push(`EC2NodeClass ${name}: amiSelectorTerms[${i}].alias "${alias}" is not pinned: use <family>@<version>`);
      }
    }
    return problems;
  },
};
