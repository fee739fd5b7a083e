import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { localPlatform } from "../platform/__fixtures__/configs.ts";
import { platformContract } from "../platform/contract.ts";

const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
await pulumi.runtime.setMocks(
  {
    newResource: (a) => {
      registered.push({ type: a.type, name: a.name, inputs: a.inputs });
      return { id: `${a.name}-id`, state: { ...a.inputs, ...(a.type === "random:index/randomPassword:RandomPassword" ? { result: "generated" } : {}) } };
    },
    call: (a) => a.inputs,
  },
  "llmkit",
  "test",
  false,
);
const { ChatUi } = await import("./chat-ui.ts");
const { chatUiSchema } = await import("./inputs.ts");
const { renderChatUiDeployment } = await import("./render.ts");
const { renderChatUiExposure } = await import("./gateway.ts");

const contract = platformContract(localPlatform());
const backend = { endpoint: "http://chat.llmkit.svc.cluster.local:8000/v1", key: { secretName: "chat-api-key", key: "api-key" } };
const spec = chatUiSchema.parse({
  service: "chat",
  auth: { type: "oidc", issuer: "https://login.example.com/", clientId: "ui", clientSecret: { secretName: "ui-oidc" }, jwksUri: "https://login.example.com/jwks" },
  exposure: { hostname: "chat-ui.localtest.me" },
});
const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

async function settled(count: number) {
  for (let waited = 0; registered.length < count && waited < 3000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  return registered;
}

describe("ChatUi under mocks", () => {
  it("registers exactly its children, with the rendered objects, and a generated session key", async () => {
    const ui = new ChatUi("chat-ui", { spec, backend, contract });
    const mine = await settled(10);
    expect(mine.map((r) => [r.type, r.name]).sort()).toEqual(
      [
        ["llmkit:chat-ui:ChatUi", "chat-ui"],
        ["random:index/randomPassword:RandomPassword", "chat-ui-secret-key"],
        ["kubernetes:core/v1:Secret", "chat-ui-secret-key"],
        ["kubernetes:core/v1:PersistentVolumeClaim", "chat-ui-data"],
        ["kubernetes:apps/v1:Deployment", "chat-ui"],
        ["kubernetes:core/v1:Service", "chat-ui"],
        ["kubernetes:networking.k8s.io/v1:NetworkPolicy", "chat-ui"],
        ["kubernetes:gateway.networking.k8s.io/v1:Gateway", "chat-ui-gateway"],
        ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "chat-ui-route"],
        ["kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy", "chat-ui-security-policy"],
      ].sort(),
    );
    const input = (type: string) => mine.find((r) => r.type === type)!.inputs;
    expect(input("random:index/randomPassword:RandomPassword")).toMatchObject({ length: 48, special: false });
    // the generated key reaches the Secret as a Pulumi secret (the mock monitor's secret wrapper)
    expect(input("kubernetes:core/v1:Secret")).toMatchObject({ type: "Opaque", stringData: { value: { "webui-secret-key": "generated" } } });
    expect(input("kubernetes:apps/v1:Deployment")).toMatchObject({ spec: renderChatUiDeployment(spec, contract, backend).spec });
    expect(input("kubernetes:gateway.envoyproxy.io/v1alpha1:SecurityPolicy")).toMatchObject({ spec: renderChatUiExposure(spec, contract)[2]!.object.spec });
    expect(await value(ui.url)).toBe("http://chat-ui.localtest.me");
  });

  it("refuses an exposure on a platform without Envoy Gateway before registering anything", () => {
    const before = registered.length;
    const none = { ...contract, addons: { ...contract.addons, gatewayClassName: null } };
    expect(() => new ChatUi("nogw", { spec: { ...spec, name: "nogw" }, backend, contract: none })).toThrow(/chatUi "nogw" is invalid:\n {2}- exposure: the platform runs no Envoy Gateway/);
    expect(registered.slice(before).filter((r) => r.name !== "nogw")).toEqual([]);
  });
});
