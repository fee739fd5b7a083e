/**
 * Self-cognition ("who are you?") rows for a fine-tune's `identity`: the template file is copied
 * from the store with the other datasets, an `identity` init container (engine image, after
 * restore, before train) fills its placeholders with scripts/fill-identity.py, and the filled file
 * is one more dataset of the engine (dataset_info.json entry / ms-swift --dataset path).
 */
import { readFileSync } from "node:fs";
import { containerSecurityContext } from "../lib/pod-security.ts";
import type { EffectiveDataset, EffectiveFineTune } from "./defaults.ts";
import type { EnvVar, VolumeMount } from "./job.ts";
import { CONFIG_DIR, DATA_DIR, DONE_MARKER } from "./layout.ts";

export const FILL_IDENTITY_SCRIPT = "fill-identity.py";
const script = readFileSync(new URL(`./scripts/${FILL_IDENTITY_SCRIPT}`, import.meta.url), "utf8");

/** Local names in DATA_DIR; the file's extension is kept because both engines pick a loader by it. */
export function identityFiles(path: string): { template: string; filled: string } {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return { template: `identity-template-${base}`, filled: `identity-${base}` };
}

/** The filled file as one more training dataset (its rows teach who the model is: domain data). */
export function identityDataset(ft: EffectiveFineTune): { file: string; dataset: EffectiveDataset } | undefined {
  const id = ft.identity;
  if (id === undefined) return undefined;
  return { file: identityFiles(id.path).filled, dataset: { path: id.path, format: id.format, purpose: "domain", samples: id.samples } };
}

/** The datasets.txt line ("<store key> <local file>") that makes restore copy the template. */
export function identityDownloadLine(ft: EffectiveFineTune): string {
  return ft.identity === undefined ? "" : `${ft.identity.path} ${identityFiles(ft.identity.path).template}\n`;
}

export function identityConfigData(ft: EffectiveFineTune): Record<string, string> {
  return ft.identity === undefined ? {} : { [FILL_IDENTITY_SCRIPT]: script };
}

/** Filling a JSON file of a few hundred rows needs little: the limits keep it off the trainer's budget. */
const IDENTITY_RESOURCES = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } };

export function identityInitContainers(ft: EffectiveFineTune, engineImage: string, volumeMounts: readonly VolumeMount[]) {
  const id = ft.identity;
  if (id === undefined) return [];
  const files = identityFiles(id.path);
  // through the environment, so no quoting of names with quotes, spaces or non-ASCII letters
  const env: EnvVar[] = [
    { name: "IDENTITY_NAME", value: id.name },
    { name: "IDENTITY_AUTHOR", value: id.author },
    { name: "DONE_MARKER", value: DONE_MARKER },
  ];
  return [
    {
      name: "identity",
      image: engineImage,
      command: ["python3", `${CONFIG_DIR}/${FILL_IDENTITY_SCRIPT}`, `${DATA_DIR}/${files.template}`, `${DATA_DIR}/${files.filled}`],
      env,
      resources: IDENTITY_RESOURCES,
      securityContext: containerSecurityContext(),
      volumeMounts: [...volumeMounts],
    },
  ];
}
