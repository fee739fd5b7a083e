/**
 * The platform layer's input: where the cluster, store and pools come from (local, existing, aws).
 * Exported for users' own programs; the kit's stack schema composes it as llmkit:platform.
 */
import { z } from "zod";
import { GPU_NAMES } from "../../planner/gpus.ts";
import { positiveInt, quotedString, resourceName } from "../lib/inputs.ts";

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

export type PlatformConfig = z.output<typeof platformSchema>;
