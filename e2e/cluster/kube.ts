/**
 * The lane talks to the API server through kubectl v1.34.12 (built by e2e/cluster/build.sh from the
 * same module as the server), so every request is one a platform engineer can repeat by hand.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { resolve } from "node:path";
import { parse } from "yaml";

/** An object as the API server or a YAML file hands it over: read field by field, checked where used. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Live = any;

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Result {
  readonly ok: boolean;
  readonly stdout: string;
  /** stderr, trimmed: kubectl's message, the API server's rejection text included. */
  readonly stderr: string;
}

const ROOT = resolve(import.meta.dirname, "../..");
export const KUBECTL = process.env.KUBECTL ?? resolve(ROOT, ".cache/cluster/bin/kubectl");

export class Kube {
  constructor(readonly kubeconfig: string) {}

  run(args: readonly string[], input?: string): Result {
    const r = spawnSync(KUBECTL, ["--kubeconfig", this.kubeconfig, ...args], { input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error !== undefined) throw r.error;
    return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.trim() };
  }

  /** Server-side apply of one object, as `pulumi up` with the Kubernetes provider does it. */
  apply(obj: unknown): Result {
    return this.run(["apply", "--server-side", "--field-manager=llmkit-e2e", "-f", "-"], JSON.stringify(obj));
  }

  create(obj: unknown): Result {
    return this.run(["create", "-f", "-"], JSON.stringify(obj));
  }

  /** `kubectl get … -o json` items; throws on error. */
  list(resource: string, namespace?: string): Live[] {
    const r = this.run(["get", resource, ...(namespace !== undefined ? ["-n", namespace] : []), "-o", "json"]);
    if (!r.ok) throw new Error(`kubectl get ${resource}: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { items: Live[] }).items;
  }

  get(resource: string, name: string, namespace?: string): Live {
    const r = this.run(["get", resource, name, ...(namespace !== undefined ? ["-n", namespace] : []), "-o", "json"]);
    return r.ok ? JSON.parse(r.stdout) : undefined;
  }

  /**
   * POST several Evictions at once, straight to the API (kubectl has no evict verb, and one kubectl
   * process per eviction would let controllers act between them). Returns each status and message.
   */
  async evictAll(namespace: string, pods: readonly string[]): Promise<{ pod: string; status: number; message: string }[]> {
    const cfg = parse(readFileSync(this.kubeconfig, "utf8"));
    const server = new URL(cfg.clusters[0].cluster.server as string);
    const ca = readFileSync(cfg.clusters[0].cluster["certificate-authority"] as string);
    const cert = readFileSync(cfg.users[0].user["client-certificate"] as string);
    const key = readFileSync(cfg.users[0].user["client-key"] as string);
    const evict = (pod: string) =>
      new Promise<{ pod: string; status: number; message: string }>((done, fail) => {
        const body = JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: pod, namespace } });
        const req = request(
          { host: server.hostname, port: server.port, method: "POST", path: `/api/v1/namespaces/${namespace}/pods/${pod}/eviction`, ca, cert, key, headers: { "content-type": "application/json" } },
          (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => {
              let message = text;
              try {
                message = (JSON.parse(text) as { message?: string }).message ?? text;
              } catch {
                /* not JSON: keep the raw text */
              }
              done({ pod, status: res.statusCode ?? 0, message });
            });
          },
        );
        req.on("error", fail);
        req.end(body);
      });
    return Promise.all(pods.map(evict));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value other than undefined, or `seconds` pass (then undefined). */
export async function waitFor<T>(seconds: number, probe: () => T | undefined): Promise<T | undefined> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) return undefined;
    await sleep(1000);
  }
}
