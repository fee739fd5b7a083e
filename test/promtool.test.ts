/**
 * docs/architecture.md §7.7: Prometheus' own `promtool` over every rule and query the kit ships.
 * - `promtool check rules --lint-fatal` over every PrometheusRule rendered for every shipped stack,
 *   and over every KEDA Prometheus trigger query (as recording rules): a PromQL syntax error or
 *   two rules with one name and the same labels fail (prometheus/prometheus@v2.42.0
 *   cmd/promtool/main.go `checkRules`, `checkDuplicates`; `--lint-fatal` makes lint findings errors).
 * - `promtool test rules` with the files in components/serving/__promtool__/: series that fire
 *   each alert family and series that must not, and the KEDA queries' values.
 * Needs `promtool` (Debian's `prometheus` package, installed by .ci/run): under CI=true a missing
 * promtool fails the test, elsewhere it is skipped with a note.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { resolveAutoscaling, wakeSeries } from "../components/serving/autoscaling.ts";
import { vllmMetrics } from "../components/serving/metrics.ts";
import { alertThresholds, renderPrometheusRule, vllmAlertRules, wakeAlertRule } from "../components/serving/observability.ts";
import { images } from "../components/lib/versions.ts";
import { runStack } from "../render/harness.ts";
import { listStacks } from "../render/stack-config.ts";

const TESTS_DIR = join(import.meta.dirname, "../components/serving/__promtool__");
const found = spawnSync("promtool", ["--version"], { encoding: "utf8" });
const HAVE_PROMTOOL = found.status === 0;
const MISSING = "promtool not found: install Debian's prometheus package (apt-get install prometheus), as .ci/run does";

const work = mkdtempSync(join(tmpdir(), "llmkit-promtool-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promtool(args: string[]) {
  const r = spawnSync("promtool", args, { encoding: "utf8", cwd: work });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly Rule[] }[];
}

function writeRuleFile(name: string, file: RuleFile): string {
  const path = join(work, name);
  writeFileSync(path, stringify(file));
  return path;
}

/** KEDA trigger queries of one ScaledObject as recording rules `llmkit_keda_<trigger>`. */
function kedaRecordingRules(triggers: readonly { name: string; query: string }[]): Rule[] {
  return triggers.map((t) => ({ record: `llmkit_keda_${t.name.replace(/-/g, "_")}`, expr: t.query }));
}

interface Rendered {
  readonly stack: string;
  readonly prometheusRules: { name: string; file: RuleFile }[];
  readonly kedaQueries: { name: string; triggers: { name: string; query: string }[] }[];
}

async function renderShippedStacks(): Promise<Rendered[]> {
  const out: Rendered[] = [];
  for (const stack of listStacks()) {
    const run = await runStack(stack);
    const objects = run.objects.map((o) => o.object as unknown as { kind: string; metadata: { name: string }; spec: Record<string, unknown> });
    out.push({
      stack,
      prometheusRules: objects.filter((o) => o.kind === "PrometheusRule").map((o) => ({ name: o.metadata.name, file: { groups: o.spec.groups as RuleFile["groups"] } })),
      kedaQueries: objects
        .filter((o) => o.kind === "ScaledObject")
        .map((o) => ({
          name: o.metadata.name,
          triggers: (o.spec.triggers as { type: string; name: string; metadata: { query?: string } }[])
            .filter((t) => t.type === "prometheus")
            .map((t) => ({ name: t.name, query: t.metadata.query! })),
        })),
    });
  }
  return out;
}

/**
 * The rules the __promtool__ tests run against: the alerts and KEDA queries of a vLLM service
 * `chat` in `llmkit` with default thresholds, rendered by the code under test.
 */
function fixtureRules(): RuleFile {
  const t = { name: "chat", namespace: "llmkit", labels: {} };
  const alerts = [...vllmAlertRules(t, vllmMetrics(images.vllm.version), alertThresholds(undefined)), wakeAlertRule(t, wakeSeries(t.name, t.namespace))];
  const spec = { name: "chat", runtime: "vllm" as const, replicas: { min: 2, max: 4 }, autoscaling: {}, exposure: undefined };
  const triggers = resolveAutoscaling(spec, "llmkit", images.vllm.version)!.triggers.flatMap((tr) => (tr.kind === "prometheus" ? [tr] : []));
  return { groups: [...renderPrometheusRule(t, alerts).spec.groups, { name: "llmkit-keda-chat", rules: kedaRecordingRules(triggers) }] };
}

