/**
 * The pack's policies are pure functions of plain data, so tests run them without the Pulumi
 * engine: a resource check sees one resource's type and inputs, a stack check sees them all.
 * `../pack.ts` adapts both to @pulumi/policy's `validateResource`/`validateStack`.
 */
import type { EnforcementLevel } from "@pulumi/policy";

export type { EnforcementLevel };

/** One resource as the pack sees it: the harness's ResourceRecord, or a PolicyResource mapped. */
export interface PolicyInput {
  readonly type: string;
  /** Pulumi (logical) name. */
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** Name of the parent resource, when known. */
  readonly parent?: string | null;
  /** Names of the resources each input property depends on (engine only; absent under mocks). */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Violation {
  readonly message: string;
  /** Pulumi name of the offending resource; absent for a stack-wide violation. */
  readonly resource?: string;
}

interface PolicyBase {
  /** Unique, kebab-case: the key in enforcement files and in `--policy-pack-config`. */
  readonly name: string;
  readonly description: string;
}

export interface ResourcePolicy extends PolicyBase {
  readonly kind: "resource";
  /** Messages for every problem with this resource; [] when compliant or not applicable. */
  check(type: string, inputs: Record<string, unknown>): string[];
}

export interface StackPolicy extends PolicyBase {
  readonly kind: "stack";
  check(resources: readonly PolicyInput[]): Violation[];
}

export type LlmkitPolicy = ResourcePolicy | StackPolicy;
