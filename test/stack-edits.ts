/** Shipped stack files as plain objects to edit in tests, one fresh copy per call. */
import { readStackFile } from "../config/load.ts";

export type Raw = Record<string, any>;
/** A bad-config case: its name, the edited stack and the exact problems the loader must report. */
export type BadCase = [string, Raw, string[]];

export const local = () => structuredClone(readStackFile("local")) as Raw;
export const workloadsDev = () => structuredClone(readStackFile("workloads-dev")) as Raw;
export const platformDev = () => structuredClone(readStackFile("platform-dev")) as Raw;

export function change<T extends Raw>(raw: T, edit: (r: T) => void): T {
  edit(raw);
  return raw;
}
