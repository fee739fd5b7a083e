#!/usr/bin/env python3
"""Fine-tune, `train` after training (engine image): evaluation suites (components/training/evaluation.ts).

usage: eval-suite.py rows <suite file> <alpaca|sharegpt|openai> <max samples> <rows.jsonl>
       eval-suite.py score <rows.jsonl> <llamafactory|ms-swift> <adapter results.jsonl> <base results.jsonl> <result.json>

rows: the suite's first <max samples> records as OpenAI-style {"messages": [...]} lines, whose last
message is the reference answer. Both engines read that one format: LLaMA-Factory through the
sharegpt formatting with OpenAI tags (the suite's dataset_info.json), ms-swift as its standard
messages format, whose infer step takes a final assistant message off as the label
(swift/pipelines/infer/infer.py infer_dataset, InferRequest.remove_response).

score: the generated answers (one results line per row, in row order: LLaMA-Factory's
generated_predictions.jsonl `predict`, ms-swift's result.jsonl `response`; see lineage.py) against
the references, for the adapter and the base: exact match after stripping surrounding whitespace,
and ROUGE-L F1 over the longest common subsequence of whitespace tokens (Lin 2004, "ROUGE: A
Package for Automatic Evaluation of Summaries", §3.1 with β = 1). Computed here rather than with
either engine's own metric: LLaMA-Factory's ComputeSimilarity tokenises with jieba and ms-swift's
compute_rouge_bleu differs from it, and the two engines' figures must mean the same.
"""
import json
import sys

ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}


def records(path):
    """A JSON array (.json), a Parquet file (.parquet, pyarrow: see lineage.py) or JSON Lines."""
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):
            return json.load(f)
        return [json.loads(line) for line in f if line.strip()]


def messages(record, fmt):
    """The record as OpenAI messages: alpaca as LLaMA-Factory reads it (data/converter.py: system,
    history pairs, then instruction and input joined by a newline), sharegpt's from/value turns."""
    if fmt == "alpaca":
        out = [{"role": "system", "content": record["system"]}] if record.get("system") else []
        for query, answer in record.get("history") or []:
            out += [{"role": "user", "content": query}, {"role": "assistant", "content": answer}]
        prompt = "\n".join(p for p in (record.get("instruction"), record.get("input")) if p)
        return out + [{"role": "user", "content": prompt}, {"role": "assistant", "content": record.get("output")}]
    if fmt == "sharegpt":
        out = [{"role": "system", "content": record["system"]}] if record.get("system") else []
        return out + [{"role": ROLES.get(t.get("from"), t.get("from")), "content": t.get("value")} for t in record.get("conversations") or []]
    return [{"role": m.get("role"), "content": m.get("content")} for m in record.get("messages") or []]


def valid(msgs):
    """System first if at all, then user/assistant turns alternating, ending with a non-empty answer."""
    turns = msgs[1:] if msgs and msgs[0]["role"] == "system" else msgs
    alternating = all(m["role"] == ("user" if i % 2 == 0 else "assistant") for i, m in enumerate(turns))
    texts = all(isinstance(m["content"], str) and m["content"].strip() for m in msgs)
    return alternating and len(turns) >= 2 and len(turns) % 2 == 0 and texts


def rows(path, fmt, max_samples, out):
    data = records(path)
    if not isinstance(data, list):
        sys.exit(f"{path}: expected a JSON array of records")
    picked = data[: int(max_samples)]
    if not picked:
        sys.exit(f"{path}: the suite has no rows; nothing is published")
    with open(out, "w", encoding="utf-8") as f:
        for i, record in enumerate(picked):
            msgs = messages(record, fmt) if isinstance(record, dict) else []
            if not valid(msgs):
                sys.exit(f"{path}: row {i} is not a {fmt} conversation ending with a non-empty answer (system first, then alternating user/assistant turns); nothing is published")
            f.write(json.dumps({"messages": msgs}, ensure_ascii=False) + "\n")


def lcs(a, b):
    """Length of the longest common subsequence of two token lists (one row of the DP table at a time)."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(candidate, reference):
    c, r = candidate.split(), reference.split()
    common = lcs(c, r)
    if common == 0:
        return 0.0
    precision, recall = common / len(c), common / len(r)
    return 2 * precision * recall / (precision + recall)


# the completion's field in each engine's results line (as lineage.py OUTPUT_FIELD)
OUTPUT_FIELD = {"llamafactory": "predict", "ms-swift": "response"}


def scores(references, results_file, engine):
    with open(results_file, encoding="utf-8") as f:
        outputs = [json.loads(line)[OUTPUT_FIELD[engine]] for line in f if line.strip()]
    if len(outputs) != len(references):
        sys.exit(f"{results_file} has {len(outputs)} answers for {len(references)} suite rows (did the engine drop rows?); nothing is published")
    n = len(references)
    return {
        "exactMatch": sum(o.strip() == r.strip() for o, r in zip(outputs, references)) / n,
        "rougeL": sum(rouge_l(o, r) for o, r in zip(outputs, references)) / n,
    }


def score(rows_file, engine, adapter_results, base_results, out):
    with open(rows_file, encoding="utf-8") as f:
        references = [json.loads(line)["messages"][-1]["content"] for line in f if line.strip()]
    result = {"samples": len(references), "adapter": scores(references, adapter_results, engine), "base": scores(references, base_results, engine)}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "rows" and sys.argv[3] in ("alpaca", "sharegpt", "openai"):
        rows(*sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "score" and sys.argv[3] in OUTPUT_FIELD:
        score(*sys.argv[2:])
    else:
        sys.exit(__doc__)
