#!/usr/bin/env python3
"""The exported GGUF file, read with llama.cpp's own gguf-py reader (PYTHONPATH), against the merged model.

usage: gguf_check.py <file.gguf> <merged dir>

Checks that every tensor the converter maps from the merged safetensors is in the file (counting
a tied lm_head once) with the merged values (f16 tolerance). Prints one JSON line.
"""
import glob
import json
import os
import sys

import numpy as np
from gguf import GGUFReader
from safetensors.torch import load_file

# HF name → GGUF name for the tensors of one layer (llama.cpp gguf-py/gguf/tensor_mapping.py)
LAYER = {
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.o_proj.weight": "attn_output.weight",
    "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.bias": "attn_v.bias",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
    "input_layernorm.weight": "attn_norm.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
}
TOP = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight", "lm_head.weight": "output.weight"}
# llama.cpp permutes Q/K rows of LLaMA-architecture models (LlamaModel.permute); compare those by norm only
PERMUTED = {"attn_q.weight", "attn_k.weight"}


def gguf_name(hf):
    if hf in TOP:
        return TOP[hf]
    parts = hf.split(".")
    if parts[:2] == ["model", "layers"]:
        return f"blk.{parts[2]}.{LAYER['.'.join(parts[3:])]}"
    raise KeyError(hf)


def main(path, merged_dir):
    reader = GGUFReader(path)
    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    tensors = {t.name: t for t in reader.tensors}
    merged = {}
    for f in sorted(glob.glob(os.path.join(merged_dir, "*.safetensors"))):
        merged.update({k: v.float().numpy() for k, v in load_file(f).items()})
    compared, worst = 0, 0.0
    for hf, value in merged.items():
        name = gguf_name(hf)
        if name not in tensors:
            sys.exit(f"{hf} ({name}) is not in {path}; it has {sorted(tensors)}")
        got = np.array(tensors[name].data, dtype=np.float32).reshape(value.shape)
        want = value.astype(np.float32)
        if arch == "llama" and name.split(".", 2)[-1] in PERMUTED:
            diff = abs(float(np.linalg.norm(got)) - float(np.linalg.norm(want)))
        else:
            diff = float(np.abs(got - want).max())
        if diff > 1e-2:
            sys.exit(f"{name} differs from the merged {hf} by {diff}")
        worst = max(worst, diff)
        compared += 1
    print(json.dumps({"arch": arch, "tensors": len(tensors), "compared": compared, "maxDiff": worst}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
