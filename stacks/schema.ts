/**
 * The stack configuration: one zod schema, the single source of truth for the program, the CLIs,
 * the tests and the generated docs (DESIGN.md §4). Objects are strict, so a typo fails. Shapes
 * live here; cross-field rules live in ./rules.ts; technical defaults live in the components.
 * Environment policy (prod needs replicas, auth and retained storage) is enforced in ./rules.ts.
 */
import { z } from "zod";
import { DNS_LABEL } from "../components/lib/naming.ts";
import { GGUF_OUTTYPES } from "../components/lib/versions.ts";
import { GPU_NAMES } from "../planner/gpus.ts";
import { hubDatasetPrefix } from "../components/lib/store.ts";
import { crossFieldRules } from "./rules.ts";

/** A name that becomes part of Kubernetes object names: short enough to take role suffixes. */
export const resourceName = z
  .string()
  .max(40, "must be at most 40 characters (it prefixes Kubernetes object names)")
  .regex(DNS_LABEL, "must be lower-case letters, digits and '-', starting and ending with a letter or digit");

const positiveInt = z.number().int().positive();
/** YAML reads unquoted `1.30` or `000123` as numbers, which loses digits: insist on quotes. */
const quotedString = () =>
  z.string({
    error: (iss) => (typeof iss.input === "number" ? `must be a quoted string ("…"): YAML read it as the number ${iss.input}` : undefined),
  });
const k8sSecretRef = z.strictObject({
  name: resourceName.describe("Kubernetes Secret in the workloads namespace"),
  key: z.string().min(1).describe("key inside the Secret"),
});

// ---------------------------------------------------------------- platform

const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as us-west-2");
/** S3 bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
const bucketName = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "must be a valid S3 bucket name (lower-case letters, digits, '.', '-')");

const cpuPool = z.strictObject({
  name: resourceName,
  nodeSelector: z.record(z.string(), z.string()).optional().describe("labels the pool's nodes carry"),
});

const tolerationSchema = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(["Exists", "Equal"]),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

const existingPool = z.strictObject({
  name: resourceName,
  nodeSelector: z.record(z.string(), z.string()).describe("labels the cluster's nodes in this pool already carry"),
  tolerations: z.array(tolerationSchema).optional(),
  gpu: z
    .strictObject({
      resource: z.string().default("nvidia.com/gpu").describe("extended resource name of the accelerator"),
      perNode: positiveInt,
      memoryGiB: positiveInt,
    })
    .optional()
    .describe("absent for CPU-only pools"),
});

/** `<family>@<version>` as Karpenter's EC2NodeClass amiSelectorTerms alias takes it; never `@latest`. */
const amiAlias = z
  .string()
  .regex(/^(al2023|bottlerocket)@/, 'must be "al2023@<version>" or "bottlerocket@<version>" (the AMI families llmkit runs GPUs on)')
  .refine((a) => !a.endsWith("@latest"), { message: "must pin a version: @latest changes nodes under you at the next launch; use e.g. bottlerocket@v1.50.0" })
  .refine((a) => /@(v\d+(\.\d+){0,2}|latest)$/.test(a), { message: 'must end in a version such as "@v1.50.0" (bottlerocket) or "@v20251120" (al2023)' });

/** How long a node may stay empty or underused before Karpenter consolidates it, e.g. 10m, 1h. */
const duration = z.string().regex(/^\d+(s|m|h)$/, 'must be a duration such as "30s", "10m" or "1h"');

