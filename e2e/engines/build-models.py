#!/usr/bin/env python3
"""Builds the lane's tiny base models: randomly initialised, a few MB, no hub download.

usage: build-models.py <out dir> <corpus.txt> <qwen.tiktoken>

Each model keeps the architecture of a catalog model (planner/calibration/architectures.json:
model_type, attention with grouped KV heads, QKV bias, tied embeddings, SwiGLU MLP, RMSNorm, RoPE)
with fewer and narrower layers. Tokenizers: the Qwen2 model gets the real Qwen2 tokenizer, rebuilt
from the BPE ranks dashscope ships (qwen.tiktoken, install.sh) with Qwen2's pre-tokenizer pattern
and NFC normaliser (llama.cpp's converter recognises its hash as "qwen2") and the real vocab size;
the Llama model gets a byte-level BPE tokenizer trained here on the lane's corpus (no PyPI package
ships Llama 3's files). Both carry the special tokens and chat template of the real
tokenizer_config.json, so the engines' `qwen`/`qwen2_5` and `llama3` templates find the tokens they
add around turns. Deterministic: a fixed seed and a fixed corpus
give byte-identical files, so the cache key (the corpus and this file) decides when to rebuild.

Run with the vLLM venv's transformers (4.57): the real hub configs of these models were written
by 4.x, and every engine's transformers (4.57 … 5.16) reads a 4.x config.json.
"""
import json
import os
import sys

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers.convert_slow_tokenizer import TikTokenConverter
import transformers
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

# Chat templates of the real tokenizers, cut to the message turns (no tool-calling branches):
# Qwen/Qwen2.5-0.5B-Instruct tokenizer_config.json and meta-llama/Llama-3.1-8B-Instruct's.
QWEN_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}{{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}{%- endif %}"
    "{%- for message in messages %}{%- if message.role != 'system' %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endif %}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
LLAMA3_TEMPLATE = (
    "{{- bos_token }}{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
)

# Catalog shapes (planner/calibration/architectures.json) and the shrunken ones built here.
MODELS = {
    "tiny-qwen2": {
        "catalog": "qwen2.5-0.5b",  # qwen2, 24 layers, hidden 896, 14 heads / 2 KV heads, head_dim 64, QKV bias, tied
        "special": ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        "tokens": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "bos_token": None},
        "template": QWEN_TEMPLATE,
        # the real tokenizer_config.json's tokenizer_class: Qwen2Tokenizer
        "class": "Qwen2TokenizerFast",
        "ranks": True,
        "vocab_size": 151936,  # the real config's (151,643 ranks + specials, padded)
    },
    "tiny-llama3": {
        "catalog": "llama3.1-8b",  # llama, 32 layers, hidden 4096, 32 heads / 8 KV heads, head_dim 128, untied
        "special": ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>", "<|python_tag|>"],
        "tokens": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "pad_token": "<|end_of_text|>"},
        "template": LLAMA3_TEMPLATE,
        # the real tokenizer_config.json's tokenizer_class: PreTrainedTokenizerFast
        "class": "PreTrainedTokenizerFast",
    },
}
VOCAB = 1024  # BPE merges learned on the corpus; the model's vocab_size rounds len(tokenizer) up to 64
# Qwen2's pre-tokenizer split (Qwen/Qwen2.5-0.5B-Instruct tokenizer.json; dashscope's PAT_STR)
QWEN_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""


def qwen_tokenizer(ranks, spec):
    tok = TikTokenConverter(vocab_file=ranks, pattern=QWEN_PATTERN, additional_special_tokens=spec["special"]).converted()
    tok.normalizer = normalizers.NFC()
    return tok


def build_tokenizer(corpus, spec, ranks):
    if spec.get("ranks"):
        return finish_tokenizer(qwen_tokenizer(ranks, spec), spec)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=spec["special"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(corpus, trainer=trainer)
    return finish_tokenizer(tok, spec)


def finish_tokenizer(tok, spec):
    named = {k: v for k, v in spec["tokens"].items() if v is not None}
    fast = getattr(transformers, spec["class"])(tokenizer_object=tok, chat_template=spec["template"], model_max_length=32768, **named)
    if spec["tokens"].get("bos_token") is None:
        fast.add_bos_token = False
    return fast


def model_config(name, arch, vocab_size, tokenizer):
    common = dict(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=int(64 * arch["intermediateSize"] / arch["hiddenSize"]) // 32 * 32,
        num_hidden_layers=2,
        num_attention_heads=4,
        # grouped KV heads as in the catalog models (Qwen2.5-0.5B has 2); 2 × head_dim 16 = 32 keeps
        # every projection's output a multiple of 32, which bitsandbytes' CPU 4-bit kernel needs
        # (functional.py _convert_weight_packed_for_cpu, block_n 32) for the QLoRA scenario
        num_key_value_heads=2,
        max_position_embeddings=arch["maxContext"],
        tie_word_embeddings=arch["tiedEmbeddings"],
        rms_norm_eps=1e-6,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    if arch["hfModelType"] == "qwen2":
        return Qwen2Config(**common, rope_theta=1000000.0, use_sliding_window=False, sliding_window=None), Qwen2ForCausalLM
    if arch["hfModelType"] == "llama":
        return (
            LlamaConfig(**common, head_dim=16, rope_theta=500000.0, attention_bias=False, mlp_bias=False),
            LlamaForCausalLM,
        )
    raise SystemExit(f"{name}: no tiny recipe for model_type {arch['hfModelType']}")


def main(out, corpus_file, ranks):
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "planner", "calibration", "architectures.json"), encoding="utf-8") as f:
        catalog = json.load(f)["models"]
    with open(corpus_file, encoding="utf-8") as f:
        corpus = [line.rstrip("\n") for line in f if line.strip()]
    for name, spec in MODELS.items():
        arch = catalog[spec["catalog"]]
        torch.manual_seed(0)
        tokenizer = build_tokenizer(corpus, spec, ranks)
        vocab_size = spec.get("vocab_size") or (len(tokenizer) + 63) // 64 * 64
        config, cls = model_config(name, arch, vocab_size, tokenizer)
        dtype = getattr(torch, arch["dtype"])  # the catalog model's checkpoint dtype
        config.torch_dtype = dtype
        model = cls(config).to(dtype).eval()
        dest = os.path.join(out, name)
        os.makedirs(dest, exist_ok=True)
        model.save_pretrained(dest, safe_serialization=True)
        tokenizer.save_pretrained(dest)
        model.generation_config.save_pretrained(dest)
        size = sum(os.path.getsize(os.path.join(dest, f)) for f in os.listdir(dest))
        print(f"{name}: {config.model_type} from {spec['catalog']}, {sum(p.numel() for p in model.parameters())} params, vocab {vocab_size}, {size / 1e6:.1f} MB in {dest}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
