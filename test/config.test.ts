/**
 * Bad stack configs: each is refused with every problem named by its exact config path and a fix.
 * Cases start from the shipped `local` (layer all) or `workloads-dev` stack and change one thing.
 */
import { describe, expect, it } from "vitest";
import { platformContract } from "../components/platform/contract.ts";
import { ConfigError, loadStack, parseStackConfig, readStackFile } from "../config/load.ts";
import { preflightProblems } from "../config/preflight.ts";
import { BAD_CONFIGS, change, workloadsDev, type Raw } from "./bad-configs.ts";
import { localWithChatUi } from "./stack-edits.ts";

function problems(raw: Raw): string[] {
  const result = parseStackConfig(raw);
  return result.ok ? [] : result.problems;
}

describe("bad stack configs are refused with the path and the fix", () => {
  it("has at least 15 distinct cases", () => expect(new Set(BAD_CONFIGS.map((c) => c.name)).size).toBeGreaterThanOrEqual(15));
  it.each(BAD_CONFIGS)("$name", ({ raw, problems: expected }) => {
    expect(problems(raw)).toEqual(expected);
  });
});

describe("workloads stacks are checked against their platform stack", () => {
  it("refuses a pool the platform stack does not define", () => {
    const raw = change(workloadsDev(), (r) => (r.serving[0].pool = "serving-h100"));
    expect(() => loadStack("workloads-dev", raw)).toThrow(ConfigError);
    try {
      loadStack("workloads-dev", raw);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'llmkit:serving[0].pool: unknown pool "serving-h100": use one of platform stack "platform-dev"\'s pools (serving-l4, training-l40s)',
      ]);
    }
  });

  it("refuses more GPUs than the pool's nodes have", () => {
    const raw = change(workloadsDev(), (r) => (r.fineTunes[0].gpus = 4));
    expect(() => loadStack("workloads-dev", raw)).toThrow(/requests 4 GPU\(s\) but pool "training-l40s" has 1 GPU\(s\) per node/);
  });

  it("refuses a platform stack that does not exist", () => {
    const raw = change(workloadsDev(), (r) => (r.platformStack = "platform-nowhere"));
    expect(() => loadStack("workloads-dev", raw)).toThrow(/Pulumi\.platform-nowhere\.yaml: no such stack file/);
  });
});

describe("shipped stacks", () => {
  it.each(["local", "platform-dev", "platform-prod", "workloads-dev", "workloads-prod"])("%s is valid", (stack) => {
    expect(problems(readStackFile(stack))).toEqual([]);
  });
});

describe("preflight: component rules run over the whole stack before registration", () => {
  const run = (stack: string, raw: Raw) => {
    const loaded = loadStack(stack, raw);
    return preflightProblems(loaded, platformContract(loaded.platform));
  };

  it("shipped stacks pass", () => {
    for (const stack of ["local", "platform-dev", "platform-prod", "workloads-dev", "workloads-prod"]) {
      expect(run(stack, readStackFile(stack))).toEqual([]);
    }
  });

  it("reports every component's problems at once, each with its path", () => {
    const raw = change(workloadsDev(), (r) => {
      r.fineTunes[1].lora.alpha = 16.5;
      r.release.adapters["support-bot"].rank = 1024;
      r.fineTunes[0].lora = { rank: 1024 };
    });
    expect(run("workloads-dev", raw)).toEqual([
      "llmkit:fineTunes[1]: lora.alpha 16.5 must be a whole number for ms-swift (tuner_args.py lora_alpha: int)",
      expect.stringMatching(/^llmkit:serving\[0\]: .*1024/),
      // planner fit check: rank 1024 on all linear layers of a 7B is ~2.6B trainable parameters
      expect.stringMatching(/^llmkit:fineTunes\[0\]: does not fit pool "training-l40s": needs ~64\.0 GiB per GPU/),
    ]);
  });

  it("loads the local stack with the chat UI block it ships commented out", () => {
    expect(loadStack("local", localWithChatUi()).config.chatUi).toMatchObject({ service: "chat", auth: { type: "none" }, storage: { sizeGiB: 1 } });
  });

  it("refuses a chat UI exposure on a platform without Envoy Gateway (components/chat-ui/validate.ts)", () => {
    const raw = change(localWithChatUi(), (r) => {
      r.platform.addons = { envoyGateway: false };
      r.chatUi.auth = { type: "oidc", issuer: "https://login.example.com/", clientId: "ui", clientSecret: { secretName: "ui-oidc" }, jwksUri: "https://login.example.com/jwks" };
      r.chatUi.exposure = { hostname: "chat-ui.localtest.me" };
    });
    expect(run("local", raw)).toEqual([
      "llmkit:chatUi.exposure: the platform runs no Envoy Gateway (platform.addons.envoyGateway is off), so there is no gateway to log in at: switch it on, or on env local remove exposure and use auth none",
    ]);
  });

  it("refuses a chat UI claim without a StorageClass on the aws platform, which installs no CSI driver", () => {
    const raw = change(workloadsDev(), (r) => delete r.chatUi.storage);
    expect(run("workloads-dev", raw)).toEqual([
      "llmkit:chatUi.storage.storageClass: is required on the aws platform, which installs no EBS CSI driver (Kubernetes removed the in-tree aws-ebs plugin in 1.27), so a claim without a class never binds: install the aws-ebs-csi-driver EKS add-on and a StorageClass (e.g. gp3), then name it here",
    ]);
  });

  it("refuses a Kubernetes version without pinned add-ons", () => {
    const raw = change(readStackFile("platform-dev") as Raw, (r) => (r.platform.cluster.kubernetesVersion = "1.29"));
    expect(run("platform-dev", raw)).toEqual([
      expect.stringMatching(/^llmkit:platform\.cluster\.kubernetesVersion: "1\.29" has no pinned eks-pod-identity-agent version/),
      expect.stringMatching(/^llmkit:platform\.cluster\.kubernetesVersion: "1\.29" has no pinned eks-node-monitoring-agent version/),
      ...["vpc-cni", "kube-proxy", "coredns"].map((addon) =>
        expect.stringMatching(new RegExp(`^llmkit:platform\\.cluster\\.kubernetesVersion: "1\\.29" has no pinned ${addon} version`)),
      ),
    ]);
  });

  it("refuses GPU pools no node could satisfy (components/platform/aws/karpenter/pools.ts)", () => {
    const raw = change(readStackFile("platform-dev") as Raw, (r) => {
      r.platform.gpuPools[0].gpu.memoryGiB = 80;
      r.platform.gpuPools[1].disk = { rootGiB: 1 };
    });
    expect(run("platform-dev", raw)).toEqual([
      "llmkit:platform.gpuPools[0].gpu.memoryGiB: l4 has 24 GiB per GPU, so no node could satisfy 80 GiB",
      "llmkit:platform.gpuPools[1].disk.rootGiB: Bottlerocket's OS volume needs at least 4 GiB",
    ]);
  });
});