const gpuPool = z.strictObject({
  name: resourceName,
  preset: z
    .enum(["serving", "training", "training-spot", "training-efa"])
    .describe(
      "serving: on-demand, consolidates when empty or underused; training: on-demand, consolidates only when empty; training-spot: spot first; training-efa: one zone, EFA interfaces for multi-node jobs",
    ),
  gpu: z.strictObject({
    name: z.enum(GPU_NAMES).describe("GPU model as Karpenter's instance-gpu-name label reports it"),
    count: positiveInt.describe("GPUs per node"),
    memoryGiB: positiveInt.optional().describe("memory per GPU; defaults to the catalog value for the model"),
  }),
  instanceFamilies: z
    .array(z.string().regex(/^[a-z]+\d+[a-z-]*$/, "must be an EC2 instance family such as g6e"))
    .min(1)
    .optional()
    .describe("restrict to these families; default: every catalog family with this GPU"),
  capacityTypes: z.array(z.enum(["on-demand", "spot", "reserved"])).min(1).optional().describe("default from the preset"),
  zones: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, "must be an availability zone such as us-west-2a")).min(1).optional(),
  gpuLimit: positiveInt.describe("required cap on the GPUs this pool may run at once (cost guard)"),
  ami: amiAlias.optional().describe("pinned AMI alias; default: the Bottlerocket NVIDIA release pinned in components/lib/versions.ts"),
  disk: z
    .strictObject({
      rootGiB: positiveInt.optional().describe("OS volume (al2023) / Bottlerocket's small OS volume"),
      dataGiB: positiveInt.optional().describe("container images and model weights; default from the preset"),
    })
    .optional(),
  consolidateAfter: duration.optional().describe("serving presets: how long a node may be empty or underused before it is removed"),
});

const addons = z
  .strictObject({
    keda: z.boolean().optional().describe("KEDA for autoscaling on vLLM metrics"),
    envoyGateway: z.boolean().optional().describe("Envoy Gateway, the Gateway API implementation serving's auth builds on"),
    prometheus: z
      .union([z.enum(["install", "none"]), z.strictObject({ url: z.url().describe("in-cluster Prometheus query URL") })])
      .optional()
      .describe('"install" the Prometheus Operator stack, "none", or {url} of an existing Prometheus'),
    dcgmExporter: z.boolean().optional().describe("NVIDIA DCGM exporter for GPU metrics"),
    nvidiaDevicePlugin: z.boolean().optional().describe("existing clusters only: install the NVIDIA device plugin (aws decides per AMI family)"),
  })
  .prefault({})
  .describe("cluster add-ons; defaults depend on the provider (see components/platform/addons/README.md)");

/** Only on clusters llmkit does not build: on aws the kit enables the VPC CNI's network policy agent itself. */
const cni = z
  .strictObject({
    enforcesNetworkPolicy: z
      .boolean()
      .default(false)
      .describe("the cluster's CNI enforces NetworkPolicy (e.g. Calico, Cilium); serving relies on it to keep clients off engine routes the gateway does not allow"),
  })
  .prefault({})
  .describe("what the cluster's network plugin does (llmkit cannot see it from here)");

const localPlatform = z.strictObject({
  provider: z.literal("local"),
  namespace: resourceName.default("llmkit"),
  store: z
    .strictObject({
      bucket: resourceName.default("llmkit"),
      sizeGiB: positiveInt.default(50).describe("persistent volume for the in-cluster object store"),
      storageClass: z.string().optional().describe("defaults to the cluster's default StorageClass"),
    })
    .prefault({}),
  pools: z.array(cpuPool).min(1).default([{ name: "cpu" }]),
  cni,
  addons,
});

const existingPlatform = z.strictObject({
  provider: z.literal("existing"),
  namespace: resourceName.default("llmkit"),
  store: z.strictObject({
    bucket: bucketName,
    endpoint: z.url().describe("S3-compatible endpoint URL reachable from the cluster"),
    region: z.string().default("us-east-1"),
    credentialsSecret: resourceName.describe(
      "Secret in the namespace with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (never in stack config)",
    ),
  }),
  pools: z.array(existingPool).min(1),
  cni,
  addons,
});

