/**
 * Base-model architectures the planner knows (issue 7). Facts only, each entry copied from the
 * model's `config.json` on the Hugging Face Hub (the `source` URL; `checked` is the date the values
 * were confirmed). Every variant of a base (`-Instruct`, `-Base`) shares one architecture, so an
 * entry lists all the repos it covers; stack files are matched by `models[].repo`.
 *
 * `publishedParamsB` is the parameter count on the model card; `paramCount()` recomputes it from
 * the shape and the catalog test holds the two within 2%, so a typo in a dimension fails a test.
 */

export type WeightDtype = "bfloat16" | "float16";

export interface ModelArchitecture {
  /** Catalog key, lower-case family + size. */
  readonly id: string;
  /** Hub repos with exactly this architecture (base and instruct variants). */
  readonly repos: readonly string[];
  /** transformers `model_type` (drives measure.py's AutoConfig). */
  readonly hfModelType: "qwen2" | "qwen3" | "llama" | "mistral";
  /**
   * ms-swift's `--model_type` (an `LLMModelType` value, swift/model/constant.py): the `ModelMeta`
   * whose `ModelGroup` lists these repos in modelscope/ms-swift@v4.5.2 swift/model/models/*.py
   * (cited per entry below). ms-swift cannot infer it from a local directory: the architecture
   * maps to several types (model_meta.py:224-230 "Multiple possible types found").
   */
  readonly msSwiftModelType: "qwen2" | "qwen3" | "llama" | "mistral";
  readonly publishedParamsB: number;
  readonly layers: number;
  readonly hiddenSize: number;
  readonly attentionHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  /** `max_position_embeddings`. */
  readonly maxContext: number;
  readonly tiedEmbeddings: boolean;
  /** Qwen2 projects q/k/v with a bias. */
  readonly qkvBias: boolean;
  readonly dtype: WeightDtype;
  readonly source: string;
  readonly checked: string;
}

const HF = (repo: string) => `https://huggingface.co/${repo}/blob/main/config.json`;
const CHECKED = "2026-11-24";

type Shape = Omit<ModelArchitecture, "id" | "repos" | "source" | "checked" | "hfModelType" | "msSwiftModelType" | "qkvBias" | "dtype">;

// ms-swift@v4.5.2 swift/model/models/qwen.py:279 ModelMeta(LLMModelType.qwen2, …) lists Qwen/Qwen2.5-{0.5B…72B}(-Instruct) at :393-407
function qwen25(size: string, shape: Shape, extra: readonly string[] = []): ModelArchitecture {
  const repo = `Qwen/Qwen2.5-${size}`;
  return { id: `qwen2.5-${size.toLowerCase()}`, repos: [repo, `${repo}-Instruct`, ...extra], hfModelType: "qwen2", msSwiftModelType: "qwen2", qkvBias: true, dtype: "bfloat16", ...shape, source: HF(`${repo}-Instruct`), checked: CHECKED };
}
// ms-swift@v4.5.2 swift/model/models/qwen.py:532 ModelMeta(LLMModelType.qwen3, …) lists Qwen/Qwen3-{0.6B…32B}(-Base) at :536-547
function qwen3(size: string, shape: Shape): ModelArchitecture {
  const repo = `Qwen/Qwen3-${size}`;
  return { id: `qwen3-${size.toLowerCase()}`, repos: [repo, `${repo}-Base`], hfModelType: "qwen3", msSwiftModelType: "qwen3", qkvBias: false, dtype: "bfloat16", ...shape, source: HF(repo), checked: CHECKED };
}

