/**
 * The stack configuration: one zod schema, the single source of truth for the program, the CLIs,
 * the tests and the generated docs (DESIGN.md §4). Objects are strict, so a typo fails. Shapes
 * live here; cross-field rules live in ./rules.ts; technical defaults live in the components.
 * Environment policy (prod needs replicas, auth and retained storage) is enforced in ./rules.ts.
 */
import { z } from "zod";
import { DNS_LABEL } from "../components/lib/naming.ts";
import { GPU_NAMES } from "../planner/gpus.ts";
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
export const modelSchema = z
  .strictObject({
    name: resourceName.describe("how fine-tunes and services refer to this model"),
    hub: z.enum(["huggingface", "modelscope"]).default("huggingface"),
    repo: z.string().regex(/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/, 'must be "<owner>/<name>" as on the hub'),
    revision: z.string().min(1).describe("pinned commit (40-hex on Hugging Face) or tag; never a branch"),
    sizeGiB: z.number().positive().describe("size of the weights on disk; sizes volumes and startup budgets"),
    tokenSecret: k8sSecretRef.optional().describe("hub token for gated models"),
  })
  .superRefine((m, ctx) => {
    const branch = ["main", "master", "HEAD"].includes(m.revision);
    if (branch || (m.hub === "huggingface" && !hfRevision.test(m.revision))) {
      ctx.addIssue({
        code: "custom",
        path: ["revision"],
        message: `"${m.revision}" is not a pinned revision: use the 40-character commit sha from the hub's history`,
      });
    }
  });

// ---------------------------------------------------------------- fine-tunes

const datasetSchema = z.strictObject({
  path: z
    .string()
    .regex(/^datasets\/[\w.\/-]+$/, 'must be a key under the store\'s "datasets/" prefix, e.g. datasets/support/train.jsonl'),
  format: z.enum(["alpaca", "sharegpt", "openai", "query-response"]),
  purpose: z.enum(["domain", "general"]).default("domain"),
  samples: positiveInt.optional().describe("rows to draw; all rows when absent"),
});

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
});

// ---------------------------------------------------------------- serving

const authSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("api-key"),
    secret: k8sSecretRef.optional().describe("existing Secret with the key; generated as a Pulumi secret when absent"),
  }),
  z.strictObject({ type: z.literal("none") }),
]);

export const servingSchema = z.strictObject({
  name: resourceName,
  runtime: z.literal("vllm").default("vllm"),
  baseModel: resourceName.describe("a name from llmkit:models"),
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
});

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

export const stackConfigSchema = z
  .strictObject({
    layer: z.enum(["platform", "workloads", "all"]),
    env: z.enum(["local", "dev", "staging", "prod"]),
    platform: platformSchema.optional().describe("required for layers platform and all"),
    platformStack: z
      .string()
      .regex(/^[\w.-]+$/, "must be a stack name of this project, e.g. platform-dev")
      .optional()
      .describe("layer workloads: the stack in stacks/ whose outputs it consumes"),
    models: z.array(modelSchema).default([]),
    fineTunes: z.array(fineTuneSchema).default([]),
    serving: z.array(servingSchema).default([]),
    release: releaseSchema.prefault({}),
  })
  .superRefine(crossFieldRules);

export type StackConfig = z.output<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type PlatformConfig = z.output<typeof platformSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type FineTuneConfig = z.output<typeof fineTuneSchema>;
export type ServingConfig = z.output<typeof servingSchema>;
export type ReleaseConfig = z.output<typeof releaseSchema>;

/** The keys under the `llmkit:` namespace of a stack file. */
export const CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[];
