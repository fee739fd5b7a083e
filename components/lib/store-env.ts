/**
 * Environment that lets the AWS CLI (and boto3, and vLLM's S3 loaders) reach the model store.
 * On AWS, EKS Pod Identity injects credentials into pods of the role's service account, so only
 * the region is set; S3-compatible stores get an endpoint and keys from a Secret, never literals.
 */
import type { StoreRef } from "./store.ts";

export function storeEnv(store: StoreRef) {
  const env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[] = [
    { name: "AWS_REGION", value: store.region },
    { name: "AWS_DEFAULT_REGION", value: store.region },
  ];
  if (store.endpoint !== undefined) {
    // AWS CLI v2 and the SDKs honour AWS_ENDPOINT_URL (service-specific endpoints, CLI ≥ 2.13).
    env.push({ name: "AWS_ENDPOINT_URL", value: store.endpoint });
  }
  if (store.credentialsSecret !== undefined) {
    for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
      env.push({ name: key, valueFrom: { secretKeyRef: { name: store.credentialsSecret, key } } });
    }
  }
  return env;
}