const awsPlatform = z.strictObject({
  provider: z.literal("aws"),
  region: awsRegion,
  namespace: resourceName.default("llmkit"),
  network: z
    .discriminatedUnion("mode", [
      z.strictObject({
        mode: z.literal("create"),
        cidr: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-2])$/, "must be an IPv4 CIDR from /16 to /22, e.g. 10.64.0.0/16"),
        zones: z.number().int().min(2).max(6).default(3).describe("availability zones to spread private subnets over"),
        natGateways: z
          .enum(["single", "one-per-zone"])
          .default("single")
          .describe("single: one NAT gateway (cheaper, a zone outage cuts egress); one-per-zone: survives a zone loss"),
      }),
      z.strictObject({
        mode: z.literal("existing"),
        vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id (vpc-…)"),
        privateSubnetIds: z
          .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet id (subnet-…)"))
          .min(2, "needs private subnets in at least 2 availability zones"),
      }),
    ])
    .describe("create a VPC, or use an existing one whose private subnets carry the karpenter.sh/discovery tag"),
  cluster: z.strictObject({
    name: resourceName,
    kubernetesVersion: quotedString().regex(/^1\.\d{2}$/, 'must be a minor version such as "1.33"'),
    systemNodes: z
      .strictObject({
        instanceType: z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, "must be an EC2 instance type such as m7i.large"),
        min: positiveInt,
        max: positiveInt,
      })
      .optional(),
    admins: z
      .array(z.string().regex(/^arn:aws(-us-gov)?:(iam|sts)::\d{12}:(role|user|assumed-role)\/.+$/, "must be an IAM role or user ARN"))
      .default([])
      .describe("IAM principals granted cluster admin through EKS access entries (the identity running pulumi up is admin already)"),
    publicAccessCidrs: z
      .array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 203.0.113.0/24"))
      .optional()
      .describe("who may reach the public API endpoint; [] makes the endpoint private-only; default: anywhere (IAM still required)"),
  }),
  store: z.strictObject({
    bucket: bucketName,
    retainOnDelete: z.boolean().default(false).describe("keep the bucket when the stack is destroyed (required in prod)"),
    noncurrentVersionDays: positiveInt.default(30),
  }),
  gpuPools: z.array(gpuPool).min(1),
  addons,
});

export const platformSchema = z.discriminatedUnion("provider", [localPlatform, existingPlatform, awsPlatform]);

// ---------------------------------------------------------------- models

