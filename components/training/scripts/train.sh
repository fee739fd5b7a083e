#!/usr/bin/env bash
# Fine-tune, init container `train` (engine image): train, run the smoke prompts (if any) with the
# new adapter, evaluate the held-out split with the adapter and with the base (valRatio > 0), then
# stage the adapter and the run's manifest (lineage.py: ETags, rows, steps, eval loss, GPU,
# evaluation, smoke outputs) for publishing.
set -euo pipefail
source "$(dirname "$0")/store.sh"
require ENGINE CONFIG_DIR OUTPUT_DIR ADAPTER_DIR DONE_MARKER DATA_DIR LINEAGE_DIR WORK_DIR SMOKE_DIR EVAL_DIR

if [[ -e "$DONE_MARKER" ]]; then
  echo "adapter already published: skipping training"
  exit 0
fi

# latest_checkpoint: the checkpoint-N directory of OUTPUT_DIR with the highest N, or nothing.
latest_checkpoint() {
  local best=-1 dir n
  for dir in "$OUTPUT_DIR"/checkpoint-*; do
    n=${dir##*-}
    if [[ -d "$dir" && "$n" =~ ^[0-9]+$ ]] && (( n > best )); then
      best=$n
    fi
  done
  if (( best >= 0 )); then
    echo "$OUTPUT_DIR/checkpoint-$best"
  fi
}

# Stage dpo continuing a published adapter (FROM_DIR, copied by restore.sh): the engines train that
# adapter further with its own adapter_config.json, so its rank and alpha must be the ones the
# spec (and so the manifest) states.
if [[ -n "${FROM_LORA:-}" ]]; then
  require FROM_DIR
  read -r want_rank want_alpha <<< "$FROM_LORA"
  have=$(python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); print(c["r"], c["lora_alpha"])' "$FROM_DIR/adapter_config.json")
  read -r have_rank have_alpha <<< "$have"
  if ! python3 -c 'import sys; a = sys.argv[1:]; sys.exit(0 if int(a[0]) == int(a[2]) and float(a[1]) == float(a[3]) else 1)' "$want_rank" "$want_alpha" "$have_rank" "$have_alpha"; then
    echo "configuration error: the adapter in from: has rank $have_rank, alpha $have_alpha but the spec says rank $want_rank, alpha $want_alpha: pin the run of the fine-tune's current LoRA settings" >&2
    exit "$CONFIG_ERROR"
  fi
fi

case "$ENGINE" in
  llamafactory)
    # optional columns (system, history, tools) only where the files have them
    python3 "$(dirname "$0")/dataset-columns.py" "$DATA_DIR"
    # resumes on its own from the newest checkpoint (overwrite_output_dir: false)
    llamafactory-cli train "$CONFIG_DIR/train.yaml"
    final="$OUTPUT_DIR"
    ;;
  ms-swift)
    # stage dpo: `swift rlhf` on the preference data converted to ms-swift's own format
    command=sft
    argfile="$CONFIG_DIR/swift-args.txt"
    if [[ -f "$CONFIG_DIR/swift-rlhf-args.txt" ]]; then
      command=rlhf
      argfile="$CONFIG_DIR/swift-rlhf-args.txt"
      python3 "$(dirname "$0")/preference-data.py" "$DATA_DIR" "$CONFIG_DIR/swift-preference-datasets.txt"
    fi
    mapfile -t args < "$argfile"
    resume=$(latest_checkpoint)
    if [[ -n "$resume" ]]; then
      args+=(--resume_from_checkpoint "$resume")
    fi
    swift "$command" "${args[@]}"
    # ms-swift saves the final adapter as its last checkpoint
    final=$(latest_checkpoint)
    ;;
  *)
    echo "configuration error: unknown engine \"$ENGINE\"" >&2
    exit "$CONFIG_ERROR"
    ;;
esac

mkdir -p "$ADAPTER_DIR"
for file in adapter_config.json adapter_model.safetensors; do
  if [[ ! -f "$final/$file" ]]; then
    echo "training finished but $final/$file is missing" >&2
    exit 1
  fi
  cp "$final/$file" "$ADAPTER_DIR/$file"
done

# The trainer's final state: LLaMA-Factory's run_sft calls trainer.save_state() into output_dir
# (hiyouga/LLaMA-Factory src/llamafactory/train/sft/workflow.py); ms-swift's last checkpoint has one.
if [[ ! -f "$final/trainer_state.json" ]]; then
  echo "training finished but $final/trainer_state.json is missing" >&2
  exit 1
