/**
 * What the mocked engine answers: the outputs real providers compute (ARNs, kubeconfigs, a
 * referenced stack's outputs) and the AWS invokes the program may make. Everything else echoes
 * its inputs, as a freshly created resource would.
 */
import type * as pulumi from "@pulumi/pulumi";
import { platformContract } from "../components/platform/contract.ts";
import { loadStackFile } from "../config/load.ts";

export const MOCK_ACCOUNT = "111122223333";
export const MOCK_KUBECONFIG = '{"apiVersion":"v1","kind":"Config","clusters":[],"contexts":[],"users":[]}';

const CA_DATA = Buffer.from("mock certificate authority").toString("base64");

function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function region(inputs: Record<string, unknown>, fallback: string): string {
  return str(inputs.region, fallback);
}

/** eks:index:Cluster is a remote component: its outputs come from the eks plugin, not its inputs. */
function eksClusterState(name: string, inputs: Record<string, unknown>, awsRegion: string): Record<string, unknown> {
  const clusterName = str(inputs.name, name);
  const arn = `arn:aws:eks:${awsRegion}:${MOCK_ACCOUNT}:cluster/${clusterName}`;
  const endpoint = `https://${clusterName}.gr7.${awsRegion}.eks.amazonaws.com`;
  const oidcIssuer = `oidc.eks.${awsRegion}.amazonaws.com/id/MOCK${clusterName.toUpperCase().replace(/[^A-Z0-9]/g, "")}`;
  const oidcProviderArn = `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/${oidcIssuer}`;
  const eksCluster = {
    name: clusterName,
    arn,
    endpoint,
    version: inputs.version,
    certificateAuthority: { data: CA_DATA },
    vpcConfig: { clusterSecurityGroupId: "sg-0c0c0c0c0c0c0c0c0" },
  };
  return {
    ...inputs,
    kubeconfig: JSON.parse(MOCK_KUBECONFIG),
    kubeconfigJson: MOCK_KUBECONFIG,
    eksCluster,
    clusterSecurityGroupId: "sg-0c0c0c0c0c0c0c0c0",
    nodeSecurityGroupId: "sg-0d0d0d0d0d0d0d0d0",
    oidcIssuer,
    oidcProviderArn,
    oidcProviderUrl: `https://${oidcIssuer}`,
    instanceRoles: [],
    core: {
      cluster: eksCluster,
      endpoint,
      clusterSecurityGroupId: "sg-0c0c0c0c0c0c0c0c0",
      oidcProvider: { arn: oidcProviderArn, url: oidcIssuer },
      subnetIds: inputs.privateSubnetIds ?? [],
      vpcId: inputs.vpcId,
      instanceRoles: [],
      nodeGroupOptions: {},
      tags: inputs.tags ?? {},
    },
  };
}

/** awsx:ec2:Vpc is a remote component too: the ids its VPC and per-zone subnets would report. */
function awsxVpcState(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const count = typeof inputs.numberOfAvailabilityZones === "number" ? inputs.numberOfAvailabilityZones : 3;
  const zones = Array.from({ length: count }, (_, i) => i + 1);
  return {
    ...inputs,
    vpcId: `vpc-mock-${name}`,
    privateSubnetIds: zones.map((i) => `subnet-mock-${name}-private-${i}`),
    publicSubnetIds: zones.map((i) => `subnet-mock-${name}-public-${i}`),
  };
}

/**
 * A StackReference reads the referenced platform stack's outputs; offline they are derived from
 * its stack file, which is exactly what the deployed platform stack exports.
 */
function stackReferenceState(inputs: Record<string, unknown>, stacksDir: string): Record<string, unknown> {
  const fullName = String(inputs.name);
  const stack = fullName.split("/").pop()!;
  const contract = platformContract(loadStackFile(stack, stacksDir).platform);
  return { name: fullName, outputs: { kubeconfig: MOCK_KUBECONFIG, contract }, secretOutputNames: ["kubeconfig"] };
}

/** Outputs for one registered resource: its inputs plus what the provider would compute. */
export function mockState(args: pulumi.runtime.MockResourceArgs, stacksDir: string, awsRegion: string): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  const r = region(inputs, awsRegion);
  switch (args.type) {
    case "eks:index:Cluster":
      return eksClusterState(args.name, inputs, r);
    case "awsx:ec2:Vpc":
      return awsxVpcState(args.name, inputs);
    case "pulumi:pulumi:StackReference":
      return stackReferenceState(inputs, stacksDir);
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `mock-password-${args.name}` };
    case "aws:s3/bucket:Bucket":
      return { ...inputs, arn: `arn:aws:s3:::${str(inputs.bucket, args.name)}` };
    case "aws:kms/key:Key":
      return { ...inputs, arn: `arn:aws:kms:${r}:${MOCK_ACCOUNT}:key/${args.name}`, keyId: `${args.name}-key-id` };
    case "aws:iam/role:Role":
      return { ...inputs, name: str(inputs.name, args.name), arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${str(inputs.name, args.name)}` };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { ...inputs, latestVersion: 1 };
    case "aws:sqs/queue:Queue": {
      const queue = str(inputs.name, args.name);
      return { ...inputs, arn: `arn:aws:sqs:${r}:${MOCK_ACCOUNT}:${queue}`, url: `https://sqs.${r}.amazonaws.com/${MOCK_ACCOUNT}/${queue}` };
    }
    case "aws:cloudwatch/eventRule:EventRule":
      return { ...inputs, name: str(inputs.name, args.name), arn: `arn:aws:events:${r}:${MOCK_ACCOUNT}:rule/${str(inputs.name, args.name)}` };
    default:
      return inputs;
  }
}

/** Answers for the AWS invokes a program may make; other invokes echo their arguments. */
export function mockCall(args: pulumi.runtime.MockCallArgs, awsRegion: string): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/mock`, userId: "AIDAMOCKUSERID", id: MOCK_ACCOUNT };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
    case "aws:index/getRegion:getRegion": {
      const name = typeof args.inputs.region === "string" ? args.inputs.region : awsRegion;
      return { name, region: name, endpoint: `ec2.${name}.amazonaws.com`, description: name, id: name };
    }
    default:
      return args.inputs as Record<string, unknown>;
  }
}
