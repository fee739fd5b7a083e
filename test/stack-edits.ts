/** Shipped stack files as plain objects to edit in tests, one fresh copy per call. */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { readStackFile, stackFilePath } from "../config/load.ts";

export type Raw = Record<string, any>;
/** A bad-config case: its name, the edited stack and the exact problems the loader must report. */
export type BadCase = [string, Raw, string[]];

export const local = () => structuredClone(readStackFile("local")) as Raw;
/**
 * `local` with the chat UI the stack file ships commented out (it needs a bigger kind node),
 * uncommented from the file itself so that the comment stays a valid block.
 */
export function localWithChatUi(): Raw {
  const lines = readFileSync(stackFilePath("local"), "utf8").split("\n");
  const start = lines.indexOf("  # llmkit:chatUi:");
  if (start < 0) throw new Error("stacks/Pulumi.local.yaml: no commented llmkit:chatUi block");
  const block = lines.slice(start).filter((l) => l.startsWith("  # ")).map((l) => l.replace("  # ", ""));
  return change(local(), (r) => (r.chatUi = parse(block.join("\n"))["llmkit:chatUi"]));
}
export const workloadsDev = () => structuredClone(readStackFile("workloads-dev")) as Raw;
export const platformDev = () => structuredClone(readStackFile("platform-dev")) as Raw;

export function change<T extends Raw>(raw: T, edit: (r: T) => void): T {
  edit(raw);
  return raw;
}