const hfRevision = /^[0-9a-f]{40}$/;
const hubRepo = z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'must be "<owner>/<name>" as on the hub');
/** A branch moves under you: only a commit (40-hex on Hugging Face) or a tag reproduces a run. */
function refusePinlessRevision(m: { hub: string; revision: string }, ctx: z.RefinementCtx): void {
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

// ---------------------------------------------------------------- datasets (hub catalog)

export const hubDatasetSchema = z
  .strictObject({
    name: resourceName.describe("how fine-tune datasets refer to this mirrored dataset"),
    hub: z.enum(["huggingface", "modelscope"]).default("huggingface"),
    repo: hubRepo,
    revision: z.string().min(1).describe("required pinned commit (40-hex on Hugging Face) or tag; never a branch"),
    include: z
      .array(z.string().regex(/^[^\s]+$/, "must be a glob pattern without spaces, e.g. data/*.jsonl"))
      .min(1)
      .optional()
      .describe("mirror only files matching these glob patterns; every file when absent"),
    sizeGiB: z.number().positive().default(5).describe("size of the mirrored files; sizes the mirror's scratch volume"),
    tokenSecret: k8sSecretRef.optional().describe("hub token for gated datasets"),
  })
  .superRefine(refusePinlessRevision);

// ---------------------------------------------------------------- fine-tunes

const storeDatasetKey = z
  .string()
  .regex(/^datasets\/[\w.\/-]+$/, 'must be a key under the store\'s "datasets/" prefix, e.g. datasets/support/train.jsonl')
  .refine((k) => !k.split("/").includes(".."), { message: 'must not contain ".." (keys are literal, never resolved)' });
const datasetFormat = z.enum(["alpaca", "sharegpt", "openai", "query-response"]);

const datasetSchema = z.strictObject({
  path: storeDatasetKey.optional().describe("a store key; or name a mirrored dataset with dataset + file"),
  dataset: resourceName.optional().describe("a name from llmkit:datasets (mirrored from a hub)"),
  file: z
    .string()
    .regex(/^[\w.-]+(\/[\w.-]+)*$/, 'must be a file path inside the mirrored dataset, e.g. data/train.jsonl')
    .refine((f) => !f.split("/").includes(".."), { message: 'must not contain ".."' })
    .optional()
    .describe("with dataset: the file inside it"),
  format: datasetFormat,
  purpose: z.enum(["domain", "general"]).default("domain"),
  samples: positiveInt.optional().describe("rows to draw; all rows when absent"),
});

/** A Kueue LocalQueue / WorkloadPriorityClass name: an object name that is also a label value. */
const kueueName = z
  .string()
  .max(63, "must be at most 63 characters (it is a label value)")
  .regex(DNS_LABEL, "must be lower-case letters, digits and '-', starting and ending with a letter or digit");

export const MAX_SMOKE_PROMPTS = 8;

/** Merge and export need a full-precision LoRA run; GGUF is converted from the merged model. */
function followUpRules(f: { method: string; merge?: boolean | { enabled: boolean }; export?: { gguf?: unknown } }, ctx: z.RefinementCtx): void {
  const merging = f.merge === true || (typeof f.merge === "object" && f.merge.enabled);
  if (merging && f.method === "qlora") {
    ctx.addIssue({
      code: "custom",
      path: ["merge"],
      message:
        "cannot merge a QLoRA adapter: it was trained against the quantised base, and LLaMA-Factory refuses merging into a quantised model (tuner.py export_model): serve the adapter with vLLM, or train with method: lora",
    });
  }
  if (f.export?.gguf !== undefined && !merging) {
    ctx.addIssue({ code: "custom", path: ["export", "gguf"], message: "is converted from the merged model: set merge: true, or remove export.gguf" });
  }
}

export const fineTuneSchema = z.strictObject({
  name: resourceName,
  baseModel: resourceName.describe("a name from llmkit:models"),
  engine: z.enum(["llamafactory", "ms-swift"]).default("llamafactory"),
  method: z.enum(["lora", "qlora"]).default("lora"),
  quantBits: z.union([z.literal(4), z.literal(8)]).optional().describe("QLoRA only"),
  template: z.string().min(1).describe("the engine's chat template for the base model, e.g. qwen"),
  lora: z
    .strictObject({
      rank: positiveInt.optional(),
      alpha: z.number().positive().optional(),
      dropout: z.number().min(0).lt(1).optional(),
      targets: z.union([z.literal("all-linear"), z.array(z.string().min(1)).min(1)]).optional(),
    })
    .optional(),
  datasets: z.array(datasetSchema).min(1),
  training: z
    .strictObject({
      epochs: z.number().positive().optional(),
      learningRate: z.number().positive().optional(),
      microBatchSize: positiveInt.optional(),
      gradientAccumulation: positiveInt.optional(),
      maxLength: positiveInt.optional(),
      warmupRatio: z.number().min(0).lt(1).optional(),
      valRatio: z.number().min(0).lt(1).optional(),
      saveSteps: positiveInt.optional(),
      keepCheckpoints: positiveInt.optional(),
      precision: z.enum(["bf16", "fp16", "fp32"]).optional(),
    })
    .optional(),
  pool: resourceName.describe("a pool from the platform's scheduling contract"),
  gpus: z.number().int().min(0).default(1),
  resources: z
    .strictObject({ cpu: z.number().positive(), memoryGiB: positiveInt })
    .optional()
    .describe("CPU and memory for the trainer container"),
  maxRuntimeHours: z.number().positive().max(168).optional(),
  // follow-up Jobs of the run (components/training/merge.ts, gguf.ts); not part of the run id
  merge: z
    .union([
      z.boolean(),
      z.strictObject({
        enabled: z.boolean().default(true),
        dtype: z.enum(["bfloat16", "float16", "float32"]).optional().describe("default: the training precision"),
      }),
    ], { error: 'must be true, false or { enabled: true, dtype: "bfloat16" | "float16" | "float32" }' })
    .optional()
    .describe("merge the adapter into the base model after training, into merged/<name>/<runId>/ (LoRA only)"),
  export: z
    .strictObject({
      gguf: z
        .strictObject({ quantization: z.enum(GGUF_OUTTYPES).describe("convert_hf_to_gguf.py --outtype") })
        .optional()
        .describe("llama.cpp/Ollama file gguf/<name>/<runId>/<name>-<quantization>.gguf, converted from the merged model"),
    })
    .optional(),
  identity: z
    .strictObject({
      name: z.string().trim().min(1, "must not be empty").describe("what the model calls itself"),
      author: z.string().trim().min(1, "must not be empty").describe("who the model says made it"),
      path: storeDatasetKey.describe("self-cognition rows with {{name}}/{{author}} (LLaMA-Factory) or {{NAME}}/{{AUTHOR}} (ms-swift) placeholders"),
      format: datasetFormat.default("alpaca"),
      samples: positiveInt.optional(),
    })
    .optional()
    .describe("teach the adapter who it is: placeholders are filled in the pod, then the rows are trained on"),
  queue: kueueName.optional().describe("Kueue LocalQueue in the workloads namespace; Kueue admits the Job when quota allows"),
  priority: kueueName.optional().describe("Kueue WorkloadPriorityClass (needs queue)"),
  spot: z.boolean().optional().describe("true: spot nodes only; false: on-demand only; absent: whatever the pool offers (Karpenter pools)"),
  smokePrompts: z
    .array(z.string().trim().min(1, "must not be empty").max(4000, "must be at most 4000 characters"))
    .max(MAX_SMOKE_PROMPTS, `must list at most ${MAX_SMOKE_PROMPTS} prompts (each one is a generation after training)`)
    .optional()
    .describe("prompts the train step answers with the new adapter (greedy); the outputs go into manifest.json"),
}).superRefine(followUpRules);

// ---------------------------------------------------------------- serving

/** One gateway API-key client (Envoy Gateway apiKeyAuth: a Secret's key is the client id, its value the API key). */
const gatewayClient = z.strictObject({
  name: resourceName.describe("client id: the key inside `secret` holding its API key; forwarded to the engine as x-llmkit-client"),
  secret: z
    .string({ error: "must be the name of a Secret whose key named like the client holds its API key (Envoy Gateway apiKeyAuth reads one key per client id)" })
    .regex(DNS_LABEL, "must be a Secret name: lower-case letters, digits and '-'")
    .describe("Secret in the workloads namespace; rotate a key by editing the Secret (no engine restart)"),
});

const authSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("api-key"),
    secret: k8sSecretRef
      .optional()
      .describe("engine key (vLLM --api-key) of a cluster-internal service; generated as a Pulumi secret when absent"),
    clients: z.array(gatewayClient).min(1).optional().describe("exposed services: the clients the gateway admits, one API key each"),
  }),
  z.strictObject({
    type: z.literal("jwt"),
    // OIDC Discovery 1.0 §3: the issuer is an https URL; a plain-http one means tokens and keys in clear text
    issuer: z.url({ protocol: /^https$/, error: "must be an https:// URL equal to the tokens' iss claim (OIDC issuers use https)" }).describe("OIDC issuer; must equal the tokens' iss claim"),
    audiences: z.array(z.string().min(1)).min(1).describe("accepted aud values"),
    jwksUri: z.url({ protocol: /^https$/, error: "must be an https:// URL of the issuer's JWKS" }).describe("the issuer's jwks_uri"),
    claims: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          values: z.array(z.string().min(1)).min(1),
          valueType: z
            .enum(["String", "StringArray"])
            .optional()
            .describe("how the token holds the claim: StringArray for a list (default for groups and roles claims), else String"),
        }),
      )
      .min(1)
      .optional()
      .describe("admit only tokens whose claims have one of the values (every listed claim must match)"),
  }),
  z.strictObject({ type: z.literal("none") }),
]);