/** Fills each expected alert's annotations from the rendered rule it names (they are fixed strings). */
function withAnnotations(test: Record<string, unknown>, rules: readonly Rule[]): Record<string, unknown> {
  const tests = (test.tests as { alert_rule_test?: { alertname: string; exp_alerts: { exp_labels: Record<string, string>; exp_annotations?: unknown }[] }[] }[]).map((group) => ({
    ...group,
    alert_rule_test: group.alert_rule_test?.map((a) => ({
      ...a,
      exp_alerts: a.exp_alerts.map((e) => {
        const rule = rules.find((r) => r.alert === a.alertname && Object.entries(r.labels ?? {}).every(([k, v]) => e.exp_labels[k] === v));
        if (rule === undefined) throw new Error(`no rendered rule ${a.alertname} with labels ${JSON.stringify(e.exp_labels)}`);
        return { ...e, exp_annotations: rule.annotations };
      }),
    })),
  }));
  return { ...test, tests };
}

if (!HAVE_PROMTOOL && process.env.CI !== "true") console.log(`note: test/promtool.test.ts skipped: ${MISSING}`);
const describePromtool = HAVE_PROMTOOL || process.env.CI === "true" ? describe : describe.skip;

describePromtool("promtool", () => {
  it("is installed (CI fails without it)", () => {
    expect(HAVE_PROMTOOL, MISSING).toBe(true);
  });

  it("check rules --lint-fatal accepts every PrometheusRule and KEDA query of every shipped stack", async () => {
    if (!HAVE_PROMTOOL) throw new Error(MISSING);
    const rendered = await renderShippedStacks();
    let files = 0;
    for (const { stack, prometheusRules, kedaQueries } of rendered) {
      for (const { name, file } of prometheusRules) {
        const r = promtool(["check", "rules", "--lint-fatal", writeRuleFile(`${stack}-${name}-rules.yaml`, file)]);
        expect(r.output, `${stack} PrometheusRule ${name}`).toMatch(/SUCCESS/);
        expect(r.status, `${stack} PrometheusRule ${name}:\n${r.output}`).toBe(0);
        files++;
      }
      for (const { name, triggers } of kedaQueries.filter((k) => k.triggers.length > 0)) {
        const path = writeRuleFile(`${stack}-${name}-keda.yaml`, { groups: [{ name: `keda-${name}`, rules: kedaRecordingRules(triggers) }] });
        const r = promtool(["check", "rules", "--lint-fatal", path]);
        expect(r.status, `${stack} ScaledObject ${name}:\n${r.output}`).toBe(0);
        files++;
      }
    }
    // the shipped stacks do render alerts and Prometheus triggers, so this checked something
    expect(rendered.flatMap((s) => s.prometheusRules).length).toBeGreaterThan(0);
    expect(rendered.flatMap((s) => s.kedaQueries.flatMap((k) => k.triggers)).length).toBeGreaterThan(0);
    console.log(`promtool check rules --lint-fatal: ${files} rule files of ${rendered.length} stacks`);
  });

  it("check rules --lint-fatal refuses two alerts with one name and the same labels", () => {
    if (!HAVE_PROMTOOL) throw new Error(MISSING);
    const rule = { alert: "Twice", expr: "up == 0", labels: { severity: "critical" } };
    const r = promtool(["check", "rules", "--lint-fatal", writeRuleFile("duplicate.yaml", { groups: [{ name: "g", rules: [rule, { ...rule, expr: "up == 1" }] }] })]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/duplicate rule/);
  });

  const testFiles = readdirSync(TESTS_DIR).filter((f) => f.endsWith(".test.yaml")).sort();

  it("has a promtool test file per alert family and for the KEDA queries", () => {
    const families = new Set(fixtureRules().groups.flatMap((g) => g.rules.flatMap((r) => (r.alert === undefined ? [] : [r.alert]))));
    const tested = new Set(testFiles.flatMap((f) => [...parse(readFile(f)).tests.flatMap((t: { alert_rule_test?: { alertname: string }[] }) => (t.alert_rule_test ?? []).map((a) => a.alertname))]));
    expect([...families].sort()).toEqual([...tested].sort());
    expect(testFiles).toContain("keda-queries.test.yaml");
  });

  it.each(testFiles)("test rules %s: fires on its bad series, stays quiet on the good ones", (file) => {
    if (!HAVE_PROMTOOL) throw new Error(MISSING);
    const rules = fixtureRules();
    writeRuleFile("rules.yaml", rules);
    const test = withAnnotations(parse(readFile(file)), rules.groups.flatMap((g) => g.rules));
    writeFileSync(join(work, file), stringify(test));
    const r = promtool(["test", "rules", join(work, file)]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS/);
  });
});

function readFile(name: string): string {
  return readFileSync(join(TESTS_DIR, name), "utf8");
}
