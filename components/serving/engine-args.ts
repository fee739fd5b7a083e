/**
 * The `vllm serve` arguments. The image's ENTRYPOINT is ["vllm", "serve"] (docker/Dockerfile and
 * docker/Dockerfile.cpu, stage vllm-openai), so args start with the positional model path.
 * Every flag exists in the pinned vLLM (checked against its flag list in contracts.test.ts):
 * - vllm/engine/arg_utils.py (EngineArgs.add_cli_args): --served-model-name, --max-model-len,
 *   --gpu-memory-utilization, --tensor-parallel-size, --enable-lora, --max-loras,
 *   --max-lora-rank, --max-cpu-loras, --shutdown-timeout ("Shutdown timeout in seconds.
 *   0 = abort, >0 = wait", default 0: without it SIGTERM aborts in-flight requests).
 * - vllm/entrypoints/openai/cli_args.py (FrontendArgs): --port, --lora-modules
 *   (LoRAParserAction, nargs='+': JSON items {"name", "path", "base_model_name"}; a repeated
 *   --lora-modules replaces the earlier list, so all adapters follow one flag).
 * Adapters that follow a run (AdapterRef.follow) are not listed: scripts/adapter-follow.sh loads
 * them at run time once published, so the engine starts on the base model alone.
 * The API key is never an argument: vLLM reads VLLM_API_KEY (`args.api_key or
 * envs.VLLM_API_KEY` in vllm/entrypoints/openai/api_server.py), set from a Secret.
 */
import { HTTP_PORT, type EffectiveService } from "./defaults.ts";
import { adapterDir, BASE_MODEL_DIR } from "./layout.ts";
import { renderVllmExtraArgs } from "./vllm-extra-args.ts";

export function renderVllmArgs(svc: EffectiveService): string[] {
  const { engine } = svc;
  const args = [
    BASE_MODEL_DIR,
    "--served-model-name", svc.model.name,
    "--port", String(HTTP_PORT),
    "--max-model-len", String(engine.maxModelLen),
    "--tensor-parallel-size", String(engine.tensorParallelSize),
    "--shutdown-timeout", String(svc.drain.shutdownTimeoutSeconds),
  ];
  // The CPU backend sizes its KV cache from VLLM_CPU_KVCACHE_SPACE, not from GPU memory.
  if (svc.device === "gpu") args.push("--gpu-memory-utilization", String(engine.gpuMemoryUtilization));
  if (svc.adapters.length > 0) {
    args.push("--enable-lora", "--max-loras", String(engine.maxLoras), "--max-lora-rank", String(engine.maxLoraRank), "--max-cpu-loras", String(engine.maxCpuLoras));
  }
  const atStart = svc.adapters.filter((a) => !a.follow);
  if (atStart.length > 0) {
    args.push("--lora-modules", ...atStart.map((a) => JSON.stringify({ name: a.name, path: adapterDir(a.prefix), base_model_name: svc.model.name })));
  }
  // the stack's own flags last; validation refused any flag above (./vllm-extra-args.ts)
  return [...args, ...renderVllmExtraArgs(svc.engine.extraArgs)];
}

/** The long flags in `args` (what contracts.test.ts checks). */
export function flagsOf(args: readonly string[]): string[] {
  return args.filter((a) => a.startsWith("--"));
}
