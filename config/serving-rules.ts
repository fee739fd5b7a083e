/**
 * Cross-field rules of serving that read the models catalog or the environment: what would
 * certainly fail at deploy or first request is refused here with its path and fix (docs/architecture.md §4).
 */
import { cpuKvCacheProblem } from "../components/serving/cpu-memory.ts";
import { DEFAULT_MAX_MODEL_LEN, SHM_GIB_CPU, defaultResources } from "../components/serving/defaults.ts";
import { modelByRepo } from "../planner/models.ts";
import type { Problem } from "./rules.ts";
import type { ParsedStackConfig } from "./schema.ts";

export function servingRuleProblems(cfg: ParsedStackConfig): Problem[] {
  const problems: Problem[] = [];
  const models = new Map(cfg.models.map((m) => [m.name, m]));
  cfg.serving.forEach((s, i) => {
    const add = (path: (string | number)[], message: string) => problems.push({ path: ["serving", i, ...path], message });
    // an unauthenticated public endpoint is a local experiment at most (prod refuses auth none outright)
    if (s.auth.type === "none" && s.exposure !== undefined && cfg.env !== "local" && cfg.env !== "prod") {
      add(["auth"], `is "none" on an exposed service in env "${cfg.env}": anyone reaching the gateway could use it; use type: api-key with clients, or jwt`);
    }
    const model = s.baseModel === undefined ? undefined : models.get(s.baseModel);
    if (s.runtime !== "vllm" || model === undefined) return;
    const maxModelLen = s.engine?.maxModelLen ?? DEFAULT_MAX_MODEL_LEN;
    const arch = modelByRepo(model.repo);
    // vLLM refuses a max_model_len above the model's derived length unless RoPE scaling extends it
    // (vllm-project/vllm@v0.21.0:vllm/config/model.py _get_and_verify_max_len); llmkit sets none
    if (arch !== undefined && maxModelLen > arch.maxContext) {
      add(
        ["engine", "maxModelLen"],
        `${maxModelLen} exceeds ${model.repo}'s context of ${arch.maxContext} tokens (max_position_embeddings in its config.json, ${arch.source}); ` +
          `vLLM refuses it without RoPE scaling, which llmkit does not configure: set engine.maxModelLen ≤ ${arch.maxContext}`,
      );
    }
    if (s.engine?.device === "cpu" && s.gpus === 0) {
      const shmGiB = SHM_GIB_CPU;
      const memoryGiB = (s.resources ?? defaultResources("cpu", 0, model.sizeGiB, shmGiB)).memoryGiB;
      const problem = memoryGiB > shmGiB ? cpuKvCacheProblem({ memoryGiB, shmGiB, model, maxModelLen }) : undefined;
      if (problem !== undefined) add(["resources", "memoryGiB"], `(${memoryGiB}) ${problem}`);
    }
  });
  return problems;
}
