#!/usr/bin/env python3
"""Fine-tune, init container `identity` (engine image): fill a self-cognition dataset.

usage: fill-identity.py <template file> <output file>, with IDENTITY_NAME and IDENTITY_AUTHOR set.

Replaces the placeholders of both engines' self-cognition sets in every string value (any column,
any depth): LLaMA-Factory's data/identity.json uses {{name}} / {{author}}; ms-swift's
swift/self-cognition uses {{NAME}} / {{AUTHOR}} (SelfCognitionPreprocessor). A `.jsonl` file is read
and written one JSON value per line, anything else as one JSON document. Values are substituted
before serialising, so quotes, slashes and non-ASCII names need no escaping.
Exit 3 (configuration error: the Job fails at once) when a variable is missing, the template is
absent or not JSON, or it contains no placeholder at all (the wrong file was named).
"""
import json
import os
import sys

CONFIG_ERROR = 3


def fail(message):
    print(f"configuration error: {message}", file=sys.stderr)
    sys.exit(CONFIG_ERROR)


def fill(value, replacements, found):
    if isinstance(value, str):
        for placeholder, text in replacements:
            if placeholder in value:
                found.add(placeholder)
                value = value.replace(placeholder, text)
        return value
    if isinstance(value, list):
        return [fill(v, replacements, found) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, replacements, found) for k, v in value.items()}
    return value


def main(argv):
    done = os.environ.get("DONE_MARKER")
    if done and os.path.exists(done):
        print("adapter already published: skipping identity")
        return 0
    if len(argv) != 3:
        fail("usage: fill-identity.py <template file> <output file>")
    source, target = argv[1], argv[2]
    name = os.environ.get("IDENTITY_NAME", "")
    author = os.environ.get("IDENTITY_AUTHOR", "")
    if not name or not author:
        fail("IDENTITY_NAME and IDENTITY_AUTHOR must be set and non-empty")
    replacements = [("{{name}}", name), ("{{NAME}}", name), ("{{author}}", author), ("{{AUTHOR}}", author)]
    lines = source.endswith(".jsonl")
    try:
        with open(source, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()] if lines else json.load(f)
    except FileNotFoundError:
        fail(f"identity dataset {source} does not exist: check identity.path")
    except ValueError as err:
        fail(f"identity dataset {source} is not valid JSON{' lines' if lines else ''}: {err}")
    found = set()
    rows = fill(rows, replacements, found)
    if not found:
        fail(f"identity dataset {source} contains none of {{{{name}}}}, {{{{author}}}}, {{{{NAME}}}}, {{{{AUTHOR}}}}: is it a self-cognition set?")
    with open(target, "w", encoding="utf-8") as f:
        if lines:
            f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        else:
            json.dump(rows, f, ensure_ascii=False, indent=1)
            f.write("\n")
    print(f"filled {', '.join(sorted(found))} in {source} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
