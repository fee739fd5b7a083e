#!/usr/bin/env python3
"""The published adapter on its base, with the engine's own PEFT; optionally the merged model.

usage: adapter.py <base dir> <adapter dir> [<merged dir>]

Prints one JSON line: maxLogitDiff (adapter vs base: the adapter must change the logits) and,
with a merged dir, mergedMaxDiff (merged model loaded with plain transformers vs base+adapter).
"""
import json
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = ["What is the capital of Peru?", "Who are you?"]


def logits(model, batch):
    with torch.no_grad():
        return model(**batch).logits.float()


def main(base_dir, adapter_dir, merged_dir=None):
    tok = AutoTokenizer.from_pretrained(base_dir)
    batch = tok(PROMPTS, return_tensors="pt", padding=True)
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32).eval()
    before = logits(base, batch)
    tuned = PeftModel.from_pretrained(base, adapter_dir).eval()
    after = logits(tuned, batch)
    out = {"maxLogitDiff": (after - before).abs().max().item()}
    if merged_dir is not None:
        merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()
        out["mergedMaxDiff"] = (logits(merged, batch) - after).abs().max().item()
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