/** Public endpoint through an Envoy Gateway Gateway (components/serving/gateway.ts). */
const exposureSchema = z.strictObject({
  hostname: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, "must be a DNS name such as chat.example.com")
    .describe("the listener's and route's hostname"),
  tls: z
    .strictObject({ secretName: resourceName.describe("kubernetes.io/tls Secret in the workloads namespace") })
    .optional()
    .describe("HTTPS listener terminating TLS with this certificate; required in prod (plain HTTP otherwise)"),
  rateLimit: z
    .strictObject({ requests: positiveInt, unit: z.enum(["Second", "Minute", "Hour", "Day"]) })
    .optional()
    .describe("local rate limit: per client (api-key) or per route (jwt), per Envoy replica"),
  requestTimeoutSeconds: positiveInt.optional().describe("whole-request budget at the gateway; default 300"),
});

/** `<repo>@sha256:<digest>` or `<repo>:<tag>` with a version-like tag (a digit in it, not "latest"). */
function imagePinProblem(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : undefined;
  if (tag === undefined) return `"${image}" has no tag: pin it by digest (<repo>@sha256:<digest>) or an exact version tag`;
  if (tag === "latest" || !/\d/.test(tag)) return `"${image}" uses the floating tag "${tag}": pin a digest or an exact version tag such as 1.4.2`;
  return undefined;
}
const httpPath = z.string().regex(/^\/[\w./-]*$/, 'must be an HTTP path starting with "/", e.g. /health');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name (letters, digits, _)");

