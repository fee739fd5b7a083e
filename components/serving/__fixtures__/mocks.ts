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
        // random passwords get a known result, so tests can follow it into the Secret
        const result = a.type === "random:index/randomPassword:RandomPassword" ? { result: `${a.name}-result` } : {};
        return { id: `${a.name}-id`, state: { ...a.inputs, ...result } };
      },
      call: (a) => a.inputs,
    },
    "llmkit",
    "test",
    false,
  );
  // the mock monitor sees each registration's custom timeouts, which newResource is not given
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: TimedRequest, cb: unknown) => unknown };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const t = req.getCustomtimeouts();
    if (t !== undefined) customTimeouts.set(`${req.getType()} ${req.getName()}`, { create: t.getCreate(), update: t.getUpdate() });
    return register(req, cb);
  };
  return registered;
}

interface TimedRequest {
  getType(): string;
  getName(): string;
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string } | undefined;
}

/** Pulumi custom timeouts by `<type> <name>`, of every resource registered since installMocks. */
export const customTimeouts = new Map<string, { create: string; update: string }>();