fi
# Smoke prompts: one greedy completion each with the final adapter (configs: llamafactory.ts
# renderLlamaFactoryPredictConfig, ms-swift.ts renderSwiftInferArgs). A failure fails the pod before
# the manifest is staged, so nothing is published; a retry starts the smoke run afresh.
smoke_results=""
if [[ -f "$CONFIG_DIR/smoke-prompts.json" ]]; then
  rm -rf "$SMOKE_DIR"
  mkdir -p "$SMOKE_DIR"
  cp "$CONFIG_DIR/smoke-dataset.jsonl" "$SMOKE_DIR/smoke-dataset.jsonl"
  status=0
  case "$ENGINE" in
    llamafactory)
      cp "$CONFIG_DIR/smoke-dataset_info.json" "$SMOKE_DIR/dataset_info.json"
      llamafactory-cli train "$CONFIG_DIR/smoke-predict.yaml" || status=$?
      smoke_results="$SMOKE_DIR/output/generated_predictions.jsonl"
      ;;
    ms-swift)
      mapfile -t args < "$CONFIG_DIR/smoke-infer-args.txt"
      # one process: with NPROC_PER_NODE (set for data-parallel training) `swift infer` would start
      # under torchrun too (modelscope/ms-swift@v4.5.2 swift/cli/main.py:95-98 covers infer)
      env -u NPROC_PER_NODE swift infer "${args[@]}" --adapters "$final" || status=$?
      smoke_results="$SMOKE_DIR/result.jsonl"
      ;;
  esac
  if (( status != 0 )); then
    echo "smoke prompts failed: the $ENGINE inference with the new adapter exited $status; nothing is published" >&2
    exit 1
  fi
fi

# Held-out evaluation (components/training/evaluation.ts, scripts/eval-heldout.py): the engine
# evaluates the held-out split once with the new adapter and once with the base, same rows, same
# code; like the smoke run, a failure fails the pod before anything is published.
rm -rf "$EVAL_DIR"
mkdir -p "$EVAL_DIR"
if [[ -f "$CONFIG_DIR/eval-heldout.py" ]]; then
  for pass in adapter base; do
    status=0
    case "$ENGINE" in
      llamafactory)
        python3 "$(dirname "$0")/eval-heldout.py" llamafactory "$CONFIG_DIR/eval-$pass.yaml" "$EVAL_DIR/heldout-$pass.json" || status=$?
        ;;
      ms-swift)
        extra=(--output_dir "$EVAL_DIR/$pass")
        if [[ "$pass" == adapter ]]; then
          extra+=(--adapters "$final")
        fi
        # one process, as for the smoke run
        env -u NPROC_PER_NODE python3 "$(dirname "$0")/eval-heldout.py" ms-swift "$command" "$CONFIG_DIR/swift-eval-args.txt" "$EVAL_DIR/heldout-$pass.json" "$OUTPUT_DIR/val_dataset.jsonl" "${extra[@]}" || status=$?
        ;;
    esac
    if (( status != 0 )); then
      echo "held-out evaluation failed: the $ENGINE evaluation with the $pass exited $status; nothing is published" >&2
      exit 1
    fi
  done
fi

# Evaluation suites (components/training/evaluation.ts, scripts/eval-suite.py): the suite's first
# rows, restored beside the datasets, answered greedily by the adapter and by the base through the
# engine's predict step, then scored against the reference answers.
if [[ -f "$CONFIG_DIR/eval-suites.txt" ]]; then
  mapfile -t suites < "$CONFIG_DIR/eval-suites.txt"
  for line in "${suites[@]}"; do
    read -r name file format max_samples <<< "$line"
    dir="$EVAL_DIR/suite-$name"
    mkdir -p "$dir"
    python3 "$(dirname "$0")/eval-suite.py" rows "$DATA_DIR/$file" "$format" "$max_samples" "$dir/rows.jsonl"
    for pass in adapter base; do
      status=0
      case "$ENGINE" in
        llamafactory)
          cp "$CONFIG_DIR/suite-dataset_info.json" "$dir/dataset_info.json"
          llamafactory-cli train "$CONFIG_DIR/suite-$name-$pass.yaml" || status=$?
          ;;
        ms-swift)
          mapfile -t args < "$CONFIG_DIR/suite-$name-$pass-infer-args.txt"
          if [[ "$pass" == adapter ]]; then
            args+=(--adapters "$final")
          fi
          env -u NPROC_PER_NODE swift infer "${args[@]}" || status=$?
          ;;
      esac
      if (( status != 0 )); then
        echo "evaluation suite $name failed: the $ENGINE inference with the $pass exited $status; nothing is published" >&2
        exit 1
      fi
    done
    # results: LLaMA-Factory's output_dir/generated_predictions.jsonl, ms-swift's --result_path
    if [[ "$ENGINE" == llamafactory ]]; then
      results=("$dir/adapter/generated_predictions.jsonl" "$dir/base/generated_predictions.jsonl")
    else
      results=("$dir/adapter.jsonl" "$dir/base.jsonl")
    fi
    python3 "$(dirname "$0")/eval-suite.py" score "$dir/rows.jsonl" "$ENGINE" "${results[@]}" "$EVAL_DIR/suite-$name.json"
  done
fi

# nvidia-smi is mounted into GPU containers by the NVIDIA runtime; CPU pods have none.
gpu=none
if names=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null) && [[ -n "$names" ]]; then
  gpu=$(head -n 1 <<< "$names")
fi
python3 "$(dirname "$0")/lineage.py" "$final/trainer_state.json" "$gpu" "$WORK_DIR/manifest.json" "$smoke_results" "$EVAL_DIR"
echo "adapter and manifest staged in $ADAPTER_DIR and $WORK_DIR/manifest.json"