/** Names that announce a credential, and values shaped like well-known ones (OpenAI, Hugging Face, AWS, GitHub, Slack, PEM). */
const CREDENTIAL_NAME = /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)(_|$)/i;
const CREDENTIAL_VALUE = /^(sk-|hf_|gh[pousr]_|xox[abprs]-)|AKIA[0-9A-Z]{16}|-----BEGIN /;
/**
 * A container environment: plain values, or `{secretKeyRef: {name, key}}` rendered as `valueFrom`.
 * Stack files are committed, so a credential as a plain value is refused (DESIGN.md §4).
 */
const envSchema = z
  .record(envName, z.union([z.string(), z.strictObject({ secretKeyRef: k8sSecretRef })]))
  .superRefine((env, ctx) => {
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== "string") continue;
      const why = CREDENTIAL_NAME.test(name) ? "its name says it is a credential" : CREDENTIAL_VALUE.test(value) ? "its value looks like a credential" : undefined;
      if (why !== undefined) {
        ctx.addIssue({ code: "custom", path: [name], message: `is a plain value but ${why}: put it in a Secret and write ${name}: {secretKeyRef: {name: <secret>, key: <key>}}` });
      }
    }
  });

/** Any HTTP server image (e.g. a FastAPI reranker): same HA wrapper, NetworkPolicy and auth as vLLM. */
const customRuntime = z.strictObject({
  type: z.literal("custom"),
  image: z.string().superRefine((image, ctx) => {
    const problem = imagePinProblem(image);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  }),
  port: z.number().int().min(1, "must be a TCP port from 1 to 65535").max(65535, "must be a TCP port from 1 to 65535").describe("container port the server listens on"),
  healthPath: httpPath.describe("GET path answering 200 when the server is ready"),
  metricsPath: httpPath.optional().describe("Prometheus metrics path; no ServiceMonitor when absent"),
  args: z.array(z.string()).optional().describe("container args (the image's entrypoint is kept)"),
  env: envSchema.optional().describe("environment variables: plain values, or {secretKeyRef: {name, key}} for anything secret"),
  apiKeyEnv: envName.optional().describe("auth api-key: the variable that receives the key for the app to check"),
});

/**
 * KEDA autoscaling between replicas.min and replicas.max. vllm scales on its queue and KV cache
 * (names from components/serving/metrics.ts); custom on its own PromQL query or on CPU.
 */
const autoscalingSchema = z.strictObject({
  queueDepth: positiveInt.optional().describe("vllm: waiting requests per replica that trigger a scale-out (default 4)"),
  kvCacheUsage: z.number().gt(0).max(1).optional().describe("vllm: average KV-cache usage (0–1) that triggers a scale-out (default 0.8)"),
  metric: z
    .strictObject({
      query: z.string().min(1).describe("PromQL returning one value for the whole service"),
      threshold: z.number().positive().describe("value per replica: replicas = ceil(query / threshold)"),
    })
    .optional()
    .describe("custom: scale on this Prometheus query"),
  cpuUtilization: z.number().int().min(1).max(100).optional().describe("custom: target CPU use in % of the request"),
});

