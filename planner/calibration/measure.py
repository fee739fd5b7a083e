#!/usr/bin/env python3
"""Measure peak GPU memory of real LoRA training steps (llmkit planner calibration, issue 7).

Builds randomly initialised causal LMs from the planner catalog's architectures
(planner/calibration/architectures.json, exported from planner/models.ts; nothing is downloaded),
applies PEFT LoRA (rank 8, alpha 16, all-linear, adapter weights in fp32 as LLaMA-Factory and PEFT's
autocast_adapter_dtype keep them), and runs a few AdamW steps in bf16 autocast at fixed sequence
length / micro-batch, with and without gradient checkpointing. Prints one JSON document to stdout:

  {"gpu": str, "date": str, "torch": str, "transformers": str, "peft": str,
   "runs": [{"model", "params", "trainable", "seq", "microBatch", "gradientCheckpointing",
             "weightsBytes", "peakAllocatedBytes", "peakReservedBytes", "tokensPerSecond", "error"?}]}

Usage: python3 planner/calibration/measure.py [model ...] > measure.json
"""
import datetime
import gc
import json
import os
import sys
import time

import torch
import transformers
import peft
from transformers import AutoConfig, AutoModelForCausalLM
from peft import LoraConfig, get_peft_model

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELS = ["qwen2.5-0.5b", "qwen2.5-1.5b", "qwen2.5-3b", "qwen2.5-7b"]
# (sequence length, micro-batch): activations scale with tokens = seq x micro-batch (SDPA attention
# keeps no seq^2 score matrix), so the grid varies both.
GRID = [(512, 1), (1024, 2), (2048, 2)]
STEPS = 3


def hf_config(arch):
    kw = dict(
        hidden_size=arch["hiddenSize"],
        num_hidden_layers=arch["layers"],
        num_attention_heads=arch["attentionHeads"],
        num_key_value_heads=arch["kvHeads"],
        intermediate_size=arch["intermediateSize"],
        vocab_size=arch["vocabSize"],
        max_position_embeddings=arch["maxContext"],
        tie_word_embeddings=arch["tiedEmbeddings"],
        torch_dtype="bfloat16",
    )
    if arch["hfModelType"] == "qwen3":
        kw["head_dim"] = arch["headDim"]
    return AutoConfig.for_model(arch["hfModelType"], **kw)


def run_one(model, seq, mb, gc_on, vocab):
    if gc_on:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    else:
        model.gradient_checkpointing_disable()
    model.config.use_cache = False
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    torch.cuda.synchronize()
    gc.collect()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    g = torch.Generator(device="cuda").manual_seed(0)
    times = []
    for _ in range(STEPS):
        ids = torch.randint(0, vocab, (mb, seq), device="cuda", generator=g)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            out = model(input_ids=ids, labels=ids)
        out.loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    peak = torch.cuda.max_memory_allocated()
    reserved = torch.cuda.max_memory_reserved()
    del opt, out, ids
    gc.collect()
    torch.cuda.empty_cache()
    # first step includes warm-up; throughput from the later ones
    steady = sorted(times[1:])[len(times[1:]) // 2] if len(times) > 1 else times[0]
    return base, peak, reserved, (seq * mb) / steady


def main():
    with open(os.path.join(HERE, "architectures.json")) as f:
        archs = json.load(f)["models"]
    names = sys.argv[1:] or DEFAULT_MODELS
    out = {
        "gpu": torch.cuda.get_device_name(0),
        "gpuTotalBytes": torch.cuda.get_device_properties(0).total_memory,
        "date": datetime.date.today().isoformat(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "lora": {"rank": 8, "alpha": 16, "targets": "all-linear", "adapterDtype": "float32"},
        "baseDtype": "bfloat16",
        "optimizer": "torch.optim.AdamW",
        "steps": STEPS,
        "runs": [],
    }
    for name in names:
        arch = archs[name]
        torch.manual_seed(0)
        cfg = hf_config(arch)
        cfg._attn_implementation = "sdpa"
        with torch.device("cuda"):
            model = AutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16, attn_implementation="sdpa")
        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM"))
        total = sum(p.numel() for p in model.parameters())
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        torch.cuda.synchronize()
        weights = torch.cuda.memory_allocated()
        for seq, mb in GRID:
            for gc_on in (False, True):
                row = {"model": name, "params": total - trainable, "trainable": trainable, "seq": seq,
                       "microBatch": mb, "gradientCheckpointing": gc_on, "weightsBytes": weights}
                try:
                    base, peak, reserved, tps = run_one(model, seq, mb, gc_on, arch["vocabSize"])
                    row.update(peakAllocatedBytes=peak, peakReservedBytes=reserved, tokensPerSecond=round(tps, 1))
                except torch.cuda.OutOfMemoryError as e:
                    row["error"] = "OOM: " + str(e).split("\n")[0][:200]
                    gc.collect()
                    torch.cuda.empty_cache()
                out["runs"].append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
        del model
        gc.collect()
        torch.cuda.empty_cache()
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
