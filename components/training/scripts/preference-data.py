#!/usr/bin/env python3
"""Fine-tune, `train` before `swift rlhf` (stage dpo on ms-swift): preference rows in ms-swift's own format.

usage: preference-data.py <dataset_dir> <list file>

The list file has one "<local file> <format>" line per dataset (components/training/ms-swift.ts
swiftPreferenceList). Each file is read (JSON array, JSON lines or Parquet) and written next to it as
<file>.swift.jsonl, the name the rendered --dataset flags use, one row per input row:
  {"messages": [<system>?, <turns>…, {"role": "assistant", "content": <chosen>}], "rejected_response": <rejected>}
which is what ms-swift's preprocessors take for DPO (modelscope/ms-swift@v4.5.3
swift/dataset/preprocessor/core.py: `rejected_response` is a standard key, checked to differ from the
last message's content). The kit's formats (components/training/preference.ts):
  alpaca-preference    instruction, optional input (joined with a newline, as ms-swift's and
                       LLaMA-Factory's alpaca converters do) and system; chosen and rejected strings;
  sharegpt-preference  conversations [{from, value}] ending with a human turn, optional system;
                       chosen and rejected {from, value};
  openai-preference    messages [{role, content}] ending with a user turn; chosen and rejected
                       {role, content}.
A row that does not have that shape stops the run (exit 3, a configuration error) naming the file
and row, instead of being skipped: a DPO run on silently fewer pairs is not the run that was asked for.
"""
import json
import os
import sys

CONFIG_ERROR = 3
ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system", "observation": "tool", "function_call": "assistant"}


def fail(message):
    print(f"configuration error: {message}", file=sys.stderr)
    sys.exit(CONFIG_ERROR)


def records(path):
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):
            data = json.load(f)
            return data if isinstance(data, list) else [data]
        return [json.loads(line) for line in f if line.strip()]


def answer(value, where, key):
    """A chosen/rejected answer: a string, or one assistant message {from, value} / {role, content}."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        role = value.get("role", value.get("from"))
        content = value.get("content", value.get("value"))
        if ROLES.get(role) == "assistant" and isinstance(content, str):
            return content
    fail(f"{where}: {key} must be an assistant answer (a string, {{from: gpt, value}} or {{role: assistant, content}}), got {json.dumps(value)[:200]}")


def turns(row, where, column):
    """The conversation before the answers: its last turn must be the user's."""
    messages = row.get(column)
    if not isinstance(messages, list) or not messages:
        fail(f"{where}: needs a non-empty {column} list")
    out = []
    if isinstance(row.get("system"), str) and row["system"]:
        out.append({"role": "system", "content": row["system"]})
    for m in messages:
        role = ROLES.get(m.get("role", m.get("from")) if isinstance(m, dict) else None)
        content = m.get("content", m.get("value")) if isinstance(m, dict) else None
        if role is None or not isinstance(content, str):
            fail(f"{where}: {column} entries need role/content (or from/value), got {json.dumps(m)[:200]}")
        out.append({"role": role, "content": content})
    if out[-1]["role"] != "user":
        fail(f"{where}: {column} must end with the user's turn (the chosen and rejected answers reply to it)")
    return out


def convert(row, fmt, where):
    if not isinstance(row, dict):
        fail(f"{where}: expected a JSON object")
    for key in ("chosen", "rejected"):
        if key not in row:
            fail(f"{where}: has no {key} column, which {fmt} needs")
    if fmt == "alpaca-preference":
        instruction, extra = row.get("instruction"), row.get("input")
        if not isinstance(instruction, str) or not instruction:
            fail(f"{where}: needs an instruction string")
        prompt = f"{instruction}\n{extra}" if isinstance(extra, str) and extra else instruction
        messages = ([{"role": "system", "content": row["system"]}] if isinstance(row.get("system"), str) and row["system"] else []) + [{"role": "user", "content": prompt}]
    elif fmt == "sharegpt-preference":
        messages = turns(row, where, "conversations")
    elif fmt == "openai-preference":
        messages = turns(row, where, "messages")
    else:
        fail(f"{where}: {fmt} is not a preference format")
    chosen, rejected = answer(row["chosen"], where, "chosen"), answer(row["rejected"], where, "rejected")
    if chosen == rejected:
        fail(f"{where}: chosen and rejected are the same text")
    return {"messages": messages + [{"role": "assistant", "content": chosen}], "rejected_response": rejected}


def main(dataset_dir, list_file):
    with open(list_file, encoding="utf-8") as f:
        entries = [line.split() for line in f if line.strip()]
    for name, fmt in entries:
        path = os.path.join(dataset_dir, name)
        rows = [convert(r, fmt, f"{name} row {i + 1}") for i, r in enumerate(records(path))]
        with open(f"{path}.swift.jsonl", "w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        print(f"{name}: {len(rows)} {fmt} rows → {name}.swift.jsonl")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