const servingFields = z.strictObject({
  name: resourceName,
  runtime: z
    .union([z.literal("vllm"), customRuntime])
    .default("vllm")
    .describe('"vllm" (the base model and adapters below) or {type: custom, image, port, healthPath, …}'),
  baseModel: resourceName.optional().describe("vllm: a name from llmkit:models (required); custom: not used"),
  adapters: z.array(resourceName).default([]).describe("adapter names pinned in llmkit:release"),
  replicas: z
    .strictObject({ min: z.number().int().min(0), max: positiveInt })
    .prefault({ min: 2, max: 2 }),
  pool: resourceName,
  gpus: z.number().int().min(0).default(1),
  engine: z
    .strictObject({
      maxModelLen: positiveInt.optional(),
      gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
      maxLoras: positiveInt.optional(),
      maxCpuLoras: positiveInt.optional(),
      device: z.enum(["gpu", "cpu"]).optional().describe("cpu runs vLLM's CPU backend (local clusters only)"),
    })
    .optional(),
  resources: z.strictObject({ cpu: z.number().positive(), memoryGiB: positiveInt }).optional(),
  auth: authSchema.prefault({ type: "api-key" }),
  exposure: exposureSchema.optional().describe("public endpoint at the gateway; cluster-internal only when absent"),
  autoscaling: autoscalingSchema.optional().describe("KEDA autoscaling; replicas stay at replicas.min when absent"),
});

export const servingSchema = servingFields.superRefine(runtimeRules);

type ServingInput = z.output<typeof servingFields>;

/** Which fields each runtime takes; every problem names its path within the service. */
function runtimeRules(s: ServingInput, ctx: z.RefinementCtx): void {
  const add = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
  const a = s.autoscaling;
  if (s.runtime === "vllm") {
    if (s.baseModel === undefined) add(["baseModel"], "is required for runtime vllm: name a model from llmkit:models");
    if (a?.metric !== undefined) add(["autoscaling", "metric"], "applies to custom runtimes: vllm scales on queueDepth and kvCacheUsage");
    if (a?.cpuUtilization !== undefined) add(["autoscaling", "cpuUtilization"], "applies to custom runtimes: vllm scales on queueDepth and kvCacheUsage");
  } else {
    if (s.baseModel !== undefined) add(["baseModel"], "applies to runtime vllm only: a custom image brings its own model, remove it");
    if (s.adapters.length > 0) add(["adapters"], "applies to runtime vllm only: remove them");
    if (s.engine !== undefined) add(["engine"], "applies to runtime vllm only: pass settings through runtime.args or runtime.env");
    if (s.resources === undefined) add(["resources"], "is required for a custom runtime: set the cpu and memoryGiB the image needs");
    if (a?.queueDepth !== undefined) add(["autoscaling", "queueDepth"], "applies to runtime vllm only: use autoscaling.metric or cpuUtilization");
    if (a?.kvCacheUsage !== undefined) add(["autoscaling", "kvCacheUsage"], "applies to runtime vllm only: use autoscaling.metric or cpuUtilization");
    if (a !== undefined && a.metric === undefined && a.cpuUtilization === undefined) {
      add(["autoscaling"], "needs metric {query, threshold} or cpuUtilization for a custom runtime");
    }
    if (s.runtime.apiKeyEnv !== undefined && s.auth.type !== "api-key") add(["runtime", "apiKeyEnv"], `needs auth type api-key (auth is "${s.auth.type}"): remove it or use api-key`);
    // the app reads its key only through apiKeyEnv: api-key auth without it would leave it open
    if (s.runtime.apiKeyEnv === undefined && s.auth.type === "api-key") {
      add(["runtime", "apiKeyEnv"], 'is required with auth type api-key: name the environment variable the app reads its key from, or set auth: {type: "none"}');
    }
    // the gateway (components/serving/gateway.ts) fronts vLLM services only so far
    if (s.exposure !== undefined) add(["exposure"], "is not supported for custom runtimes yet: callers reach the app in-cluster with the llmkit.dev/gateway label");
    if (s.auth.type === "jwt") add(["auth"], "jwt is verified at the gateway, which custom runtimes do not use yet: use api-key with runtime.apiKeyEnv, or none");
    if (s.auth.type === "api-key" && s.auth.clients !== undefined) add(["auth", "clients"], "are gateway keys, which custom runtimes do not use yet: remove them (use auth.secret with runtime.apiKeyEnv)");
  }
  if (s.replicas.min === 0 && a === undefined) {
    add(["replicas", "min"], "is 0 without autoscaling, so the service would never run: add autoscaling or set min ≥ 1");
  }
}

