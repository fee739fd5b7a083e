/**
 * `llmkit chat --stack <name> [--service <name>] [--adapter <name> | --base] [--url <base url>]
 *   [--client <name>] [--max-tokens <n>] [--dry-run] [--kubeconfig <file>] [--context <name>]
 *   [--stacks-dir <dir>] "<prompt>"`
 *
 * One OpenAI-compatible chat completion against a vLLM service of the stack, streamed to stdout as
 * it arrives (ops/chat.ts).
 * - Where: `--url` (the gateway's `https://<hostname>/v1`, or any address of the service), else a
 *   port-forward from a loopback port to a ready pod of the service (client-node PortForward).
 * - Model: `--adapter <name>` (a pinned adapter, served under its own name), `--base` (the base
 *   model's served name), else the service's first pinned adapter, else the base model: a
 *   service exists to serve its adapters, and `--base` compares against the model underneath.
 * - Key: LLMKIT_API_KEY when set; else read from the cluster: through the gateway (--url on the
 *   exposure's hostname) a client key of `auth.clients` (--client, default the first; Secret
 *   `<client.secret>`, key `<client.name>`), otherwise the engine's own key (Secret
 *   `<service>-api-key`, key `api-key`, or `auth.secret`). jwt: LLMKIT_API_KEY must hold a token.
 * - --dry-run resolves all of it (reads the Secret's presence, picks the pod) and sends nothing.
 * Exit codes: 0 answered; 2 bad usage, unknown stack/service/adapter, config errors, no kube
 * context; 1 the cluster or the service failed (no ready pod, key refused, stream error).
 */
import { ChatError, openAiBase, streamChat } from "../ops/chat.ts";
import type { Cluster } from "../ops/kube.ts";
import type { ServiceKey, ServiceTarget } from "../ops/targets.ts";
import { parseCliCommand, required, UsageError } from "./args.ts";
import { connectCluster, EXIT, KUBE_HELP, STACK_OPTIONS, KUBE_USAGE, loadTargets } from "./ops-common.ts";

export const API_KEY_ENV = "LLMKIT_API_KEY";

export const USAGE = [
  `usage: npm run chat -- --stack <name> [--service <name>] [--adapter <name> | --base] [--url <base url>] [--client <name>] [--max-tokens <n>] [--dry-run] ${KUBE_USAGE} [--stacks-dir <dir>] "<prompt>"`,
  "",
  "Streams one chat completion. Without --url: a port-forward to a ready pod of the service. Model: --adapter, --base,",
  "else the service's first pinned adapter. Key: $" + API_KEY_ENV + ", else the Secret the kit created (a gateway client's",
  "key with --url on the exposure's hostname, --client picks which; the engine's key otherwise). --dry-run sends nothing.",
  KUBE_HELP,
].join("\n");

const OPTIONS = {
  service: { type: "string" },
  adapter: { type: "string" },
  base: { type: "boolean" },
  url: { type: "string" },
  client: { type: "string" },
  "max-tokens": { type: "string" },
  "dry-run": { type: "boolean" },
  ...STACK_OPTIONS,
} as const;

/** The model name to send: --base, --adapter, or the default (first pinned adapter, else base). */
export function chooseModel(target: ServiceTarget, adapter: string | undefined, base: boolean): { model: string } | { error: string } {
  const served = [target.baseModelName!, ...target.pinned.map((p) => p.name)];
  if (base && adapter !== undefined) return { error: "--adapter and --base exclude each other" };
  if (base) return { model: target.baseModelName! };
  if (adapter !== undefined) {
    return target.pinned.some((p) => p.name === adapter)
      ? { model: adapter }
      : { error: `service ${target.name} serves no adapter "${adapter}" (served models: ${served.join(", ")}; an adapter is served once llmkit:release pins it)` };
  }
  return { model: target.pinned[0]?.name ?? target.baseModelName! };
}

type KeySource = { kind: "env" } | { kind: "none" } | ({ kind: "secret"; what: string } & ServiceKey) | { kind: "error"; error: string };

/** Where the key comes from, for the URL the request goes to. */
export function keySource(target: ServiceTarget, url: string | undefined, client: string | undefined, env: NodeJS.ProcessEnv): KeySource {
  if ((env[API_KEY_ENV] ?? "") !== "") return { kind: "env" };
  const viaGateway = url !== undefined && target.gatewayUrl !== undefined && new URL(url).host === new URL(target.gatewayUrl).host;
  if (viaGateway && target.jwt) return { kind: "error", error: `service ${target.name}'s gateway takes a JWT from your identity provider: set ${API_KEY_ENV} to a token` };
  if (viaGateway && target.clientKeys.length > 0) {
    const key = client === undefined ? target.clientKeys[0] : target.clientKeys.find((k) => k.client === client);
    if (key === undefined) return { kind: "error", error: `--client ${client}: service ${target.name} admits ${target.clientKeys.map((k) => k.client).join(", ")}` };
    return { kind: "secret", what: `gateway client ${key.client}`, secretName: key.secretName, key: key.key };
  }
  if (client !== undefined) return { kind: "error", error: `--client is for a gateway with client keys: pass --url ${target.gatewayUrl ?? "<gateway url>"}` };
  if (target.engineKey === undefined) return { kind: "none" };
  return { kind: "secret", what: "engine key", secretName: target.engineKey.secretName, key: target.engineKey.key };
}

