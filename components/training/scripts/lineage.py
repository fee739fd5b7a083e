#!/usr/bin/env python3
"""Fine-tune, end of `train` (engine image): complete the run's manifest with its lineage.

usage: lineage.py <trainer_state.json> <gpu type> <output manifest> <smoke results.jsonl or "">

Reads the static manifest ($CONFIG_DIR/manifest.json, rendered by components/training/manifest.ts),
the dataset list ($CONFIG_DIR/datasets.txt), what restore.sh recorded ($LINEAGE_DIR/datasets.tsv
ETags, $LINEAGE_DIR/attempts), the trainer's final trainer_state.json and the engine's smoke
results ($CONFIG_DIR/smoke-prompts.json answered by train.sh), and writes the manifest that
publish.sh uploads; publish fills in wallSeconds and createdAt. The schema is
components/lib/adapter-manifest.ts. Runs in the engine image because the aws-cli image has no Python.
"""
import json
import os
import sys


def rows(path):
    """Records in a dataset file: rows of a Parquet file, elements of a JSON array (.json), else non-blank JSON Lines."""
    if path.endswith(".parquet"):
        return parquet_rows(path)
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, list):
            sys.exit(f"{path}: expected a JSON array of records")
        return len(data)
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def parquet_rows(path):
    """The row count in the Parquet footer (compressed pages have no lines to count).

    pyarrow is a dependency of Hugging Face `datasets` (huggingface/datasets setup.py
    REQUIRED_PKGS), which both engines load data with, so it is in both images; without it the
    count cannot be made and the run stops before publishing, saying so.
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:
        sys.exit(f"{path}: counting Parquet rows needs pyarrow, which this image lacks; nothing is published")
    return pq.ParquetFile(path).metadata.num_rows


def result(state_file):
    """transformers TrainerState (trainer_state.json): global_step and the eval_loss entries of log_history.

    best_metric is not used: it follows metric_for_best_model, which need not be the eval loss.
    """
    with open(state_file, encoding="utf-8") as f:
        state = json.load(f)
    losses = [e["eval_loss"] for e in state.get("log_history", []) if "eval_loss" in e]
    return {
        "steps": state["global_step"],
        "finalEvalLoss": losses[-1] if losses else None,
        "bestEvalLoss": min(losses) if losses else None,
    }


# The completion's field in each engine's results line: LLaMA-Factory's save_predictions writes
# {"prompt", "predict", "label"} (src/llamafactory/train/sft/trainer.py @v0.9.5); ms-swift's
# infer_dataset writes {"response", "labels", "logprobs", "messages", ...} (swift/pipelines/infer/infer.py @v4.5.2).
OUTPUT_FIELD = {"llamafactory": "predict", "ms-swift": "response"}


def smoke(config, engine, results_file):
    """[{prompt, output}] in prompt order; both engines write one line per row in dataset order."""
    prompts_file = os.path.join(config, "smoke-prompts.json")
    if not os.path.exists(prompts_file):
        return []
    with open(prompts_file, encoding="utf-8") as f:
        prompts = json.load(f)
    with open(results_file, encoding="utf-8") as f:
        outputs = [json.loads(line)[OUTPUT_FIELD[engine]] for line in f if line.strip()]
    if len(outputs) != len(prompts):
        sys.exit(f"smoke prompts: {results_file} has {len(outputs)} results for {len(prompts)} prompts; nothing is published")
    return [{"prompt": p, "output": o} for p, o in zip(prompts, outputs)]


def main(state_file, gpu_type, out, smoke_results):
    config, data, lineage = os.environ["CONFIG_DIR"], os.environ["DATA_DIR"], os.environ["LINEAGE_DIR"]
    with open(os.path.join(config, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(config, "datasets.txt"), encoding="utf-8") as f:
        files = dict(line.split() for line in f if line.strip())
    with open(os.path.join(lineage, "datasets.tsv"), encoding="utf-8") as f:
        etags = dict(line.rstrip("\n").split("\t") for line in f if line.strip())
    for dataset in manifest["datasets"]:
        dataset["etag"] = etags[dataset["path"]]
        dataset["rows"] = rows(os.path.join(data, files[dataset["path"]]))
    with open(os.path.join(lineage, "attempts"), encoding="utf-8") as f:
        attempts = int(f.read())
    outputs = smoke(config, os.environ["ENGINE"], smoke_results)
    manifest.update(
        result=result(state_file),
        restarts=attempts - 1,
        wallSeconds="@WALL_SECONDS@",
        gpuType=gpu_type,
        createdAt="@CREATED_AT@",
        # last: serving's fetch.sh takes the first "revision" in the file, which must stay the base's
        smoke=outputs,
    )
    with open(out, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