export const MODELS: readonly ModelArchitecture[] = [
  // Qwen2.5 (https://huggingface.co/collections/Qwen/qwen25): GQA, q/k/v bias, head_dim = hidden / heads.
  qwen25("0.5B", { publishedParamsB: 0.49, layers: 24, hiddenSize: 896, attentionHeads: 14, kvHeads: 2, headDim: 64, intermediateSize: 4864, vocabSize: 151936, maxContext: 32768, tiedEmbeddings: true }),
  qwen25("1.5B", { publishedParamsB: 1.54, layers: 28, hiddenSize: 1536, attentionHeads: 12, kvHeads: 2, headDim: 128, intermediateSize: 8960, vocabSize: 151936, maxContext: 32768, tiedEmbeddings: true }),
  qwen25("3B", { publishedParamsB: 3.09, layers: 36, hiddenSize: 2048, attentionHeads: 16, kvHeads: 2, headDim: 128, intermediateSize: 11008, vocabSize: 151936, maxContext: 32768, tiedEmbeddings: true }),
  qwen25("7B", { publishedParamsB: 7.61, layers: 28, hiddenSize: 3584, attentionHeads: 28, kvHeads: 4, headDim: 128, intermediateSize: 18944, vocabSize: 152064, maxContext: 32768, tiedEmbeddings: false }),
  qwen25("14B", { publishedParamsB: 14.7, layers: 48, hiddenSize: 5120, attentionHeads: 40, kvHeads: 8, headDim: 128, intermediateSize: 13824, vocabSize: 152064, maxContext: 32768, tiedEmbeddings: false }),
  qwen25("32B", { publishedParamsB: 32.5, layers: 64, hiddenSize: 5120, attentionHeads: 40, kvHeads: 8, headDim: 128, intermediateSize: 27648, vocabSize: 152064, maxContext: 32768, tiedEmbeddings: false }),
  qwen25("72B", { publishedParamsB: 72.7, layers: 80, hiddenSize: 8192, attentionHeads: 64, kvHeads: 8, headDim: 128, intermediateSize: 29568, vocabSize: 152064, maxContext: 32768, tiedEmbeddings: false }),
  // Qwen3 dense (https://huggingface.co/collections/Qwen/qwen3): explicit head_dim 128, q/k norms, no bias; 32B is the largest dense.
  qwen3("0.6B", { publishedParamsB: 0.6, layers: 28, hiddenSize: 1024, attentionHeads: 16, kvHeads: 8, headDim: 128, intermediateSize: 3072, vocabSize: 151936, maxContext: 40960, tiedEmbeddings: true }),
  qwen3("1.7B", { publishedParamsB: 1.7, layers: 28, hiddenSize: 2048, attentionHeads: 16, kvHeads: 8, headDim: 128, intermediateSize: 6144, vocabSize: 151936, maxContext: 40960, tiedEmbeddings: true }),
  qwen3("4B", { publishedParamsB: 4.0, layers: 36, hiddenSize: 2560, attentionHeads: 32, kvHeads: 8, headDim: 128, intermediateSize: 9728, vocabSize: 151936, maxContext: 40960, tiedEmbeddings: true }),
  qwen3("8B", { publishedParamsB: 8.2, layers: 36, hiddenSize: 4096, attentionHeads: 32, kvHeads: 8, headDim: 128, intermediateSize: 12288, vocabSize: 151936, maxContext: 40960, tiedEmbeddings: false }),
  qwen3("14B", { publishedParamsB: 14.8, layers: 40, hiddenSize: 5120, attentionHeads: 40, kvHeads: 8, headDim: 128, intermediateSize: 17408, vocabSize: 151936, maxContext: 40960, tiedEmbeddings: false }),
  qwen3("32B", { publishedParamsB: 32.8, layers: 64, hiddenSize: 5120, attentionHeads: 64, kvHeads: 8, headDim: 128, intermediateSize: 25600, vocabSize: 151936, maxContext: 40960, tiedEmbeddings: false }),
  // Llama 3.x (https://huggingface.co/meta-llama): 3.3-70B shares 3.1-70B's shape.
  {
    id: "llama3.1-8b", repos: ["meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3.1-8B-Instruct"], hfModelType: "llama",
    // ms-swift@v4.5.2 swift/model/models/llama.py:25 ModelMeta(LLMModelType.llama, …) lists meta-llama/Meta-Llama-3.1-8B(-Instruct) at :155-159
    msSwiftModelType: "llama",
    publishedParamsB: 8.03, layers: 32, hiddenSize: 4096, attentionHeads: 32, kvHeads: 8, headDim: 128, intermediateSize: 14336, vocabSize: 128256, maxContext: 131072,
    tiedEmbeddings: false, qkvBias: false, dtype: "bfloat16", source: HF("meta-llama/Llama-3.1-8B-Instruct"), checked: CHECKED,
  },
  {
    id: "llama3.1-70b", repos: ["meta-llama/Llama-3.1-70B", "meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Meta-Llama-3.1-70B-Instruct", "meta-llama/Llama-3.3-70B-Instruct"], hfModelType: "llama",
    // same ModelMeta (llama.py:25): Meta-Llama-3.1-70B(-Instruct) at :156-160, Llama-3.3-70B-Instruct at :216
    msSwiftModelType: "llama",
    publishedParamsB: 70.6, layers: 80, hiddenSize: 8192, attentionHeads: 64, kvHeads: 8, headDim: 128, intermediateSize: 28672, vocabSize: 128256, maxContext: 131072,
    tiedEmbeddings: false, qkvBias: false, dtype: "bfloat16", source: HF("meta-llama/Llama-3.3-70B-Instruct"), checked: CHECKED,
  },
  // DeepSeek-R1 distills (https://huggingface.co/deepseek-ai): Qwen2.5-Math shapes, untied embeddings, 128k positions.
  {
    id: "deepseek-r1-distill-qwen-1.5b", repos: ["deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"], hfModelType: "qwen2",
    // ms-swift@v4.5.2 swift/model/models/qwen.py:279 ModelMeta(LLMModelType.qwen2, …) lists both distills at :498-499
    msSwiftModelType: "qwen2",
    publishedParamsB: 1.78, layers: 28, hiddenSize: 1536, attentionHeads: 12, kvHeads: 2, headDim: 128, intermediateSize: 8960, vocabSize: 151936, maxContext: 131072,
    tiedEmbeddings: false, qkvBias: true, dtype: "bfloat16", source: HF("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"), checked: CHECKED,
  },
  {
    id: "deepseek-r1-distill-qwen-7b", repos: ["deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"], hfModelType: "qwen2", msSwiftModelType: "qwen2",
    publishedParamsB: 7.62, layers: 28, hiddenSize: 3584, attentionHeads: 28, kvHeads: 4, headDim: 128, intermediateSize: 18944, vocabSize: 152064, maxContext: 131072,
    tiedEmbeddings: false, qkvBias: true, dtype: "bfloat16", source: HF("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"), checked: CHECKED,
  },
  // Mistral 7B v0.3 (https://huggingface.co/mistralai): 32768-token vocabulary, no sliding window.
  {
    id: "mistral-7b-v0.3", repos: ["mistralai/Mistral-7B-v0.3", "mistralai/Mistral-7B-Instruct-v0.3"], hfModelType: "mistral",
    // ms-swift@v4.5.2 swift/model/models/mistral.py:14 ModelMeta(LLMModelType.mistral, …) lists mistralai/Mistral-7B-Instruct-v0.3 at :19
    msSwiftModelType: "mistral",
    publishedParamsB: 7.25, layers: 32, hiddenSize: 4096, attentionHeads: 32, kvHeads: 8, headDim: 128, intermediateSize: 14336, vocabSize: 32768, maxContext: 32768,
    tiedEmbeddings: false, qkvBias: false, dtype: "bfloat16", source: HF("mistralai/Mistral-7B-Instruct-v0.3"), checked: CHECKED,
  },
];