export interface ChatDeps {
  readonly env?: NodeJS.ProcessEnv;
  /** Where the answer's text goes (stdout). */
  readonly write?: (text: string) => void;
}

export async function cli(argv: readonly string[], print: (line: string) => void = console.log, printErr: (line: string) => void = console.error, deps: ChatDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const write = deps.write ?? ((t: string) => void process.stdout.write(t));
  let values: ReturnType<typeof parseCliCommand<typeof OPTIONS>>["values"];
  let stack: string;
  let prompt: string;
  let maxTokens: number | undefined;
  try {
    const parsed = parseCliCommand(argv, OPTIONS, USAGE);
    values = parsed.values;
    stack = required(values.stack, "--stack", USAGE);
    prompt = parsed.positionals.join(" ");
    if (prompt.trim() === "") throw new UsageError('give a prompt: llmkit chat --stack <name> "<prompt>"', USAGE);
    if (values["max-tokens"] !== undefined) {
      maxTokens = Number(values["max-tokens"]);
      if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new UsageError(`--max-tokens ${values["max-tokens"]}: a positive integer`, USAGE);
    }
    if (values.url !== undefined && !/^https?:\/\/[^/]/.test(values.url)) throw new UsageError(`--url ${values.url}: an http(s) URL, e.g. https://chat.example.com/v1`, USAGE);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printErr(err.message);
    return EXIT.usage;
  }
  const targets = loadTargets(stack, values["stacks-dir"], printErr);
  if (typeof targets === "number") return targets;

  const vllm = targets.services.filter((s) => s.runtime === "vllm");
  const target = values.service !== undefined ? targets.services.find((s) => s.name === values.service) : vllm.length === 1 ? vllm[0] : undefined;
  if (target === undefined) {
    printErr(
      values.service !== undefined
        ? `unknown service "${values.service}" in stack ${stack} (services: ${targets.services.map((s) => s.name).join(", ") || "none"})`
        : `stack ${stack} has ${vllm.length} vLLM services: pick one with --service (${vllm.map((s) => s.name).join(", ") || "none"})`,
    );
    return EXIT.usage;
  }
  if (target.runtime !== "vllm") {
    printErr(`service ${target.name} runs a custom image, not an OpenAI-compatible vLLM server: call its own API (endpoint ${target.endpoint})`);
    return EXIT.usage;
  }
  const model = chooseModel(target, values.adapter, values.base === true);
  if ("error" in model) {
    printErr(model.error);
    return EXIT.usage;
  }
  const source = keySource(target, values.url, values.client, env);
  if (source.kind === "error") {
    printErr(source.error);
    return EXIT.usage;
  }

  let cluster: Cluster | undefined;
  if (source.kind === "secret" || values.url === undefined) {
    const connected = await connectCluster(values, env, printErr);
    if (typeof connected === "number") return connected;
    cluster = connected;
  }

  let forward: Awaited<ReturnType<Cluster["portForward"]>> | undefined;
  try {
    const apiKey = source.kind === "env" ? env[API_KEY_ENV] : source.kind === "secret" ? await cluster!.secretValue(target.namespace, source.secretName, source.key) : undefined;
    const keyLine = source.kind === "env" ? `$${API_KEY_ENV}` : source.kind === "secret" ? `${source.what} from Secret ${target.namespace}/${source.secretName} (key ${source.key})` : "none (auth none)";
    let baseUrl: string;
    let via: string;
    if (values.url !== undefined) {
      baseUrl = openAiBase(values.url);
      via = baseUrl;
    } else {
      const pod = await cluster!.readyPod(target.namespace, target.selector);
      via = `port-forward to ${target.namespace}/${pod}:${target.port}`;
      if (values["dry-run"] === true) baseUrl = "http://127.0.0.1:<port>/v1";
      else {
        forward = await cluster!.portForward(target.namespace, pod, target.port);
        baseUrl = `${forward.url}/v1`;
      }
    }
    if (values["dry-run"] === true) {
      print(`dry run: would POST ${baseUrl}/chat/completions (${via}), model "${model.model}", stream, key: ${keyLine}`);
      return EXIT.ok;
    }
    printErr(`${target.name} · model ${model.model} · ${via}`);
    let ended = "";
    const result = await streamChat({ baseUrl, ...(apiKey !== undefined ? { apiKey } : {}), model: model.model, prompt, ...(maxTokens !== undefined ? { maxTokens } : {}) }, (text) => {
      write(text);
      ended = text;
    });
    if (!ended.endsWith("\n")) write("\n");
    if (result.finishReason === "length") printErr("(stopped at the token limit: --max-tokens, or the service's max model length)");
    return EXIT.ok;
  } catch (err) {
    // a failed forward reaches fetch only as a closed connection: say why it closed
    const why = forward?.error() ?? (err instanceof ChatError || err instanceof Error ? err.message : String(err));
    printErr(`llmkit chat failed: ${why}`);
    return EXIT.failed;
  } finally {
    await forward?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await cli(process.argv.slice(2));
}
