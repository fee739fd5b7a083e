/**
 * Pieces every llmkit batch Job shares: failure classification (docs/architecture.md §6: disruption ≠ bug),
 * bounded runtime, script invocation and the small aws-cli containers.
 */
import { containerSecurityContext } from "../lib/pod-security.ts";
import { CONFIG_DIR, CONFIG_ERROR_EXIT } from "./layout.ts";

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?:
    | { readonly secretKeyRef: { readonly name: string; readonly key: string } }
    | { readonly fieldRef: { readonly fieldPath: string } };
}

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
}

/** Keep finished Jobs (and their pods' logs) for a week, then let Kubernetes delete them. */
export const TTL_AFTER_FINISHED_SECONDS = 7 * 24 * 3600;

/** Scripts are mounted read-only from the ConfigMap and run with bash (they need bash ≥ 4). */
export function scriptCommand(script: string): string[] {
  return ["bash", `${CONFIG_DIR}/${script}`];
}

/** ConfigMap volume with the scripts and configs; read-only files (0444). */
export function configVolume(configMapName: string) {
  return { name: "config", configMap: { name: configMapName, defaultMode: 0o444 } };
}

export const CONFIG_MOUNT: VolumeMount = { name: "config", mountPath: CONFIG_DIR, readOnly: true };

/**
 * Store transfers are network-bound and mostly wait: a tenth of a CPU and 256 MiB are what the
 * scheduler keeps for them (they matter for sidecars, which run beside the trainer, and for pods of
 * aws-cli steps only; a laptop's kind node is small); `aws s3 sync` of multi-GiB files streams in
 * 8 MiB parts and bursts up to the limits for its parallel transfers.
 */
export const AWS_CLI_RESOURCES = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { cpu: "2", memory: "2Gi" },
};

/**
 * podFailurePolicy: a pod killed by a disruption (preemption, node drain, spot reclaim) does not
 * count against backoffLimit; a configuration error (exit 3 from the kit's scripts, in any
 * container) fails the Job at once; other failures are retried up to backoffLimit.
 * Rules apply in order, first match wins (batch/v1 JobSpec.podFailurePolicy).
 */
export function podFailurePolicy() {
  return {
    rules: [
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
      { action: "FailJob", onExitCodes: { operator: "In", values: [CONFIG_ERROR_EXIT] } },
    ],
  };
}

export function awsCliContainer(args: {
  name: string;
  image: string;
  script: string;
  env: readonly EnvVar[];
  volumeMounts: readonly VolumeMount[];
}) {
  return {
    name: args.name,
    image: args.image,
    command: scriptCommand(args.script),
    env: [...args.env],
    resources: AWS_CLI_RESOURCES,
    securityContext: containerSecurityContext(),
    volumeMounts: [...args.volumeMounts],
  };
}
