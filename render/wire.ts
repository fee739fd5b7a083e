/**
 * Turns resource inputs as the engine receives them (the RPC wire form, @pulumi/pulumi
 * runtime/rpc.ts) into plain JSON. A Pulumi secret arrives as
 * `{ [specialSigKey]: specialSecretSig, value }`: `redacted` replaces the whole value with
 * "[secret]" (what render writes and prints), `plain` unwraps it (what schema validation needs,
 * since a redacted value no longer has the field's type).
 */
import * as pulumi from "@pulumi/pulumi";

export const SECRET = "[secret]";

export type Mode = "redacted" | "plain";

const { specialSigKey, specialSecretSig, specialResourceSig, specialAssetSig, specialArchiveSig, specialOutputValueSig, unknownValue } =
  pulumi.runtime;

export function fromWire(value: unknown, mode: Mode): unknown {
  if (value === unknownValue) return "[unknown]";
  if (Array.isArray(value)) return value.map((v) => fromWire(v, mode));
  if (typeof value !== "object" || value === null) return value;
  const obj = value as Record<string, unknown>;
  switch (obj[specialSigKey]) {
    case undefined:
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fromWire(v, mode)]));
    case specialSecretSig:
      return mode === "redacted" ? SECRET : fromWire(obj.value, mode);
    case specialOutputValueSig:
      if (obj.secret === true && mode === "redacted") return SECRET;
      return "value" in obj ? fromWire(obj.value, mode) : "[unknown]";
    case specialResourceSig:
      // A resource reference: its URN identifies it (the id is a provider detail).
      return { resource: obj.urn };
    case specialAssetSig:
    case specialArchiveSig:
      return { asset: fromWire(Object.fromEntries(Object.entries(obj).filter(([k]) => k !== specialSigKey)), mode) };
    default:
      throw new Error(`unexpected special value signature ${String(obj[specialSigKey])} in resource inputs`);
  }
}

