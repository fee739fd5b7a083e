/**
 * Pulumi mocks for the platform tests: records every registered resource and returns the
 * outputs real providers compute that the components read (ARNs, names, the EKS kubeconfig).
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  readonly type: string;
  readonly name: string;
  // Tests read nested inputs of many resource kinds; typing each would only add noise.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: any;
  readonly provider: string | undefined;
  /** Resource options the engine receives (read from the raw request, see installMocks). */
  readonly retainOnDelete: boolean;
  /** Names of the resources this one waits for (dependsOn and parent-independent input deps). */
  readonly dependsOn: readonly string[];
}

interface RegisterRequest {
  getName(): string;
  getRetainondelete(): boolean | undefined;
  getDependenciesList(): string[];
}

export const ACCOUNT = "111122223333";
export const KUBECONFIG_JSON = '{"apiVersion":"v1","kind":"Config"}';
/** The security group EKS creates for a cluster (eksCluster.vpcConfig.clusterSecurityGroupId). */
export const CLUSTER_SECURITY_GROUP = "sg-0c1a5e7c1a5e7c1a5";
/** Who runs `pulumi up` in the mocks: a CI role session, as `aws sts get-caller-identity` reports it. */
export const CALLER_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/llmkit-deployer/ci-session`;

/** Answers for the invokes the components make; others echo their arguments. */
function invoked(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT, arn: CALLER_ARN, userId: "AROAMOCKDEPLOYER:ci-session", id: ACCOUNT };
    case "aws:eks/getClusters:getClusters":
      return { names: [], id: "us-west-2" };
    default:
      return inputs;
  }
}

/** Outputs the components consume, per resource type (everything else echoes its inputs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function computed(type: string, name: string, inputs: any): Record<string, unknown> {
  switch (type) {
    case "eks:index:Cluster":
      // eks.Cluster is a remote component: its outputs come from the eks plugin, not its inputs.
      return {
        kubeconfigJson: KUBECONFIG_JSON,
        eksCluster: {
          name: inputs.name,
          arn: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/${inputs.name}`,
          vpcConfig: { clusterSecurityGroupId: CLUSTER_SECURITY_GROUP },
        },
      };
    case "awsx:ec2:Vpc": {
      // awsx.ec2.Vpc is a remote component too: ids per zone, as its subnets would report them.
      const zones = Array.from({ length: inputs.numberOfAvailabilityZones ?? 3 }, (_, i) => i + 1);
      return {
        vpcId: `${name}-vpc-id`,
        privateSubnetIds: zones.map((i) => `${name}-private-${i}-id`),
        publicSubnetIds: zones.map((i) => `${name}-public-${i}-id`),
      };
    }
    case "aws:s3/bucket:Bucket":
      return { arn: `arn:aws:s3:::${inputs.bucket}` };
    case "aws:kms/key:Key":
      return { arn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${name}` };
    case "aws:iam/role:Role":
      return { name: `${name}-physical`, arn: `arn:aws:iam::${ACCOUNT}:role/${name}-physical` };
    case "random:index/randomPassword:RandomPassword":
      return { result: `${name}-generated` };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { latestVersion: 1 };
    case "aws:sqs/queue:Queue":
      return { arn: `arn:aws:sqs:us-west-2:${ACCOUNT}:${inputs.name}`, url: `https://sqs.us-west-2.amazonaws.com/${ACCOUNT}/${inputs.name}` };
    case "aws:cloudwatch/eventRule:EventRule":
      return { name: `${name}-physical`, arn: `arn:aws:events:us-west-2:${ACCOUNT}:rule/${name}-physical` };
    default:
      return {};
  }
}

/** Call before importing a component module (dynamic import), as Pulumi mocks require. */
export async function installMocks(): Promise<Registered[]> {
  const registered: Registered[] = [];
  const options = new Map<string, { retainOnDelete: boolean; dependsOn: string[] }>();
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        const o = options.get(a.name) ?? { retainOnDelete: false, dependsOn: [] };
        registered.push({ type: a.type, name: a.name, inputs: a.inputs, provider: a.provider, ...o });
        return { id: `${a.name}-id`, state: { ...a.inputs, ...computed(a.type, a.name, a.inputs) } };
      },
      call: (a) => invoked(a.token, a.inputs as Record<string, unknown>),
    },
    "llmkit",
    "test",
    false,
  );
  // newResource does not see resource options: read them off the request the mock monitor gets.
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: RegisterRequest, cb: unknown) => unknown };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    options.set(req.getName(), {
      retainOnDelete: req.getRetainondelete() ?? false,
      dependsOn: req.getDependenciesList().map((urn) => urn.split("::").pop()!),
    });
    return register(req, cb);
  };
  return registered;
}

/** Resolves an Output (mocks resolve them; unknowns never occur outside preview). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Registration is asynchronous: wait until nothing new has arrived for a short while. */
export async function settled(registered: Registered[]): Promise<Registered[]> {
  let count = -1;
  while (count !== registered.length) {
    count = registered.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return registered;
}

/** How a secret input reaches the engine (@pulumi/pulumi runtime/rpc.d.ts specialSecretSig). */
export function secretInput(value: unknown) {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

export function byName(registered: readonly Registered[], name: string): Registered {
  const found = registered.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}: ${registered.map((r) => r.name).join(", ")}`);
  return found[0]!;
}
