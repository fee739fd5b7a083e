/**
 * Names shared by every area. Kubernetes object names and label values must be DNS-1123 labels
 * (RFC 1123: lower-case alphanumerics and '-', start and end alphanumeric, at most 63 characters).
 */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_MAX = 63;

/** Child resource names are `${parent}-${role}`: identity in Pulumi state, so never rename a role. */
export function childName(parent: string, role: string): string {
  return `${parent}-${role}`;
}
