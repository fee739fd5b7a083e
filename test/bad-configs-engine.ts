/**
 * Bad engine overrides (see bad-configs.ts): `engine.extraArgs` / `extraArgs` checked against the
 * pinned engines' shipped lists, and `image` overrides of the pinned engine images.
 */
import { change, local, workloadsDev, type BadCase } from "./stack-edits.ts";

const CREDENTIAL =
  "is a credential: a value here would be committed with the stack file and written into the pod spec; llmkit passes credentials only from Kubernetes Secrets, and this one is not needed by a run";
const MIRROR = "registry.example.com/mirror/vllm-openai";

export const ENGINE_CASES: BadCase[] = [
  ["vLLM extra flags: typos, spellings, aliases and names vLLM does not have", change(workloadsDev(), (r) => (r.serving[0].engine.extraArgs = {
    "max-num-seq": 64,
    "--enable-prefix-caching": true,
    max_num_batched_tokens: 8192,
    "-q": "fp8",
    "swap-space": 4,
    "enable-chunked-prefil": true,
  })), [
    'llmkit:serving[0].engine.extraArgs.max-num-seq: is not a vLLM 0.21.0 `vllm serve` flag: did you mean "max-num-seqs"?',
    'llmkit:serving[0].engine.extraArgs.--enable-prefix-caching: write it as "enable-prefix-caching"',
    'llmkit:serving[0].engine.extraArgs.max_num_batched_tokens: write it as "max-num-batched-tokens"',
    'llmkit:serving[0].engine.extraArgs.-q: write it as "quantization"',
    // removed after vLLM 0.7 (the CPU swap space went with the V0 engine)
    "llmkit:serving[0].engine.extraArgs.swap-space: is not a vLLM 0.21.0 `vllm serve` flag (the accepted names are in components/serving/vllm-flags.json)",
    'llmkit:serving[0].engine.extraArgs.enable-chunked-prefil: is not a vLLM 0.21.0 `vllm serve` flag: did you mean "enable-chunked-prefill"?',
  ]],
  ["vLLM extra flags the kit sets itself", change(workloadsDev(), (r) => (r.serving[0].engine.extraArgs = {
    "max-model-len": 4096,
    "tensor-parallel-size": 2,
    "no-enable-lora": true,
    "lora-modules": ["a=/x"],
    port: 9000,
    "served-model-name": "x",
    "disable-log-stats": true,
  })), [
    "llmkit:serving[0].engine.extraArgs.max-model-len: is set by llmkit: use engine.maxModelLen",
    "llmkit:serving[0].engine.extraArgs.tensor-parallel-size: is set by llmkit: it is `gpus`: every GPU of a replica is one tensor-parallel rank",
    "llmkit:serving[0].engine.extraArgs.no-enable-lora: is set by llmkit: it follows adapters (the adapters pinned in llmkit:release)",
    "llmkit:serving[0].engine.extraArgs.lora-modules: is set by llmkit: use adapters (the adapters pinned in llmkit:release)",
    "llmkit:serving[0].engine.extraArgs.port: is set by llmkit: vLLM listens on 8000, where the Service, probes, NetworkPolicy and gateway point",
    "llmkit:serving[0].engine.extraArgs.served-model-name: is set by llmkit: clients name the base model by its `name` in llmkit:models and adapters by theirs",
    "llmkit:serving[0].engine.extraArgs.disable-log-stats: is set by llmkit: it turns off vLLM's Prometheus metrics, which autoscaling (KEDA), the alerts and the dashboards read",
  ]],
  ["vLLM extra flags refused for safety, and booleans vLLM cannot take", change(workloadsDev(), (r) => (r.serving[0].engine.extraArgs = {
    "api-key": "sk-live-abc",
    "hf-token": "hf_abc",
    "trust-remote-code": true,
    "allowed-local-media-path": "/",
    "ssl-certfile": "/tls/tls.crt",
    "allow-credentials": true,
    "allowed-headers": "*",
    "aggregate-engine-logging": false,
    "no-enable-prefix-caching": false,
  })), [
    "llmkit:serving[0].engine.extraArgs.api-key: is set by llmkit: the engine key comes from a Secret through VLLM_API_KEY, never the command line: use auth.secret",
    `llmkit:serving[0].engine.extraArgs.hf-token: ${CREDENTIAL}`,
    "llmkit:serving[0].engine.extraArgs.trust-remote-code: is refused: it runs Python code shipped with the model repository inside the server; llmkit serves and trains models without it",
    "llmkit:serving[0].engine.extraArgs.allowed-local-media-path: is refused: it lets any request read files from the container under that path (file:// media URLs)",
    "llmkit:serving[0].engine.extraArgs.ssl-certfile: is refused: TLS ends at the gateway (exposure.tls); probes and the gateway speak plain HTTP to the pod",
    'llmkit:serving[0].engine.extraArgs.allow-credentials: is true while the allowed origins are "*" (vLLM\'s default): any web page could send credentialed requests; list the origins in allowed-origins, or remove it',
    'llmkit:serving[0].engine.extraArgs.allowed-headers: must be a list of strings (vLLM reads it as one JSON list)',
    "llmkit:serving[0].engine.extraArgs.aggregate-engine-logging: is false, but --aggregate-engine-logging has no --no-aggregate-engine-logging form: remove it (the flag is off unless given)",
    "llmkit:serving[0].engine.extraArgs.no-enable-prefix-caching: is false: remove it, or set enable-prefix-caching: true",
  ]],
  ["LLaMA-Factory extra keys: typos, keys 0.9.5 lacks, keys of one transformers major, kit keys, refused keys", change(local(), (r) => (r.fineTunes[0].extraArgs = {
    neftune_noise_alpha: 5,
    lora_rnak: 8,
    use_megatron_bridge: true,
    group_by_length: true,
    lora_rank: 8,
    learning_rate: 0.0001,
    output_dir: "/tmp/out",
    hub_token: "hf_abc",
    push_to_hub: true,
    trust_remote_code: true,
  })), [
    'llmkit:fineTunes[0].extraArgs.lora_rnak: is not a LLaMA-Factory 0.9.5 training key: did you mean "lora_rank"?',
    // added after v0.9.5 (hiyouga/LLaMA-Factory main, megatron_bridge_args.py)
    "llmkit:fineTunes[0].extraArgs.use_megatron_bridge: is not a LLaMA-Factory 0.9.5 training key (the accepted names are in components/training/llamafactory-keys.json)",
    // a transformers 4.x TrainingArguments field that 5.x dropped
    "llmkit:fineTunes[0].extraArgs.group_by_length: is not a LLaMA-Factory 0.9.5 training key (the accepted names are in components/training/llamafactory-keys.json)",
    "llmkit:fineTunes[0].extraArgs.lora_rank: is set by llmkit: use lora.rank",
    "llmkit:fineTunes[0].extraArgs.learning_rate: is set by llmkit: use training.learningRate",
    "llmkit:fineTunes[0].extraArgs.output_dir: is set by llmkit: fixed by llmkit: the Job writes its checkpoints there, syncs them to the store and resumes from them",
    `llmkit:fineTunes[0].extraArgs.hub_token: ${CREDENTIAL}`,
    "llmkit:fineTunes[0].extraArgs.push_to_hub: is refused: the adapter is published to the store under its run id, and promoted from there; pushing to a hub needs a token the Job does not have",
    "llmkit:fineTunes[0].extraArgs.trust_remote_code: is refused: it runs Python code shipped with the model repository in the training pod; llmkit trains and serves models without it",
  ]],
  ["ms-swift extra flags: spellings, kit flags, credentials, LLaMA-Factory keys", change(workloadsDev(), (r) => (r.fineTunes[1].extraArgs = {
    "--neftune_noise_alpha": 5,
    target_modules: ["q_proj"],
    beta: 0.2,
    swanlab_token: "abc",
    cutoff_len: 1024,
    max_steps: 100,
  })), [
    'llmkit:fineTunes[1].extraArgs.--neftune_noise_alpha: write it as "neftune_noise_alpha"',
    "llmkit:fineTunes[1].extraArgs.target_modules: is set by llmkit: use lora.targets",
    "llmkit:fineTunes[1].extraArgs.beta: is set by llmkit: use preference.beta",
    `llmkit:fineTunes[1].extraArgs.swanlab_token: ${CREDENTIAL}`,
    "llmkit:fineTunes[1].extraArgs.cutoff_len: is not a ms-swift 4.5 `swift sft` argument (the accepted names are in components/training/ms-swift-keys.json)",
  ]],
  ["extra arguments of the wrong shape, and engine given as an object", change(local(), (r) => {
    r.fineTunes[0].engine = { name: "llamafactory", extraArgs: { neftune_noise_alpha: 5 } };
    r.serving[0].engine.extraArgs = { "max-num-seqs": null, "": 1 };
  }), [
    'llmkit:fineTunes[0].engine: must be "llamafactory" or "ms-swift" (the engine\'s own arguments go in extraArgs, its image in image)',
    "llmkit:serving[0].engine.extraArgs.max-num-seqs: must be a string, number, boolean, a list of strings or numbers, or an object (passed as one JSON string)",
    'llmkit:serving[0].engine.extraArgs[""]: key string "" must be at least 1 characters',

  ]],
  ["image overrides: a tag in the repository, latest, a word tag, a short digest, on a custom runtime", change(workloadsDev(), (r) => {
    r.fineTunes[0].image = { repository: "registry.example.com/mirror/llamafactory:0.9.5", tag: "latest" };
    r.fineTunes[1].image = { repository: "registry.example.com/mirror/modelscope", tag: "stable", digest: "sha256:abc" };
    r.serving[0].image = { ref: `${MIRROR}:v0.21.0` };
    r.serving.push({
      name: "reranker",
      runtime: { type: "custom", image: "ghcr.io/acme/reranker:1.4.2", port: 8080, healthPath: "/healthz", apiKeyEnv: "RERANKER_API_KEY" },
      image: { repository: MIRROR, tag: "v0.21.0" },
      replicas: { min: 1, max: 1 },
      pool: "serving-l4",
      resources: { cpu: 4, memoryGiB: 16 },
    });
  }), [
    "llmkit:fineTunes[0].image.repository: must be an image repository without tag or digest, e.g. registry.example.com/mirror/vllm-openai (tag and digest are keys of their own)",
    'llmkit:fineTunes[0].image.tag: "latest" moves with every push: pin the exact tag the image was built as, e.g. v0.21.0',
    "llmkit:fineTunes[1].image.tag: must be a version tag (with a digit), e.g. v0.21.0-patched.1: a tag like this one moves with every push",
    "llmkit:fineTunes[1].image.digest: must be sha256:<64 lower-case hex digits>, as `docker buildx imagetools inspect <repository>:<tag>` prints it",
    "llmkit:serving[0].image.repository: is required: add a string value",
    "llmkit:serving[0].image.tag: is required: add a string value",
    'llmkit:serving[0].image: unknown key "ref" (allowed: repository, tag, digest): remove it',
    "llmkit:serving[1].image: applies to runtime vllm only: a custom runtime names its image in runtime.image",
  ]],
];
