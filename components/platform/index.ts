/**
 * The platform layer (docs/architecture.md §1): one ComponentResource per provider, all handing the
 * workloads layer the same outputs. `createPlatform` picks the class for the config's provider.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./inputs.ts";
import { AwsPlatform } from "./aws/aws-platform.ts";
import { ExistingPlatform } from "./existing/existing-platform.ts";
import { LocalPlatform } from "./local/local-platform.ts";
import type { PlatformOutputs } from "./outputs.ts";

export type { PlatformOutputs } from "./outputs.ts";
export { platformContract, type PlatformContract } from "./contract.ts";
export { platformSchema, type PlatformConfig } from "./inputs.ts";
export { AwsPlatform, type AwsPlatformArgs } from "./aws/aws-platform.ts";
export { ExistingPlatform, type ExistingPlatformArgs } from "./existing/existing-platform.ts";
export { LocalPlatform, type LocalPlatformArgs } from "./local/local-platform.ts";

export function createPlatform(name: string, platform: PlatformConfig, opts: pulumi.ComponentResourceOptions = {}): PlatformOutputs {
  switch (platform.provider) {
    case "local":
      return new LocalPlatform(name, { platform }, opts);
    case "existing":
      return new ExistingPlatform(name, { platform }, opts);
    case "aws":
      return new AwsPlatform(name, { platform }, opts);
  }
}
