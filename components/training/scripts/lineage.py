#!/usr/bin/env python3
"""Fine-tune, end of `train` (engine image): complete the run's manifest with its lineage.

usage: lineage.py <trainer_state.json> <gpu type> <output manifest> <smoke results.jsonl or ""> <eval dir>

Reads the static manifest ($CONFIG_DIR/manifest.json, rendered by components/training/manifest.ts),
the dataset list ($CONFIG_DIR/datasets.txt), what restore.sh recorded ($LINEAGE_DIR/datasets.tsv
ETags, $LINEAGE_DIR/attempts), the trainer's final trainer_state.json and the engine's smoke
results ($CONFIG_DIR/smoke-prompts.json answered by train.sh), the held-out evaluation of the
adapter and the base (<eval dir>/heldout-{adapter,base}.json from scripts/eval-heldout.py) and the
suites' scores (<eval dir>/suite-<name>.json from scripts/eval-suite.py), and writes the manifest that
publish.sh uploads; publish fills in wallSeconds and createdAt. The schema is
components/lib/adapter-manifest.ts. Runs in the engine image because the aws-cli image has no Python.
"""
import json
import math
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


# Held-out metrics: manifest name → (the trainer's eval metric, better, whether the base has one).
# eval_loss is transformers' own; DPO's rewards are LLaMA-Factory's CustomDPOTrainer and TRL's
# DPOTrainer eval metrics (eval_ prefix: Trainer.evaluate). The base is the DPO reference (or, for a
# run continuing an SFT adapter, compared with that reference): its rewards mean nothing, so null.
HELDOUT = {
    "loss": ("eval_loss", "lower", True),
    "rewardAccuracy": ("eval_rewards/accuracies", "higher", False),
    "rewardMargin": ("eval_rewards/margins", "higher", False),
}


def number(value, what):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        sys.exit(f"held-out evaluation: {what} is {value!r}, not a finite number; nothing is published")
    return value


def suite_names(config):
    """The evaluation suites' names ($CONFIG_DIR/eval-suites.txt), in spec order."""
    path = os.path.join(config, "eval-suites.txt")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.split()[0] for line in f if line.strip()]


def suite_metrics(eval_dir, names):
    """suite.<name>.exactMatch / .rougeL from scripts/eval-suite.py's <eval dir>/suite-<name>.json."""
    metrics = {}
    for name in names:
        path = os.path.join(eval_dir, f"suite-{name}.json")
        if not os.path.exists(path):
            sys.exit(f"evaluation suite {name}: {path} is missing; nothing is published")
        with open(path, encoding="utf-8") as f:
            result = json.load(f)
        for measure in ("exactMatch", "rougeL"):
            metrics[f"suite.{name}.{measure}"] = {
                "adapter": number(result["adapter"][measure], f"suite {name}: the adapter's {measure}"),
                "base": number(result["base"][measure], f"suite {name}: the base's {measure}"),
                "better": "higher",
                "samples": result["samples"],
            }
    return metrics


def heldout(eval_dir, dpo):
    """{"heldout.<measure>": {adapter, base, better, samples}}; empty when nothing was evaluated (valRatio 0)."""
    results = {}
    for side in ("adapter", "base"):
        path = os.path.join(eval_dir, f"heldout-{side}.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                results[side] = json.load(f)
    if not results:
        return {}
    if set(results) != {"adapter", "base"}:
        sys.exit(f"held-out evaluation: {eval_dir} has only the {next(iter(results))}'s results; nothing is published")
    adapter, base = results["adapter"], results["base"]
    if adapter["samples"] != base["samples"] or not isinstance(adapter["samples"], int) or adapter["samples"] < 1:
        sys.exit(f"held-out evaluation: the adapter was evaluated on {adapter['samples']} rows, the base on {base['samples']}; nothing is published")
    metrics = {}
    for name, (key, better, has_base) in HELDOUT.items():
        if name != "loss" and not dpo:
            continue
        if key not in adapter["metrics"]:
            sys.exit(f"held-out evaluation: the engine reported no {key} (it reported {', '.join(sorted(adapter['metrics']))}); nothing is published")
        metrics[f"heldout.{name}"] = {
            "adapter": number(adapter["metrics"][key], f"the adapter's {key}"),
            "base": number(base["metrics"].get(key), f"the base's {key}") if has_base else None,
            "better": better,
            "samples": adapter["samples"],
        }
    return metrics


def main(state_file, gpu_type, out, smoke_results, eval_dir):
    config, data, lineage = os.environ["CONFIG_DIR"], os.environ["DATA_DIR"], os.environ["LINEAGE_DIR"]
    with open(os.path.join(config, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    with open(os.path.join(config, "datasets.txt"), encoding="utf-8") as f:
        files = dict(line.split() for line in f if line.strip())
    with open(os.path.join(lineage, "datasets.tsv"), encoding="utf-8") as f:
        etags = dict(line.rstrip("\n").split("\t") for line in f if line.strip())
    for dataset in manifest["datasets"] + manifest.get("suites", []):
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
        evaluation={
            **heldout(eval_dir, manifest.get("stage") == "dpo"),
            **suite_metrics(eval_dir, suite_names(config)),
        },
        # last: serving's fetch.sh takes the first "revision" in the file, which must stay the base's
        smoke=outputs,
    )
    with open(out, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
