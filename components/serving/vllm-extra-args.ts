/**
 * `serving[].engine.extraArgs`: further `vllm serve` flags, written without their leading `--`
 * (`max-num-seqs: 64`, `enable-prefix-caching: true`). Names come from ./vllm-flags.json, the
 * pinned vLLM 0.21.0's flags (test/contract-lists.ts); a value of `true` is the bare flag, `false`
 * its `--no-` form, a list several words, an object one JSON string (--compilation-config …).
 */
import { cliWords, extraArgProblems, type ExtraArgRules, type ExtraArgs } from "../lib/extra-args.ts";
import vllmFlags from "./vllm-flags.json" with { type: "json" };

const FLAGS = new Set(vllmFlags.flags.map((f) => f.slice(2)));
const NEGATED = new Set(vllmFlags.negatedFlags.map((f) => f.slice(2)));
const ALIASES: Record<string, string> = vllmFlags.shortAliases;

/** Flags ./engine-args.ts renders, and flags that would break what the kit builds around the server. */
const KIT_SETS: Record<string, string> = {
  model: "the model is the positional argument, the mirrored weights of baseModel (llmkit:models)",
  "served-model-name": "clients name the base model by its `name` in llmkit:models and adapters by theirs",
  port: "vLLM listens on 8000, where the Service, probes, NetworkPolicy and gateway point",
  host: "vLLM listens on every interface, where the Service and the kubelet's probes reach it",
  uds: "vLLM listens on TCP port 8000, where the Service and the kubelet's probes reach it",
  headless: "the Service needs vLLM's API server, which --headless does not start",
  "max-model-len": "use engine.maxModelLen",
  "gpu-memory-utilization": "use engine.gpuMemoryUtilization",
  "tensor-parallel-size": "it is `gpus`: every GPU of a replica is one tensor-parallel rank",
  "pipeline-parallel-size": "a replica splits its `gpus` GPUs by tensor parallelism only: set gpus, and scale out with replicas",
  "data-parallel-size": "a replica splits its `gpus` GPUs by tensor parallelism only: set gpus, and scale out with replicas",
  "enable-lora": "it follows adapters (the adapters pinned in llmkit:release)",
  "lora-modules": "use adapters (the adapters pinned in llmkit:release)",
  "max-loras": "use engine.maxLoras",
  "max-cpu-loras": "use engine.maxCpuLoras",
  "max-lora-rank": "it is the largest rank among the served adapters (llmkit:release.adapters.<name>.rank)",
  "shutdown-timeout": "it is the drain budget the pod's terminationGracePeriodSeconds is sized for (components/serving/defaults.ts)",
  "api-key": "the engine key comes from a Secret through VLLM_API_KEY, never the command line: use auth.secret",
  revision: "the weights are the mirrored revision of the model in llmkit:models: set revision there",
  config: "a YAML file of flags would bypass these checks: list the flags in engine.extraArgs",
  // vllm/v1/engine/async_llm.py from_engine_args: log_stats = not disable_log_stats, and the stat
  // loggers (the Prometheus one included) exist only with log_stats
  "disable-log-stats": "it turns off vLLM's Prometheus metrics, which autoscaling (KEDA), the alerts and the dashboards read",
};

const TLS = "TLS ends at the gateway (exposure.tls); probes and the gateway speak plain HTTP to the pod";
const REFUSED: Record<string, string> = {
  // the kit loads models without their repository's Python code (training sets trust_remote_code: false too)
  "trust-remote-code": "it runs Python code shipped with the model repository inside the server; llmkit serves and trains models without it",
  // file:// media URLs in requests would read the container's files under this path
  "allowed-local-media-path": "it lets any request read files from the container under that path (file:// media URLs)",
  "ssl-keyfile": TLS,
  "ssl-certfile": TLS,
  "ssl-ca-certs": TLS,
  "ssl-cert-reqs": TLS,
  "ssl-ciphers": TLS,
  "enable-ssl-refresh": TLS,
};

/**
 * CORS lists vLLM parses as one JSON word (vllm/entrypoints/openai/cli_args.py FrontendArgs
 * _customize_cli_kwargs: `type = json.loads`, nargs removed): written as lists, passed as JSON.
 */
const JSON_LISTS = new Set(["allowed-origins", "allowed-methods", "allowed-headers"]);

export const VLLM_EXTRA_ARG_RULES: ExtraArgRules = {
  what: "vLLM 0.21.0 `vllm serve` flag",
  listFile: "components/serving/vllm-flags.json",
  accepted: new Set([...FLAGS, ...NEGATED]),
  kitSets: KIT_SETS,
  refused: REFUSED,
  respell(name) {
    if (name.startsWith("-")) {
      const long = ALIASES[name]?.slice(2) ?? name.replace(/^-+/, "");
      return long === name ? undefined : long;
    }
    const hyphens = name.replaceAll("_", "-");
    return hyphens !== name && (FLAGS.has(hyphens) || NEGATED.has(hyphens)) ? hyphens : undefined;
  },
  base: (name) => (NEGATED.has(name) ? name.slice(3) : name),
  valueProblem(name, value, all) {
    if (JSON_LISTS.has(name) && !Array.isArray(value)) return `must be a list of strings (vLLM reads it as one JSON list)`;
    if (value === false && NEGATED.has(name)) return `is false: remove it, or set ${name.slice(3)}: true`;
    if (value === false && !NEGATED.has(`no-${name}`)) return `is false, but --${name} has no --no-${name} form: remove it (the flag is off unless given)`;
    // Starlette's CORSMiddleware answers a credentialed request with the caller's own Origin when
    // the origins are "*" (vLLM's default --allowed-origins), so any web page could use a browser's cookies
    if (name === "allow-credentials" && value === true && wildcardOrigins(all["allowed-origins"])) {
      return 'is true while the allowed origins are "*" (vLLM\'s default): any web page could send credentialed requests; list the origins in allowed-origins, or remove it';
    }
    return undefined;
  },
};

/** Whether the origins (absent: vLLM's default ["*"]) admit any. */
function wildcardOrigins(origins: ExtraArgs[string] | undefined): boolean {
  return origins === undefined || (Array.isArray(origins) && origins.includes("*"));
}

export function vllmExtraArgProblems(args: ExtraArgs) {
  return extraArgProblems(args, VLLM_EXTRA_ARG_RULES);
}

/** The flags, in the order written: `true` → `--x`, `false` → `--no-x`, a CORS list one JSON word, else `--x value…`. */
export function renderVllmExtraArgs(args: ExtraArgs | undefined): string[] {
  return Object.entries(args ?? {}).flatMap(([name, value]) => {
    if (value === true) return [`--${name}`];
    if (value === false) return [`--no-${name}`];
    if (JSON_LISTS.has(name)) return [`--${name}`, JSON.stringify(value)];
    return cliWords(`--${name}`, value);
  });
}
