/** Pulumi mocks for this folder's component tests: records every registered resource. */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  readonly type: string;
  readonly name: string;
  // Tests read nested inputs of many resource kinds; typing each would only add noise.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly inputs: any;
  /** Provider reference (`urn::id`) the resource was registered with. */
  readonly provider: string | undefined;
}

/** Call before importing a component module (dynamic import), as Pulumi mocks require. */
export async function installMocks(): Promise<Registered[]> {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        registered.push({ type: a.type, name: a.name, inputs: a.inputs, provider: a.provider });
        return { id: `${a.name}-id`, state: a.inputs };
      },
      call: (a) => a.inputs,
    },
    "llmkit",
    "test",
    false,
  );
  return registered;
}

/** Registration is asynchronous: wait until `count` resources of the given types have arrived. */
export async function registeredOf(registered: Registered[], types: readonly string[], count: number): Promise<Registered[]> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const found = registered.filter((r) => types.includes(r.type));
    if (found.length >= count || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
