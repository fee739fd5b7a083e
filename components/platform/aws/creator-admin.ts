/**
 * The identity that creates the cluster must not also be listed in `platform.cluster.admins`.
 * @pulumi/eks creates the cluster with `bootstrapClusterCreatorAdminPermissions: true`
 * (pulumi/pulumi-eks@v4.3.0 nodejs/eks/cluster/cluster.ts:739, not overridable:
 * pulumi/pulumi-eks#2373), so EKS gives the creator an admin access entry itself, and a second
 * entry for the same principal fails with 409 ResourceInUseException — after the cluster exists,
 * so the first `pulumi up` stops half-way. Refused before the cluster is created instead.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

interface Principal {
  readonly account: string;
  readonly kind: "role" | "user";
  /** The name without its IAM path: a role session ARN carries no path. */
  readonly name: string;
}

/**
 * The IAM principal behind an ARN: a role or user ARN (with or without a path) or a role session
 * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`, what `aws sts get-caller-identity`
 * reports for SSO, CI and instance roles; EKS maps it to the role's access entry,
 * https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html).
 */
export function principalOf(arn: string): Principal | undefined {
  const m = /^arn:[\w-]+:(iam|sts)::(\d{12}):(role|user|assumed-role)\/(.+)$/.exec(arn);
  if (m === null) return undefined;
  const [, , account, type, rest] = m as unknown as [string, string, string, string, string];
  const parts = rest.split("/");
  // assumed-role/<role>/<session>; role/<path…>/<name>; user/<path…>/<name>
  const name = type === "assumed-role" ? parts[0]! : parts[parts.length - 1]!;
  return { account, kind: type === "user" ? "user" : "role", name: name.toLowerCase() };
}

/** IAM names are unique case-insensitively within an account, so compared lower-cased. */
function samePrincipal(a: Principal | undefined, b: Principal | undefined): boolean {
  return a !== undefined && b !== undefined && a.account === b.account && a.kind === b.kind && a.name === b.name;
}

export function creatorAdminProblems(admins: readonly string[], callerArn: string): string[] {
  const caller = principalOf(callerArn);
  return admins.flatMap((arn, i) =>
    samePrincipal(principalOf(arn), caller)
      ? [
          `platform.cluster.admins[${i}]: ${arn} is the identity running pulumi up (${callerArn}), which EKS makes cluster admin when it creates the cluster; ` +
            "a second access entry for it fails with 409 ResourceInUseException: remove it from platform.cluster.admins, or create the cluster as another identity",
        ]
      : [],
  );
}

/**
 * The admins, checked against the caller: refused only while the cluster does not exist yet.
 * Once it exists, its creator's entry was made back then, by whoever that was, and a listed admin
 * running a later update is fine.
 */
export function admitAdmins(clusterName: string, admins: readonly string[], callerArn: string, existingClusters: readonly string[]): readonly string[] {
  const problems = existingClusters.includes(clusterName) ? [] : creatorAdminProblems(admins, callerArn);
  if (problems.length > 0) throw new Error(`aws platform:\n  ${problems.join("\n  ")}`);
  return admins;
}

/** admitAdmins over the deploying identity and the region's clusters (two read-only AWS calls). */
export function checkedAdmins(clusterName: string, admins: readonly string[], parent: pulumi.Resource): pulumi.Output<readonly string[]> {
  if (admins.length === 0) return pulumi.output(admins);
  const caller = aws.getCallerIdentityOutput({}, { parent });
  const existing = aws.eks.getClustersOutput({}, { parent });
  return pulumi.all([caller.arn, existing.names]).apply(([callerArn, names]) => admitAdmins(clusterName, admins, callerArn, names ?? []));
}
