/**
 * The serving area's input: one service (vLLM with adapters, or a custom HTTP image) with its
 * replicas, auth, exposure and autoscaling. Exported for users' own programs; the kit's stack
 * schema composes it as llmkit:serving.
 */
import { z } from "zod";
import { DNS_LABEL } from "../lib/naming.ts";
import { extraArgsSchema } from "../lib/extra-args.ts";
import { imageOverrideSchema, imagePinProblem, k8sSecretRef, positiveInt, resourceName } from "../lib/inputs.ts";
import { vllmExtraArgProblems } from "./vllm-extra-args.ts";

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

const httpPath = z.string().regex(/^\/[\w./-]*$/, 'must be an HTTP path starting with "/", e.g. /health');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name (letters, digits, _)");

/** Names that announce a credential, and values shaped like well-known ones (OpenAI, Hugging Face, AWS, GitHub, Slack, PEM). */
const CREDENTIAL_NAME = /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)(_|$)/i;
const CREDENTIAL_VALUE = /^(sk-|hf_|gh[pousr]_|xox[abprs]-)|AKIA[0-9A-Z]{16}|-----BEGIN /;
/**
 * A container environment: plain values, or `{secretKeyRef: {name, key}}` rendered as `valueFrom`.
 * Stack files are committed, so a credential as a plain value is refused (docs/architecture.md §4).
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
      extraArgs: extraArgsSchema
        .superRefine((args, ctx) => {
          for (const p of vllmExtraArgProblems(args)) ctx.addIssue({ code: "custom", path: [p.name], message: p.message });
        })
        .optional()
        .describe("further `vllm serve` flags without the leading --, e.g. {max-num-seqs: 64, enable-prefix-caching: true}; checked against the pinned vLLM's flags (components/serving/vllm-flags.json)"),
    })
    .optional(),
  image: imageOverrideSchema
    .optional()
    .describe("vllm: serve with this image (a mirror or patched build of the pinned vLLM release) instead of the pinned one"),
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
    if (s.image !== undefined) add(["image"], "applies to runtime vllm only: a custom runtime names its image in runtime.image");
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

export type ServingConfig = z.output<typeof servingSchema>;
