import type { Input, Output } from "@pulumi/pulumi";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { awsPlatform } from "../__fixtures__/configs.ts";
import { byName, installMocks, settled, type Registered } from "../__fixtures__/mocks.ts";
import { resolveAws, validateAws, type AwsPlatformConfig } from "./defaults.ts";
import { subnetLayout, validateNetwork } from "./subnets.ts";

type Network = AwsPlatformConfig["network"];
const create = (cidr: string, zones: number, natGateways: "single" | "one-per-zone" = "single"): Network => ({
  mode: "create",
  cidr,
  zones,
  natGateways,
});
const withNetwork = (network: Network): AwsPlatformConfig => ({ ...awsPlatform(), network });

// ---- CIDR helpers for the properties, written independently of subnets.ts.
function range(cidr: string): [number, number] {
  const [ip, mask] = cidr.split("/");
  const base = ip!.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return [base, base + 2 ** (32 - Number(mask)) - 1];
}
const inside = (inner: string, outer: string) => range(inner)[0] >= range(outer)[0] && range(inner)[1] <= range(outer)[1];
const overlap = (a: string, b: string) => range(a)[0] <= range(b)[1] && range(b)[0] <= range(a)[1];
const aligned = (cidr: string) => range(cidr)[0] % (range(cidr)[1] - range(cidr)[0] + 1) === 0;

describe("subnetLayout", () => {
  it.each([
    // The shipped stacks: a /16 over 3 zones → /18 private per zone, /24 public in the 4th /18.
    [
      "10.64.0.0/16",
      3,
      ["10.64.0.0/18", "10.64.64.0/18", "10.64.128.0/18"],
      ["10.64.192.0/24", "10.64.193.0/24", "10.64.194.0/24"],
    ],
    ["10.80.0.0/16", 2, ["10.80.0.0/18", "10.80.64.0/18"], ["10.80.128.0/24", "10.80.129.0/24"]],
    [
      "10.0.0.0/16",
      6,
      ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19", "10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19"],
      ["10.0.192.0/24", "10.0.193.0/24", "10.0.194.0/24", "10.0.195.0/24", "10.0.196.0/24", "10.0.197.0/24"],
    ],
    // Small VPCs: public subnets shrink with the slot, never below what the slot holds.
    ["172.16.0.0/22", 3, ["172.16.0.0/24", "172.16.1.0/24", "172.16.2.0/24"], ["172.16.3.0/26", "172.16.3.64/26", "172.16.3.128/26"]],
  ])("%s over %i zones", (cidr, zones, privates, publics) => {
    const layout = subnetLayout(cidr, zones);
    expect(layout.private).toEqual(privates);
    expect(layout.public).toEqual(publics);
  });

  it("never overlaps, stays inside the VPC, and gives pods the largest subnets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 22 }),
        fc.nat(),
        fc.integer({ min: 2, max: 6 }),
        (mask, n, zones) => {
          // Any aligned /mask inside 10.0.0.0/8.
          const start = 10 * 2 ** 24 + (n % 2 ** (mask - 8)) * 2 ** (32 - mask);
          const cidr = `${[24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join(".")}/${mask}`;
          const layout = subnetLayout(cidr, zones);
          const all = [...layout.private, ...layout.public];
          expect(layout.private).toHaveLength(zones);
          expect(layout.public).toHaveLength(zones);
          for (const [i, s] of all.entries()) {
            expect(inside(s, cidr)).toBe(true);
            expect(aligned(s)).toBe(true);
            for (const t of all.slice(i + 1)) expect(overlap(s, t)).toBe(false);
          }
          expect(layout.privateMask).toBeLessThan(layout.publicMask);
          expect(layout.publicMask).toBeGreaterThanOrEqual(24);
        },
      ),
    );
  });
});

