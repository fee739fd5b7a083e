#!/usr/bin/env python3
"""A DPO adapter that continued an SFT adapter (stage dpo with from:): same tensors, trained further.

usage: chained.py <sft adapter dir> <dpo adapter dir>

Prints one JSON line: sameTensors (1 when both adapter_model.safetensors have the same tensor names
and shapes, and the adapter_config.json r and lora_alpha agree), tensors (how many), relativeChange
(||dpo − sft|| / ||sft|| over all tensors: above 0 when DPO trained it, below 1 when it started from
the SFT weights rather than a fresh LoRA whose B matrices start at zero), detail (what differs).
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file


def main(sft_dir, dpo_dir):
    sft = load_file(os.path.join(sft_dir, "adapter_model.safetensors"))
    dpo = load_file(os.path.join(dpo_dir, "adapter_model.safetensors"))
    cfg = [json.load(open(os.path.join(d, "adapter_config.json"))) for d in (sft_dir, dpo_dir)]
    shapes = lambda t: {k: tuple(v.shape) for k, v in t.items()}
    same = shapes(sft) == shapes(dpo) and all(cfg[0][k] == cfg[1][k] for k in ("r", "lora_alpha"))
    detail = "" if same else f"sft {sorted(shapes(sft).items())[:3]} r={cfg[0]['r']} vs dpo {sorted(shapes(dpo).items())[:3]} r={cfg[1]['r']}"
    change = norm = 0.0
    if shapes(sft) == shapes(dpo):
        for k, v in sft.items():
            change += (dpo[k].float() - v.float()).pow(2).sum().item()
            norm += v.float().pow(2).sum().item()
    rel = (change ** 0.5) / (norm ** 0.5) if norm > 0 else float("nan")
    print(json.dumps({"sameTensors": 1 if same else 0, "tensors": len(dpo), "relativeChange": rel, "detail": detail}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with torch.no_grad():
        main(*sys.argv[1:])
