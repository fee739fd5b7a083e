/**
 * `npm run bench [-- --reps <n>]`: renders generated local stacks with 1, 10 and 100 fine-tunes /
 * adapters under the mock harness (render/harness.ts) and prints the median time per size and per item.
 */
import { performance } from "node:perf_hooks";
import { BENCH_SIZES, benchEngineConfig, median } from "../planner/bench.ts";
import { runWithConfig } from "../render/harness.ts";
import { parseCliArgs, UsageError } from "./args.ts";

const USAGE = "usage: npm run bench -- [--reps <n>]";

async function main(argv: readonly string[]): Promise<number> {
  let reps: number;
  try {
    const values = parseCliArgs(argv, { reps: { type: "string" } }, USAGE);
    reps = values.reps === undefined ? 5 : Number(values.reps);
    if (!Number.isInteger(reps) || reps < 1) throw new UsageError("--reps must be a positive integer", USAGE);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message);
    return 2;
  }
  // one warm-up run so module loading is not billed to the first size
  await runWithConfig("local", benchEngineConfig(1));
  console.log(`render under mocks, median of ${reps} runs`);
  console.log("fine-tunes  resources  median ms  ms/item");
  for (const n of BENCH_SIZES) {
    const times: number[] = [];
    let resources = 0;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const run = await runWithConfig("local", benchEngineConfig(n));
      times.push(performance.now() - t0);
      if (run.error !== undefined) {
        console.error(`bench: render of ${n} fine-tunes failed: ${run.error.message}`);
        return 1;
      }
      resources = run.resources.length;
    }
    const m = median(times);
    console.log(`${String(n).padStart(10)}  ${String(resources).padStart(9)}  ${m.toFixed(1).padStart(9)}  ${(m / n).toFixed(2).padStart(7)}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
