/**
 * Workload identities on AWS: one IAM role per service account, trusted only by EKS Pod Identity,
 * with the least-privilege store policy of store-policies.ts, bound by a PodIdentityAssociation.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../../lib/naming.ts";
import type { PlatformContract } from "../contract.ts";
import { SERVICE_ACCOUNT_ROLES } from "../namespace.ts";
import type { ModelStore } from "./model-store.ts";
import { podIdentityTrustPolicy, storePolicies } from "./store-policies.ts";

export interface Identities {
  readonly roles: readonly aws.iam.Role[];
  readonly associations: readonly aws.eks.PodIdentityAssociation[];
}

export function registerIdentities(
  name: string,
  contract: PlatformContract,
  store: ModelStore,
  clusterName: pulumi.Input<string>,
  parent: pulumi.Resource,
): Identities {
  const policies = pulumi.all([store.bucket.arn, store.key.arn]).apply(([bucketArn, keyArn]) => storePolicies(bucketArn, keyArn));
  const roles: aws.iam.Role[] = [];
  const associations: aws.eks.PodIdentityAssociation[] = [];
  for (const role of SERVICE_ACCOUNT_ROLES) {
    const serviceAccount = contract.serviceAccounts[role];
    const iamRole = new aws.iam.Role(
      childName(name, `${role}-role`),
      {
        assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()),
        description: `llmkit ${contract.namespace}/${serviceAccount}: model store access`,
      },
      { parent },
    );
    const policy = new aws.iam.RolePolicy(
      childName(name, `${role}-store-access`),
      { role: iamRole.name, policy: policies.apply((p) => JSON.stringify(p[role])) },
      { parent },
    );
    associations.push(
      new aws.eks.PodIdentityAssociation(
        childName(name, `${role}-identity`),
        { clusterName, namespace: contract.namespace, serviceAccount, roleArn: iamRole.arn },
        // Credentials are useless before the policy exists: associate only once it does.
        { parent, dependsOn: [policy] },
      ),
    );
    roles.push(iamRole);
  }
  return { roles, associations };
}
