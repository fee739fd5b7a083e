/**
 * The VPC the cluster runs in: an existing one by ids, or (mode "create") a new one built with
 * @pulumi/awsx `ec2.Vpc`. The pure parts (`vpcArgs` here, `subnetLayout` in subnets.ts) are what tests inspect.
 *
 * awsx behaviour relied on, from pulumi/pulumi-awsx@v3.8.0 awsx/ec2/vpc.ts and
 * awsx/ec2/subnetDistributorNew.ts (unchanged in awsx/ec2 up to e60adf3c):
 * - `subnetStrategy: "Auto"` with `cidrBlocks` on every spec picks the explicit allocator: the i-th
 *   block of a spec goes to the i-th zone (`getSubnetSpecsExplicit`); zones are the region's first
 *   `numberOfAvailabilityZones` from `aws.getAvailabilityZones` (`getDefaultAzs`);
 * - `args.tags` land on the VPC, internet gateway and every subnet; a spec's `tags` only on that
 *   spec's subnets — so the Karpenter discovery tag goes on the private spec, never in `tags`;
 * - `natGateways.strategy` "Single" puts one gateway in the first zone's public subnet and routes
 *   every private subnet through it; "OnePerAz" one per zone (`shouldCreateNatGateway`);
 * - a gateway endpoint spec with `vpcEndpointStrategy: "Auto"` is attached to every route table.
 */
import * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import { childName } from "../../lib/naming.ts";
import type { NetworkRefs } from "./cluster.ts";
import { DISCOVERY_TAG, type AwsPlatformConfig, type ResolvedAws } from "./defaults.ts";
import { subnetLayout } from "./subnets.ts";

type CreateNetwork = Extract<AwsPlatformConfig["network"], { mode: "create" }>;

/** AWS Load Balancer Controller subnet discovery: internal load balancers. */
export const INTERNAL_ELB_TAG = "kubernetes.io/role/internal-elb";
/** AWS Load Balancer Controller subnet discovery: internet-facing load balancers. */
export const PUBLIC_ELB_TAG = "kubernetes.io/role/elb";

const NAT_STRATEGY = { single: "Single", "one-per-zone": "OnePerAz" } as const;

/** Arguments of awsx.ec2.Vpc (pure, so tests compare them whole). */
export function vpcArgs(network: CreateNetwork, clusterName: string, region: string): awsx.ec2.VpcArgs {
  const layout = subnetLayout(network.cidr, network.zones);
  return {
    cidrBlock: network.cidr,
    numberOfAvailabilityZones: network.zones,
    // EKS nodes register by private DNS name; PrivateLink and node bootstrap need both on.
    enableDnsHostnames: true,
    enableDnsSupport: true,
    subnetStrategy: "Auto",
    subnetNameTagStrategy: "AvailabilityZone",
    subnetSpecs: [
      { type: "Private", cidrBlocks: [...layout.private], tags: { [DISCOVERY_TAG]: clusterName, [INTERNAL_ELB_TAG]: "1" } },
      { type: "Public", cidrBlocks: [...layout.public], tags: { [PUBLIC_ELB_TAG]: "1" } },
    ],
    // single: one NAT gateway (cheapest; losing its zone cuts egress for all); one-per-zone: survives a zone loss.
    natGateways: { strategy: NAT_STRATEGY[network.natGateways] },
    // Model weights are multi-GB S3 downloads: a gateway endpoint (free) keeps them off the NAT
    // gateways, which charge per GB processed.
    vpcEndpointStrategy: "Auto",
    vpcEndpointSpecs: [{ serviceName: `com.amazonaws.${region}.s3`, vpcEndpointType: "Gateway" }],
    tags: { "llmkit.dev/cluster": clusterName },
  };
}

export interface Network extends NetworkRefs {
  /** The created VPC component; absent for an existing VPC. */
  readonly vpc?: awsx.ec2.Vpc;
}

export function registerNetwork(name: string, resolved: ResolvedAws, parent: pulumi.Resource): Network {
  const { network, cluster, region } = resolved.platform;
  if (network.mode === "existing") return { vpcId: network.vpcId, privateSubnetIds: [...network.privateSubnetIds] };
  const vpc = new awsx.ec2.Vpc(childName(name, "vpc"), vpcArgs(network, cluster.name, region), { parent });
  return { vpc, vpcId: vpc.vpcId, privateSubnetIds: vpc.privateSubnetIds };
}