/** The linear projections of one decoder layer, by PEFT module name: [in_features, out_features]. */
export function linearShapes(m: ModelArchitecture): Record<string, readonly [number, number]> {
  const q = m.attentionHeads * m.headDim;
  const kv = m.kvHeads * m.headDim;
  return {
    q_proj: [m.hiddenSize, q],
    k_proj: [m.hiddenSize, kv],
    v_proj: [m.hiddenSize, kv],
    o_proj: [q, m.hiddenSize],
    gate_proj: [m.hiddenSize, m.intermediateSize],
    up_proj: [m.hiddenSize, m.intermediateSize],
    down_proj: [m.intermediateSize, m.hiddenSize],
  };
}

/**
 * Parameters from the shape: embeddings (+ an untied LM head) + layers × (linear weights + q/k/v
 * biases + 2 RMSNorm vectors + Qwen3's q/k norms) + the final norm.
 */
export function paramCount(m: ModelArchitecture): number {
  const linear = Object.values(linearShapes(m)).reduce((s, [i, o]) => s + i * o, 0);
  const bias = m.qkvBias ? (m.attentionHeads + 2 * m.kvHeads) * m.headDim : 0;
  const norms = 2 * m.hiddenSize + (m.hfModelType === "qwen3" ? 2 * m.headDim : 0);
  const embed = m.vocabSize * m.hiddenSize * (m.tiedEmbeddings ? 1 : 2);
  return embed + m.layers * (linear + bias + norms) + m.hiddenSize;
}

const BY_REPO = new Map(MODELS.flatMap((m) => m.repos.map((r) => [r.toLowerCase(), m] as const)));

/** The catalog entry for a hub repo (case-insensitive), or `undefined` for an unknown model. */
export function modelByRepo(repo: string): ModelArchitecture | undefined {
  return BY_REPO.get(repo.toLowerCase());
}

export function modelById(id: string): ModelArchitecture | undefined {
  return MODELS.find((m) => m.id === id);
}
