#!/usr/bin/env python3
"""Fine-tune, `train` after training (engine image): the engine's own evaluation of the held-out split.

usage: eval-heldout.py llamafactory <eval config.yaml> <result.json>
       eval-heldout.py ms-swift <sft|rlhf> <eval args file> <result.json> <training's val_dataset.jsonl> [extra swift args...]

Runs once for the new adapter and once for the base model (scripts/train.sh), on the same rows
through the same code, and writes {"samples": <rows evaluated>, "metrics": <the trainer's eval
metrics>} for scripts/lineage.py. Both engines evaluate with a transformers Trainer; the number of
rows is the evaluation dataloader's dataset, which transformers hands to callbacks
(transformers/trainer.py evaluation_loop sets callback_handler.eval_dataloader).

LLaMA-Factory (hiyouga/LLaMA-Factory@v0.9.5): run_exp, what `llamafactory-cli train` runs
(src/llamafactory/train/tuner.py), on a config with do_train false and do_eval true
(train/sft/workflow.py, train/dpo/workflow.py: trainer.evaluate). Its held-out split is the
training one: data/loader.py get_dataset splits the merged dataset before any preprocessing with
train_test_split(val_size, seed=training_args.seed) (data/data_utils.py split_dataset), whatever
do_train says, and num_samples draws come from numpy seeded by the same seed (hparams/parser.py
get_train_args: transformers.set_seed), so an eval-only pass with the training's dataset, val_size
and seed evaluates the rows training held out.

ms-swift (modelscope/ms-swift@v4.5.2) has no eval-only mode: `swift sft`/`swift rlhf` always train
(swift/pipelines/train/sft.py SwiftSft.run → train; sft_main is SwiftSft(args).main()). Its pipeline
class is run here with train() replaced by trainer.evaluate(), so the data loading, template
encoding, collator, trainer and DPO reference are the engine's. The rows: the training arguments
split the same datasets with the same ratio and data seed again, and ms-swift writes the split it
made to output_dir/val_dataset.jsonl (sft.py _save_val_dataset), in training as in this pass; the
two files must be equal, or nothing is published. (That file does not load back as --val_dataset:
its messages are JSON strings, which ms-swift's preprocessor rejects.)
"""
import filecmp
import json
import os
import sys


def write(out, samples, metrics):
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"samples": samples, "metrics": metrics}, f, indent=2)
        f.write("\n")


def llamafactory(config, out):
    from llamafactory.train.tuner import run_exp
    from omegaconf import OmegaConf
    from transformers import TrainerCallback

    seen = {}

    class Record(TrainerCallback):
        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            seen["samples"] = len(kwargs["eval_dataloader"].dataset)
            seen["metrics"] = dict(metrics or {})

    # what read_args does with `llamafactory-cli train <yaml>` (hparams/parser.py)
    run_exp(args=OmegaConf.to_container(OmegaConf.load(config)), callbacks=[Record()])
    if "metrics" not in seen:
        sys.exit(f"{config}: LLaMA-Factory evaluated nothing (is do_eval true and val_size > 0?)")
    write(out, seen["samples"], seen["metrics"])


def ms_swift(command, args_file, out, training_rows, extra):
    from swift.pipelines.train import SwiftRLHF, SwiftSft

    with open(args_file, encoding="utf-8") as f:
        args = [line.rstrip("\n") for line in f if line.strip()] + extra
    base = {"sft": SwiftSft, "rlhf": SwiftRLHF}[command]
    rows = os.path.join(args[args.index("--output_dir") + 1], "val_dataset.jsonl")

    class Evaluate(base):
        def train(self, trainer):
            if not filecmp.cmp(rows, training_rows, shallow=False):
                sys.exit(f"{rows} differs from training's {training_rows}: ms-swift did not hold out the same rows; nothing is published")
            # as Trainer.train does first: ms-swift's progress and printer callbacks log the
            # evaluation with the start time they take in on_train_begin (swift/trainers/patcher.py)
            trainer.callback_handler.on_train_begin(trainer.args, trainer.state, trainer.control)
            metrics = trainer.evaluate()
            write(out, len(trainer.eval_dataset), metrics)
            return metrics

    Evaluate(args).main()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "llamafactory":
        llamafactory(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 6 and sys.argv[1] == "ms-swift" and sys.argv[2] in ("sft", "rlhf"):
        ms_swift(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
    else:
        sys.exit(__doc__)
