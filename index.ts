/**
 * Composition root (docs/architecture.md §2): load and validate the stack config, build the selected
 * layer(s), export outputs. No resource is registered before the whole config has been validated.
 */
import { isDeepStrictEqual } from "node:util";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createPlatform } from "./components/platform/index.ts";
import { platformContract, type PlatformContract } from "./components/platform/contract.ts";
import { FineTune } from "./components/training/fine-tune.ts";
import { ModelMirror } from "./components/training/mirror.ts";
import { CustomService } from "./components/serving/custom.ts";
import { VllmService } from "./components/serving/vllm-service.ts";
import { ChatUi } from "./components/chat-ui/chat-ui.ts";
import { chatUiSelector } from "./components/chat-ui/render.ts";
import { engineKey } from "./components/serving/defaults.ts";
import { serviceEndpointOf } from "./components/serving/render.ts";
import { loadStack, rawFromEngine, type LoadedStack } from "./config/load.ts";
import { pinnedAdapters, preflight } from "./config/preflight.ts";

/**
 * The program. `stacksDir` is where a workloads stack finds its platform stack's file (default
 * stacks/, or LLMKIT_STACKS_DIR); `npm run up` passes its --stacks-dir (cli/workspace.ts).
 */
export default function main(stacksDir?: string): Record<string, unknown> {
  const all = pulumi.runtime.allConfig();
  const loaded = loadStack(pulumi.getStack(), rawFromEngine(all, isConfigSecret), stacksDir, all);
  const { config } = loaded;
  preflight(loaded, platformContract(loaded.platform));

  if (config.layer === "workloads") {
    const { provider, contract } = consumePlatformStack(loaded);
    return deployWorkloads(loaded, contract, provider);
  }

  const platform = createPlatform("platform", loaded.platform);
  const platformOutputs = {
    contract: platform.contract,
    kubeconfig: platform.kubeconfig,
  };
  if (config.layer === "platform") return platformOutputs;
  return { ...platformOutputs, ...deployWorkloads(loaded, platform.contract, platform.k8sProvider) };
}

/** `isConfigSecret` is @internal in @pulumi/pulumi's typings; it reads the engine's secret-key list. */
function isConfigSecret(key: string): boolean {
  const check = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (check === undefined) throw new Error("@pulumi/pulumi no longer exports runtime.isConfigSecret: update index.ts");
  return check(key);
}

/**
 * A workloads stack reads the platform stack's outputs. The contract it renders with is derived
 * from the platform stack's file (validated offline); deploying refuses if the platform stack's
 * exported contract differs, i.e. the platform change has not been applied yet.
 */
function consumePlatformStack(loaded: LoadedStack): { provider: k8s.Provider; contract: PlatformContract } {
  const platformStack = loaded.config.platformStack!;
  const ref = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${platformStack}`);
  const contract = platformContract(loaded.platform);
  const kubeconfig = pulumi
    .all([ref.requireOutput("kubeconfig"), ref.requireOutput("contract")])
    .apply(([kc, deployed]) => {
      if (!isDeepStrictEqual(deployed, contract)) {
        throw new Error(
          `platform stack "${platformStack}" exports a different contract than stacks/Pulumi.${platformStack}.yaml describes: run "pulumi up" on ${platformStack} first`,
        );
      }
      return kc as string;
    });
  const provider = new k8s.Provider("platform", { kubeconfig: pulumi.secret(kubeconfig) });
  return { provider, contract };
}

function deployWorkloads(loaded: LoadedStack, contract: PlatformContract, provider: k8s.Provider) {
  const { config } = loaded;
  const opts = { provider };
  const models = new Map(config.models.map((m) => [m.name, m]));
  const model = (name: string) => models.get(name)!; // references were validated by the schema

  // a fine-tune's training pod waits for its base model's mirror: creating the mirror Job first
  // queues its pod first, so on a small node the training pod is the one that waits for room
  const mirrors = new Map(config.models.map((m) => [m.name, new ModelMirror(m.name, { model: m, contract }, opts)]));
  for (const d of config.datasets) new ModelMirror(`${d.name}-dataset`, { model: d, kind: "dataset", contract }, opts);

  const runs: Record<string, pulumi.Output<string>> = {};
  for (const spec of config.fineTunes) {
    const releasedRunId = config.release.adapters[spec.name]?.runId;
    const job = new FineTune(spec.name, { spec, model: model(spec.baseModel), contract, releasedRunId }, { ...opts, dependsOn: [mirrors.get(spec.baseModel)!] });
    runs[spec.name] = job.runId;
  }

  const endpoints: Record<string, pulumi.Output<string>> = {};
  const ui = config.chatUi;
  for (const spec of config.serving) {
    // the chat UI calls its service in-cluster with the engine key; an exposed service admits its pods too
    const inClusterCallers = ui?.service === spec.name ? [chatUiSelector(ui)] : [];
    // the schema requires baseModel for runtime vllm and refuses it for custom runtimes
    const service =
      spec.baseModel === undefined
        ? new CustomService(spec.name, { spec, contract }, opts)
        : new VllmService(spec.name, { spec, model: model(spec.baseModel), adapters: pinnedAdapters(loaded, spec.adapters), contract, inClusterCallers }, opts);
    endpoints[spec.name] = service.endpoint;
  }
  if (ui === undefined) return { runIds: runs, endpoints };
  // the rules checked that ui.service names a vllm service of this stack
  const target = config.serving.find((s) => s.name === ui.service)!;
  const chatUi = new ChatUi(ui.name, { spec: ui, backend: { endpoint: serviceEndpointOf(target.name, contract), key: engineKey(target) }, contract }, opts);
  return { runIds: runs, endpoints, chatUi: chatUi.url };
}
