/**
 * Recommended labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/)
 * on every object llmkit renders, so dashboards and policies can select by them.
 */
export const PART_OF = "llmkit";

export interface LabelArgs {
  /** The application, e.g. `vllm`, `llamafactory`, `minio`. */
  readonly name: string;
  /** The unique instance, e.g. the service or fine-tune name. */
  readonly instance: string;
  /** The role within the architecture, e.g. `serving`, `training`, `model-mirror`. */
  readonly component: string;
  readonly version?: string;
}

export function recommendedLabels(args: LabelArgs): Record<string, string> {
  const labels: Record<string, string> = {
    "app.kubernetes.io/name": args.name,
    "app.kubernetes.io/instance": args.instance,
    "app.kubernetes.io/component": args.component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
  if (args.version !== undefined) labels["app.kubernetes.io/version"] = args.version;
  return labels;
}

/** The immutable subset used in selectors (Deployment selectors cannot change after creation). */
export function selectorLabels(args: Pick<LabelArgs, "name" | "instance">): Record<string, string> {
  return { "app.kubernetes.io/name": args.name, "app.kubernetes.io/instance": args.instance };
}
