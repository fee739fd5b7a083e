#!/usr/bin/env python3
"""Fine-tune, end of `train` (engine image): complete the run's manifest with its lineage.

usage: lineage.py <trainer_state.json> <gpu type> <output manifest>

Reads the static manifest ($CONFIG_DIR/manifest.json, rendered by components/training/manifest.ts),
the dataset list ($CONFIG_DIR/datasets.txt), what restore.sh recorded ($LINEAGE_DIR/datasets.tsv
ETags, $LINEAGE_DIR/attempts) and the trainer's final trainer_state.json, and writes the manifest
that publish.sh uploads; publish fills in wallSeconds and createdAt. The schema is
components/lib/adapter-manifest.ts. Runs in the engine image because the aws-cli image has no Python.
"""
import json
import os
import sys


def rows(path):
    """Records in a dataset file: elements of a JSON array (.json), else non-blank JSON Lines."""
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, list):
            sys.exit(f"{path}: expected a JSON array of records")
        return len(data)
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


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


def main(state_file, gpu_type, out):
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
    manifest.update(
        result=result(state_file),
        restarts=attempts - 1,
        wallSeconds="@WALL_SECONDS@",
        gpuType=gpu_type,
        createdAt="@CREATED_AT@",
    )
    with open(out, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
