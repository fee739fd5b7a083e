#!/usr/bin/env python3
"""A rendered vLLM container's args through vLLM's own parser and LoRA checks (pinned vLLM, CPU).

usage: vllm_args.py <image> '<JSON list of the container args, paths mapped to local dirs>'

For the CPU image (vllm-cpu-release-repo, a vLLM build whose version carries "cpu", which makes
vllm/platforms/__init__.py cpu_platform_plugin pick CpuPlatform), vLLM's own CpuPlatform is set
as the current platform: the PyPI wheel here is the CUDA build, which on a machine without a GPU
resolves to no platform and cannot even build the parser's defaults ("Failed to infer device type").

As `vllm serve` (the image's ENTRYPOINT) does: make_arg_parser + validate_parsed_serve_args,
AsyncEngineArgs.from_cli_args, then the LoRAConfig EngineArgs.create_engine_config builds
(vllm/engine/arg_utils.py; pydantic checks max_lora_rank against the allowed set and
max_cpu_loras >= max_loras). For each --lora-modules entry, what the LoRA worker does when it
loads an adapter (vllm/lora/worker_manager.py _load_adapter): PEFTHelper.from_local_dir,
validate_legal (rank <= max_lora_rank, no bias), LoRAModel.from_local_checkpoint with the
expected target modules (unexpected modules raise).

The expected modules come from vLLM's model class: its packed_modules_mapping, and its Linear
layers read from the model's source file (get_supported_lora_modules collects the LinearBase
modules of the built model; building it needs a CUDA or CPU platform build of vLLM, which the
PyPI wheel on a machine without a GPU is not). Prints one JSON line.
"""
import ast
import importlib
import inspect
import json
import sys

import torch
from transformers import AutoConfig

import vllm
import vllm.platforms

if len(sys.argv) == 3 and "vllm-cpu" in sys.argv[1]:
    from vllm.platforms.cpu import CpuPlatform

    vllm.platforms.current_platform = CpuPlatform()
from vllm.config.lora import LoRAConfig
from vllm.engine.arg_utils import AsyncEngineArgs
from vllm.entrypoints.openai.cli_args import make_arg_parser, validate_parsed_serve_args
from vllm.lora.lora_model import LoRAModel
from vllm.lora.peft_helper import PEFTHelper
from vllm.model_executor.models.registry import _TEXT_GENERATION_MODELS
from vllm.utils.argparse_utils import FlexibleArgumentParser


def linear_layers(module):
    """Attribute names assigned a *Linear layer (vLLM's LinearBase subclasses) in the module's source."""
    names = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            fname = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if fname.endswith("Linear"):
                for t in node.targets:
                    if isinstance(t, ast.Attribute):
                        names.add(t.attr)
    return names


def expected_modules(architecture):
    module_name, class_name = _TEXT_GENERATION_MODELS[architecture]
    module = importlib.import_module(f"vllm.model_executor.models.{module_name}")
    cls = getattr(module, class_name)
    packed = getattr(cls, "packed_modules_mapping", {})
    expected = set()
    for name in linear_layers(module):
        expected.update(packed.get(name, [name]))
    return expected, f"{module_name}.{class_name}"


def main(image, argv_json):
    argv = json.loads(argv_json)
    parser = make_arg_parser(FlexibleArgumentParser(prog="vllm serve"))
    args = parser.parse_args(argv)
    validate_parsed_serve_args(args)
    # `vllm serve <model>` puts the positional model into args.model (vllm/entrypoints/cli/serve.py)
    if args.model_tag is not None:
        args.model = args.model_tag
    engine = AsyncEngineArgs.from_cli_args(args)
    if not engine.enable_lora:
        sys.exit("--enable-lora is not set")
    lora_config = LoRAConfig(
        max_lora_rank=engine.max_lora_rank,
        max_loras=engine.max_loras,
        fully_sharded_loras=engine.fully_sharded_loras,
        lora_dtype=engine.lora_dtype,
        target_modules=engine.lora_target_modules,
        max_cpu_loras=engine.max_cpu_loras if engine.max_cpu_loras and engine.max_cpu_loras > 0 else None,
    )
    hf = AutoConfig.from_pretrained(args.model_tag)
    expected, cls = expected_modules(hf.architectures[0])
    adapters = []
    for i, entry in enumerate(args.lora_modules or []):
        peft = PEFTHelper.from_local_dir(entry.path, hf.max_position_embeddings, None)
        peft.validate_legal(lora_config)
        LoRAModel.from_local_checkpoint(
            entry.path, expected, peft_helper=peft, lora_model_id=i + 1, device="cpu", dtype=torch.float32, model_vocab_size=hf.vocab_size
        )
        adapters.append(f"{entry.name} (r={peft.r})")
    if not adapters:
        sys.exit("no --lora-modules")
    print(json.dumps({"version": vllm.__version__, "platform": type(vllm.platforms.current_platform).__name__, "maxLoraRank": lora_config.max_lora_rank, "maxLoras": lora_config.max_loras, "model": cls, "expected": sorted(expected), "adapters": adapters}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