describe("validateNetwork", () => {
  it("accepts the shipped layouts and every existing VPC", () => {
    expect(validateNetwork(create("10.64.0.0/16", 3))).toEqual([]);
    expect(validateNetwork(create("10.80.0.0/16", 3, "one-per-zone"))).toEqual([]);
    expect(validateNetwork(create("172.16.0.0/22", 4))).toEqual([]);
    expect(validateNetwork({ mode: "existing", vpcId: "vpc-0a1b2c3d", privateSubnetIds: ["subnet-0a1b2c3d", "subnet-0a1b2c3e"] })).toEqual([]);
  });

  it.each([
    ["10.64.1.0/16", 3, 'platform.network.cidr: "10.64.1.0/16" has host bits set; did you mean "10.64.0.0/16"?'],
    ["10.300.0.0/16", 3, 'platform.network.cidr: "10.300.0.0/16" is not an IPv4 CIDR (octets are 0-255)'],
    [
      "172.16.0.0/22",
      6,
      "platform.network: a /22 VPC over 6 zones leaves /28 public subnets; load balancers need at least /27 (use a larger cidr or fewer zones)",
    ],
    [
      "172.16.0.0/22",
      5,
      "platform.network: a /22 VPC over 5 zones leaves /28 public subnets; load balancers need at least /27 (use a larger cidr or fewer zones)",
    ],
  ])("refuses %s over %i zones", (cidr, zones, problem) => {
    expect(validateNetwork(create(cidr, zones))).toEqual([problem]);
    expect(validateAws(withNetwork(create(cidr, zones)))).toEqual([problem]);
    let message = "";
    try {
      resolveAws(withNetwork(create(cidr, zones)));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(`aws platform:\n  ${problem}`);
  });
});

describe("registerNetwork under mocks", () => {
  let registered: Registered[];
  let refs: Record<string, { vpcId: unknown; privateSubnetIds: unknown }>;

  beforeAll(async () => {
    const all = await installMocks();
    const pulumi = await import("@pulumi/pulumi");
    const { registerNetwork } = await import("./network.ts");
    const parent = new pulumi.ComponentResource("llmkit:test:Parent", "parent");
    const resolve = (value: Input<unknown>) => new Promise<unknown>((ok) => (pulumi.output(value) as Output<unknown>).apply(ok));
    const dev = registerNetwork("dev", resolveAws(withNetwork(create("10.64.0.0/16", 3, "single"))), parent);
    const prod = registerNetwork(
      "prod",
      resolveAws({ ...withNetwork(create("10.80.0.0/16", 2, "one-per-zone")), cluster: { name: "llmkit-prod", kubernetesVersion: "1.34", admins: [] } }),
      parent,
    );
    const existing = registerNetwork("existing", resolveAws(awsPlatform()), parent);
    refs = {};
    for (const [key, net] of Object.entries({ dev, prod, existing })) {
      refs[key] = { vpcId: await resolve(net.vpcId), privateSubnetIds: await resolve(net.privateSubnetIds) };
    }
    registered = await settled(all);
  });

  it("creates one awsx VPC per created network and nothing for an existing one", () => {
    expect(registered.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      ["llmkit:test:Parent parent", "awsx:ec2:Vpc dev-vpc", "awsx:ec2:Vpc prod-vpc"].sort(),
    );
  });

  it("dev: 3 zones, one NAT gateway, discovery-tagged /18 private subnets, S3 gateway endpoint", () => {
    expect(byName(registered, "dev-vpc").inputs).toEqual({
      cidrBlock: "10.64.0.0/16",
      numberOfAvailabilityZones: 3,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      subnetStrategy: "Auto",
      subnetNameTagStrategy: "AvailabilityZone",
      subnetSpecs: [
        {
          type: "Private",
          cidrBlocks: ["10.64.0.0/18", "10.64.64.0/18", "10.64.128.0/18"],
          tags: { "karpenter.sh/discovery": "llmkit-dev", "kubernetes.io/role/internal-elb": "1" },
        },
        { type: "Public", cidrBlocks: ["10.64.192.0/24", "10.64.193.0/24", "10.64.194.0/24"], tags: { "kubernetes.io/role/elb": "1" } },
      ],
      natGateways: { strategy: "Single" },
      vpcEndpointStrategy: "Auto",
      vpcEndpointSpecs: [{ serviceName: "com.amazonaws.us-west-2.s3", vpcEndpointType: "Gateway" }],
      tags: { "llmkit.dev/cluster": "llmkit-dev" },
    });
  });

  it("prod: a NAT gateway per zone, tags name its own cluster", () => {
    const { inputs } = byName(registered, "prod-vpc");
    expect(inputs.natGateways).toEqual({ strategy: "OnePerAz" });
    expect(inputs.numberOfAvailabilityZones).toBe(2);
    expect(inputs.subnetSpecs[0].tags["karpenter.sh/discovery"]).toBe("llmkit-prod");
    expect(inputs.subnetSpecs.map((s: { cidrBlocks: string[] }) => s.cidrBlocks)).toEqual([
      ["10.80.0.0/18", "10.80.64.0/18"],
      ["10.80.128.0/24", "10.80.129.0/24"],
    ]);
    // The discovery tag goes on private subnets only: never on the VPC-wide tags (which awsx puts on
    // public subnets too) nor on public subnets, where Karpenter would launch nodes with public IPs.
    expect(inputs.tags).not.toHaveProperty("karpenter.sh/discovery");
    expect(inputs.subnetSpecs[1].tags).not.toHaveProperty("karpenter.sh/discovery");
  });

  it("hands the cluster the VPC's private subnets, or the existing ids as given", () => {
    expect(refs).toEqual({
      dev: { vpcId: "dev-vpc-vpc-id", privateSubnetIds: ["dev-vpc-private-1-id", "dev-vpc-private-2-id", "dev-vpc-private-3-id"] },
      prod: { vpcId: "prod-vpc-vpc-id", privateSubnetIds: ["prod-vpc-private-1-id", "prod-vpc-private-2-id"] },
      existing: { vpcId: "vpc-0a1b2c3d4e5f60718", privateSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"] },
    });
  });
});
