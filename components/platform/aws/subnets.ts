/**
 * Subnet layout of a created VPC (pure): CIDR arithmetic and the checks validateAws runs. Kept
 * apart from network.ts so the checks load without @pulumi/awsx.
 */
import type { AwsPlatformConfig } from "./defaults.ts";

/**
 * @default public subnets are at most /24 — they only hold NAT gateways and load balancer
 * interfaces; the rest of their slot stays free for later (e.g. isolated subnets).
 */
export const MAX_PUBLIC_SUBNET_MASK = 24;
/** Load balancers need subnets of at least /27 (Elastic Load Balancing subnet requirements). */
export const MIN_PUBLIC_SUBNET_SIZE_MASK = 27;

function parseIpv4(ip: string): number | undefined {
  const octets = ip.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The `index`-th block of size /`mask` starting at `base`. */
function block(base: number, mask: number, index: number): string {
  return `${formatIpv4(base + index * 2 ** (32 - mask))}/${mask}`;
}

const bitsFor = (count: number) => Math.ceil(Math.log2(count));

export interface SubnetLayout {
  /** One per zone, in zone order. */
  readonly private: readonly string[];
  readonly public: readonly string[];
  readonly privateMask: number;
  readonly publicMask: number;
}

/**
 * Private subnets as large as possible, because the VPC CNI gives every pod a VPC address: the
 * VPC is cut into 2^ceil(log2(zones+1)) equal slots, one private subnet per zone takes one slot
 * each (a /16 with 3 zones → /18, 16,379 usable addresses per zone), and the next slot is cut
 * into the public subnets (at most /24 each). Remaining slots stay free.
 */
export function subnetLayout(cidr: string, zones: number): SubnetLayout {
  const [ip, maskText] = cidr.split("/");
  const base = parseIpv4(ip ?? "");
  const vpcMask = Number(maskText);
  if (base === undefined || !Number.isInteger(vpcMask)) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const privateMask = vpcMask + bitsFor(zones + 1);
  const publicMask = Math.max(privateMask + bitsFor(zones), MAX_PUBLIC_SUBNET_MASK);
  const publicBase = base + zones * 2 ** (32 - privateMask);
  const indexes = Array.from({ length: zones }, (_, i) => i);
  return {
    private: indexes.map((i) => block(base, privateMask, i)),
    public: indexes.map((i) => block(publicBase, publicMask, i)),
    privateMask,
    publicMask,
  };
}

/** Problems of a mode-create network, each naming its config path (collected by validateAws). */
export function validateNetwork(network: AwsPlatformConfig["network"]): string[] {
  if (network.mode !== "create") return [];
  const [ip, maskText] = network.cidr.split("/");
  const base = parseIpv4(ip ?? "");
  const mask = Number(maskText);
  if (base === undefined) return [`platform.network.cidr: "${network.cidr}" is not an IPv4 CIDR (octets are 0-255)`];
  const problems: string[] = [];
  const aligned = base - (base % 2 ** (32 - mask));
  if (aligned !== base) {
    problems.push(`platform.network.cidr: "${network.cidr}" has host bits set; did you mean "${formatIpv4(aligned)}/${mask}"?`);
  }
  const layout = subnetLayout(network.cidr, network.zones);
  if (layout.publicMask > MIN_PUBLIC_SUBNET_SIZE_MASK) {
    problems.push(
      `platform.network: a /${mask} VPC over ${network.zones} zones leaves /${layout.publicMask} public subnets; load balancers need at least /${MIN_PUBLIC_SUBNET_SIZE_MASK} (use a larger cidr or fewer zones)`,
    );
  }
  return problems;
}