// ---------------------------------------------------------------- release

/** A run id is the first 12 hex characters of the sha256 of a fine-tune's effective spec. */
export const RUN_ID = /^[0-9a-f]{12}$/;
export const releaseSchema = z.strictObject({
  adapters: z
    .record(
      resourceName,
      z.strictObject({
        runId: quotedString().regex(RUN_ID, "must be a 12-character run id as printed by render/up"),
        baseModel: resourceName.describe("the base the adapter was trained on"),
        rank: positiveInt
          .optional()
          .describe("LoRA rank, sizes vLLM's --max-lora-rank; taken from the fine-tune when it is in this stack, else 16"),
      }),
    )
    .default({}),
});

// ---------------------------------------------------------------- the stack

const stackConfigObject = z.strictObject({
    layer: z.enum(["platform", "workloads", "all"]),
    env: z.enum(["local", "dev", "staging", "prod"]),
    platform: platformSchema.optional().describe("required for layers platform and all"),
    platformStack: z
      .string()
      .regex(/^[\w.-]+$/, "must be a stack name of this project, e.g. platform-dev")
      .optional()
      .describe("layer workloads: the stack in stacks/ whose outputs it consumes"),
    models: z.array(modelSchema).default([]),
    datasets: z.array(hubDatasetSchema).default([]).describe("hub datasets mirrored into the store once, for fine-tunes to use"),
    fineTunes: z.array(fineTuneSchema).default([]),
    serving: z.array(servingSchema).default([]),
    release: releaseSchema.prefault({}),
});

/** The config as parsed, before `{dataset, file}` references become store keys: what the rules check. */
export type ParsedStackConfig = z.output<typeof stackConfigObject>;

/**
 * Every fine-tune dataset ends up as a store key: `{dataset, file}` becomes
 * `datasets/<repo>/<revision>/<file>` of the mirrored catalog entry, with `mirror` (that entry's
 * prefix, whose `_SUCCESS` the pod waits for), so components and run ids see one shape. Runs only
 * on a config the rules accepted (zod skips transforms after issues).
 */
function resolveDatasetRefs(cfg: ParsedStackConfig) {
  const catalog = new Map(cfg.datasets.map((d) => [d.name, d]));
  const resolve = ({ path, dataset, file, ...rest }: ParsedStackConfig["fineTunes"][number]["datasets"][number]) => {
    if (path !== undefined) return { ...rest, path };
    const hub = dataset === undefined ? undefined : catalog.get(dataset);
    if (hub === undefined || file === undefined) throw new Error(`dataset reference "${dataset}" survived validation unresolved`);
    const mirror = hubDatasetPrefix(hub.repo, hub.revision);
    return { ...rest, path: `${mirror}${file}`, mirror };
  };
  return { ...cfg, fineTunes: cfg.fineTunes.map((f) => ({ ...f, datasets: f.datasets.map(resolve) })) };
}

export const stackConfigSchema = stackConfigObject.superRefine(crossFieldRules).transform(resolveDatasetRefs);

export type StackConfig = z.output<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type PlatformConfig = z.output<typeof platformSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
/** A fine-tune with every dataset resolved to a store key (see resolveDatasetRefs). */
export type FineTuneConfig = StackConfig["fineTunes"][number];
export type HubDatasetConfig = z.output<typeof hubDatasetSchema>;
export type ServingConfig = z.output<typeof servingSchema>;
export type ReleaseConfig = z.output<typeof releaseSchema>;

/** The keys under the `llmkit:` namespace of a stack file. */
export const CONFIG_KEYS = Object.keys(stackConfigObject.shape) as (keyof StackConfig)[];
