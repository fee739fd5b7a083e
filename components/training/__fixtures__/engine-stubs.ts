/**
 * Stand-ins for the Python entry points scripts/eval-heldout.py drives (LLaMA-Factory's run_exp,
 * ms-swift's SwiftSft/SwiftRLHF, transformers' TrainerCallback, OmegaConf), for the script tests:
 * they record what they were given in $STUB_CALLS (one JSON line per pass) and report evaluation
 * metrics the way transformers' Trainer does: an on_evaluate callback with the eval dataloader
 * (LLaMA-Factory), trainer.evaluate() and trainer.eval_dataset (ms-swift, which also writes its
 * held-out rows to output_dir/val_dataset.jsonl: $STUB_VAL_ROWS). The adapter pass scores loss
 * 0.5, the base 1.5; stage dpo adds reward accuracy and margin; 7 rows.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const METRICS = String.raw`
def metrics(adapter, dpo):
    m = {"eval_loss": 0.5 if adapter else 1.5, "eval_runtime": 1.0}
    if dpo:
        m.update({"eval_rewards/accuracies": 0.75 if adapter else 0.0, "eval_rewards/margins": 0.25 if adapter else 0.0})
    return m


def record(entry):
    import json, os
    with open(os.environ["STUB_CALLS"], "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")

ROWS = [{}] * 7
`;

const FILES: Record<string, string> = {
  "transformers.py": "class TrainerCallback:\n    pass\n",
  // OmegaConf.to_container(OmegaConf.load(path)) hands run_exp the config; here: its text
  "omegaconf.py": "class OmegaConf:\n    load = staticmethod(lambda path: open(path, encoding='utf-8').read())\n    to_container = staticmethod(lambda text: {'text': text})\n",
  "llamafactory/__init__.py": "",
  "llamafactory/train/__init__.py": "",
  "llamafactory/train/tuner.py": `${METRICS}
class Loader:
    dataset = ROWS


def run_exp(args, callbacks):
    text = args["text"]
    record({"engine": "llamafactory", "config": text})
    for cb in callbacks:
        cb.on_evaluate(None, None, None, metrics=metrics("adapter_name_or_path:" in text, "stage: dpo" in text), eval_dataloader=Loader())
`,
  "swift/__init__.py": "",
  "swift/pipelines/__init__.py": "",
  "swift/pipelines/train.py": `${METRICS}
class SwiftSft:
    command = "sft"

    def __init__(self, args):
        self.args = args

    def main(self):
        import os
        record({"engine": "ms-swift", "command": self.command, "args": self.args})
        args = self.args
        # ms-swift writes the split it made to output_dir/val_dataset.jsonl (sft.py _save_val_dataset)
        out = args[args.index("--output_dir") + 1]
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "val_dataset.jsonl"), "w", encoding="utf-8") as f:
            f.write(os.environ.get("STUB_VAL_ROWS", '{"messages": ["held out"]}\\n'))

        class Trainer:
            eval_dataset = ROWS
            args = state = control = None

            class callback_handler:
                on_train_begin = staticmethod(lambda *a: None)

            def evaluate(self):
                return metrics("--adapters" in args, self_dpo)

        self_dpo = self.command == "rlhf"
        return self.train(Trainer())


class SwiftRLHF(SwiftSft):
    command = "rlhf"
`,
};

/** Writes the stand-ins under `dir`; put it on PYTHONPATH. */
export function writeEngineStubs(dir: string): string {
  for (const [file, body] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), body);
  }
  return dir;
}
