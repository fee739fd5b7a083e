/**
 * The `wait-datasets` init container (aws-cli image, before restore): present only when a
 * fine-tune trains on a hub dataset mirrored by llmkit:datasets, whose mirror Job may still run in
 * the same `pulumi up`. It waits for each mirror's `_SUCCESS` (scripts/wait-datasets.sh).
 */
import { readFileSync } from "node:fs";
import { adapterPrefix } from "../lib/store.ts";
import type { EffectiveFineTune } from "./defaults.ts";
import { awsCliContainer, type EnvVar, type VolumeMount } from "./job.ts";
import { MIRROR_DEADLINE_SECONDS } from "./mirror.ts";

export const WAIT_DATASETS_SCRIPT = "wait-datasets.sh";
const script = readFileSync(new URL(`./scripts/${WAIT_DATASETS_SCRIPT}`, import.meta.url), "utf8");
/** @default 30 — as restore polls for the base model: a store listing every 30 s costs nothing. */
export const WAIT_POLL_SECONDS = 30;

/** Distinct mirror prefixes the run's datasets come from, in dataset order. */
export function mirroredPrefixes(ft: EffectiveFineTune): string[] {
  return [...new Set(ft.datasets.flatMap((d) => (d.mirror === undefined ? [] : [d.mirror])))];
}

export function datasetWaitConfigData(ft: EffectiveFineTune): Record<string, string> {
  return mirroredPrefixes(ft).length === 0 ? {} : { [WAIT_DATASETS_SCRIPT]: script };
}

export function datasetWaitContainers(ft: EffectiveFineTune, runId: string, image: string, store: readonly EnvVar[], volumeMounts: readonly VolumeMount[]) {
  const prefixes = mirroredPrefixes(ft);
  if (prefixes.length === 0) return [];
  return [
    awsCliContainer({
      name: "wait-datasets",
      image,
      script: WAIT_DATASETS_SCRIPT,
      env: [
        ...store,
        { name: "ADAPTER_PREFIX", value: adapterPrefix(ft.name, runId) },
        { name: "MIRROR_PREFIXES", value: prefixes.join(" ") },
        // a dataset mirror is bounded like a model mirror: past its deadline it has failed
        { name: "WAIT_SECONDS", value: String(MIRROR_DEADLINE_SECONDS) },
        { name: "POLL_SECONDS", value: String(WAIT_POLL_SECONDS) },
      ],
      volumeMounts,
    }),
  ];
}
