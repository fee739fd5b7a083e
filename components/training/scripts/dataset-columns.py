#!/usr/bin/env python3
"""Fine-tune, `train` before LLaMA-Factory: drop the optional dataset_info.json columns a file lacks.

usage: dataset-columns.py <dataset_dir>

The rendered dataset_info.json (components/training/llamafactory.ts) names every column a format
may carry (alpaca `input`, `system`, `history`; sharegpt `system`, `tools`), so rows that have them
train with them. LLaMA-Factory reads a named column as example[name]
(hiyouga/LLaMA-Factory@v0.9.5 src/llamafactory/data/converter.py:88, 97, 125-126, 156, 222), a
KeyError when no record of the file has it, so each optional column that no record has is removed
from its entry, in place. Required columns (prompt, response, messages) are left for LLaMA-Factory
to report. Files other than .json, .jsonl and .parquet are left as rendered.
"""
import json
import os
import sys

# dataset_info.json column keys (data/README.md at v0.9.5) a record may leave out
OPTIONAL = ("query", "system", "history", "tools")


def record_keys(records):
    keys = set()
    for record in records:
        if isinstance(record, dict):
            keys.update(record)
    return keys


def file_columns(path):
    """Column names of a dataset file, or None when its format is not one llmkit reads here."""
    if path.endswith(".parquet"):
        try:
            import pyarrow.parquet as pq
        except ImportError:
            sys.exit(f"{path}: reading Parquet columns needs pyarrow, which this image lacks")
        return set(pq.read_schema(path).names)
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return record_keys(data if isinstance(data, list) else [data])
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            return record_keys(json.loads(line) for line in f if line.strip())
    return None


def main(dataset_dir):
    info_file = os.path.join(dataset_dir, "dataset_info.json")
    if not os.path.exists(info_file):
        return
    with open(info_file, encoding="utf-8") as f:
        info = json.load(f)
    for entry in info.values():
        columns = entry.get("columns", {})
        present = file_columns(os.path.join(dataset_dir, entry["file_name"]))
        if present is None:
            continue
        for key in OPTIONAL:
            if key in columns and columns[key] not in present:
                print(f"dataset_info.json: {entry['file_name']} has no \"{columns[key]}\" column: not read")
                del columns[key]
    with open(info_file, "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
