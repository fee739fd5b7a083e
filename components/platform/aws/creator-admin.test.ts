/**
 * pulumi/pulumi-eks#2373: @pulumi/eks 4.3.0 always bootstraps the creator's admin access entry
 * (pulumi/pulumi-eks@v4.3.0 nodejs/eks/cluster/cluster.ts:739), so listing the creator in
 * platform.cluster.admins fails `pulumi up` with 409. It is refused before the cluster exists.
 */
import { describe, expect, it } from "vitest";
import { ACCOUNT, CALLER_ARN } from "../__fixtures__/mocks.ts";
import { admitAdmins, creatorAdminProblems, principalOf } from "./creator-admin.ts";

describe("principalOf", () => {
  it.each([
    [`arn:aws:iam::${ACCOUNT}:role/platform-admins`, { account: ACCOUNT, kind: "role", name: "platform-admins" }],
    [`arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1f9f`, { account: ACCOUNT, kind: "role", name: "awsreservedsso_admin_1f9f" }],
    [`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_1f9f/jane@example.com`, { account: ACCOUNT, kind: "role", name: "awsreservedsso_admin_1f9f" }],
    [`arn:aws:iam::${ACCOUNT}:user/ops/jane`, { account: ACCOUNT, kind: "user", name: "jane" }],
    [`arn:aws-us-gov:iam::${ACCOUNT}:user/jane`, { account: ACCOUNT, kind: "user", name: "jane" }],
    [`arn:aws:iam::${ACCOUNT}:root`, undefined],
  ])("%s", (arn, expected) => {
    expect(principalOf(arn)).toEqual(expected);
  });
});

describe("creatorAdminProblems", () => {
  const message = (i: number, arn: string, caller: string) =>
    `platform.cluster.admins[${i}]: ${arn} is the identity running pulumi up (${caller}), which EKS makes cluster admin when it creates the cluster; ` +
    "a second access entry for it fails with 409 ResourceInUseException: remove it from platform.cluster.admins, or create the cluster as another identity";

  it("refuses the caller's role when the caller is a session of it (SSO, CI), whatever its IAM path", () => {
    const caller = `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_1f9f/jane@example.com`;
    const admins = [`arn:aws:iam::${ACCOUNT}:role/platform-admins`, `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1f9f`];
    expect(creatorAdminProblems(admins, caller)).toEqual([message(1, admins[1]!, caller)]);
  });

  it("refuses the caller's user", () => {
    const caller = `arn:aws:iam::${ACCOUNT}:user/jane`;
    expect(creatorAdminProblems([caller], caller)).toEqual([message(0, caller, caller)]);
  });

  it.each([
    ["a role of the same name in another account", `arn:aws:iam::444455556666:role/llmkit-deployer`],
    ["a user named like the caller's role", `arn:aws:iam::${ACCOUNT}:user/llmkit-deployer`],
    ["another role", `arn:aws:iam::${ACCOUNT}:role/platform-admins`],
  ])("accepts %s", (_, arn) => {
    expect(creatorAdminProblems([arn], CALLER_ARN)).toEqual([]);
  });
});

describe("admitAdmins (caller: a session of role llmkit-deployer)", () => {
  const creator = `arn:aws:iam::${ACCOUNT}:role/llmkit-deployer`;

  it("refuses the creator while the cluster does not exist yet", () => {
    expect(() => admitAdmins("llmkit-new", [creator], CALLER_ARN, ["other-cluster"])).toThrow(
      `aws platform:\n  platform.cluster.admins[0]: ${creator} is the identity running pulumi up (${CALLER_ARN}),`,
    );
  });

  it("passes other admins through unchanged", () => {
    const admins = [`arn:aws:iam::${ACCOUNT}:role/platform-admins`];
    expect(admitAdmins("llmkit-new", admins, CALLER_ARN, [])).toEqual(admins);
  });

  it("lets a listed admin run later updates of an existing cluster (its entry exists already)", () => {
    expect(admitAdmins("llmkit-existing", [creator], CALLER_ARN, ["llmkit-existing"])).toEqual([creator]);
  });
});
