/**
 * Input pieces every area's schema shares: object names, secret references, pinned hub revisions
 * and pinned images, and the model catalog entry (training and serving both take a ModelConfig).
 * Components own their input schemas; the kit's stack schema (config/) composes them.
 */
import { z } from "zod";
import { DNS_LABEL } from "./naming.ts";

/** A name that becomes part of Kubernetes object names: short enough to take role suffixes. */
export const resourceName = z
  .string()
  .max(40, "must be at most 40 characters (it prefixes Kubernetes object names)")
  .regex(DNS_LABEL, "must be lower-case letters, digits and '-', starting and ending with a letter or digit");


export const positiveInt = z.number().int().positive();
/** YAML reads unquoted `1.30` or `000123` as numbers, which loses digits: insist on quotes. */
export const quotedString = () =>
  z.string({
    error: (iss) => (typeof iss.input === "number" ? `must be a quoted string ("…"): YAML read it as the number ${iss.input}` : undefined),
  });
export const k8sSecretRef = z.strictObject({
  name: resourceName.describe("Kubernetes Secret in the workloads namespace"),
  key: z.string().min(1).describe("key inside the Secret"),
});

const hfRevision = /^[0-9a-f]{40}$/;
export const hubRepo = z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'must be "<owner>/<name>" as on the hub');
/** A branch moves under you: only a commit (40-hex on Hugging Face) or a tag reproduces a run. */
export function refusePinlessRevision(m: { hub: string; revision: string }, ctx: z.RefinementCtx): void {
  const branch = ["main", "master", "HEAD"].includes(m.revision);
  if (branch || (m.hub === "huggingface" && !hfRevision.test(m.revision))) {
    ctx.addIssue({
      code: "custom",
      path: ["revision"],
      message: `"${m.revision}" is not a pinned revision: use the 40-character commit sha from the hub's history`,
    });
  }
}

export const modelSchema = z
  .strictObject({
    name: resourceName.describe("how fine-tunes and services refer to this model"),
    hub: z.enum(["huggingface", "modelscope"]).default("huggingface"),
    repo: hubRepo,
    revision: z.string().min(1).describe("pinned commit (40-hex on Hugging Face) or tag; never a branch"),
    sizeGiB: z.number().positive().describe("size of the weights on disk; sizes volumes and startup budgets"),
    tokenSecret: k8sSecretRef.optional().describe("hub token for gated models"),
    msSwiftModelType: z
      .string()
      .regex(/^[a-z0-9_]+$/, "must be an ms-swift model type such as qwen2 (an LLMModelType value in ms-swift's swift/model/constant.py)")
      .optional()
      .describe("ms-swift --model_type of this model; default from planner/models.ts for catalog models, required for ms-swift fine-tunes of others"),
  })
  .superRefine(refusePinlessRevision);


/** `<repo>@sha256:<digest>` or `<repo>:<tag>` with a version-like tag (a digit in it, not "latest"). */
export function imagePinProblem(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : undefined;
  if (tag === undefined) return `"${image}" has no tag: pin it by digest (<repo>@sha256:<digest>) or an exact version tag`;
  if (tag === "latest" || !/\d/.test(tag)) return `"${image}" uses the floating tag "${tag}": pin a digest or an exact version tag such as 1.4.2`;
  return undefined;
}

export type ModelConfig = z.output<typeof modelSchema>;

/**
 * `image` of a fine-tune or service: the engine image from another registry (a mirror, a patched
 * build) instead of the pinned one in components/lib/versions.ts. It must run the same engine
 * version: the flag and key lists, scripts and metric names are checked against that version.
 * Rendered `<repository>:<tag>@<digest>` (the digest, when given, is what the node pulls); the
 * reference is part of a fine-tune's run id. env prod also requires the digest (config/image-rules.ts).
 */
export const imageOverrideSchema = z.strictObject({
  repository: z
    .string()
    .regex(
      /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/,
      "must be an image repository without tag or digest, e.g. registry.example.com/mirror/vllm-openai (tag and digest are keys of their own)",
    )
    .describe("registry and path, e.g. registry.example.com/mirror/vllm-openai"),
  tag: z
    .string()
    .regex(/^\w[\w.-]{0,127}$/, "must be an image tag: letters, digits, '_', '.' and '-', at most 128")
    .refine((t) => t.toLowerCase() !== "latest", { message: '"latest" moves with every push: pin the exact tag the image was built as, e.g. v0.21.0' })
    .refine((t) => t.toLowerCase() === "latest" || /\d/.test(t), { message: "must be a version tag (with a digit), e.g. v0.21.0-patched.1: a tag like this one moves with every push" })
    .describe("an exact version tag, never latest"),
  digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 lower-case hex digits>, as `docker buildx imagetools inspect <repository>:<tag>` prints it")
    .optional()
    .describe("sha256:… of the image; required in env prod"),
});

export type ImageOverride = z.output<typeof imageOverrideSchema>;
