/** The kube context a `provider: local | existing` stack deploys to, for `npm run up` to name it. */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { parse } from "yaml";

/**
 * `current-context` of the kubeconfig kubectl would read: the first file in KUBECONFIG that sets one
 * (kubectl merges the list, first wins), else ~/.kube/config. `undefined` when none is set.
 */
export function kubeContext(env: NodeJS.ProcessEnv, home = homedir()): string | undefined {
  const files = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter((f) => f !== "") : [join(home, ".kube", "config")];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const context = (parse(readFileSync(file, "utf8")) as { "current-context"?: unknown } | null)?.["current-context"];
    if (typeof context === "string" && context !== "") return context;
  }
  return undefined;
}
