/**
 * Pod and container security defaults (docs/architecture.md §6): non-root where the image allows, no
 * privilege escalation, all capabilities dropped, RuntimeDefault seccomp.
 */
export interface RunAs {
  /** UID the image can run as; `undefined` for images that must start as root (documented per image). */
  readonly uid?: number;
}

export function podSecurityContext(runAs: RunAs) {
  return runAs.uid === undefined
    ? { seccompProfile: { type: "RuntimeDefault" } }
    : {
        runAsNonRoot: true,
        runAsUser: runAs.uid,
        runAsGroup: runAs.uid,
        fsGroup: runAs.uid,
        seccompProfile: { type: "RuntimeDefault" },
      };
}

export function containerSecurityContext(options: { readOnlyRootFilesystem?: boolean } = {}) {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? false,
    seccompProfile: { type: "RuntimeDefault" },
  };
}
