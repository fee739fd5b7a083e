/**
 * The human tables `npm run plan` prints from a `PlanReport` (plan.ts). Every price says how it was
 * reached: on-demand list, or the spot estimate (planner/pricing.ts).
 */
import type { PlanPlacement, PlanPrices, PlanReport, ServicePlan } from "./plan.ts";
import type { PoolPlan } from "./pools.ts";

const usd = (n: number | null) => (n === null ? "n/a" : `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const gib = (n: number) => `${n.toFixed(1)} GiB`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd()}`);
}

function gpuCell(p: PlanPlacement, gpus: number): string {
  if (gpus === 0 || p.gpusPerNode === 0) return `cpu (${p.pool})`;
  return `${gpus}× ${p.gpu ?? "gpu"} ${p.gpuMemoryGiB} GiB (${p.pool}${p.instanceType !== null ? `, ${p.instanceType}` : ""})`;
}

/** A price with its basis, e.g. "$0.74 spot est.". */
function priced(n: number | null, p: PlanPlacement): string {
  return n === null ? "n/a" : `${usd(n)}${p.priceBasis === "spot-estimate" ? " spot est." : ""}`;
}

function pricesLine(p: PlanPrices, provider: string): string {
  if (p.region === null) return `prices: none (provider ${provider} has no price list)`;
  const spot = `spot priced at ${p.spotFactor.toFixed(2)} × on-demand (an ESTIMATE: real spot prices vary by zone and hour)`;
  if (p.regionFactor === null) return `prices: region ${p.region} has no recorded price factor: GPU instances unpriced; ${spot}`;
  const list = p.regionFactorStatus === "base" ? `${p.region} on-demand list` : `${p.region} = ${p.catalogRegion} on-demand list × ${p.regionFactor.toFixed(2)} (${p.regionFactorStatus})`;
  return `prices: ${list}, ${p.source}; ${spot}`;
}

function modelCell(s: ServicePlan): string {
  if (s.model === null) return `custom ${s.image}`;
  return `${s.model.repo}${s.model.catalogId === null ? " (estimated)" : ""}`;
}

function poolGpu(p: PoolPlan): string {
  return `${p.gpusPerNode}× ${p.gpu}`;
}

export function formatPlan(r: PlanReport): string[] {
  const out = [`plan for stack "${r.stack}" (env ${r.env}, ${r.provider})`, pricesLine(r.prices, r.provider)];
  if (r.fineTunes.length > 0) {
    out.push("", "fine-tunes");
    out.push(
      ...table([
        ["name", "model", "method", "GPUs", "memory/GPU", "$/GPU-h", "tokens", "hours", "run cost", "on-demand"],
        ...r.fineTunes.map((f) => [
          f.name,
          `${f.model.repo}${f.model.catalogId === null ? " (estimated)" : ""}`,
          f.method === "qlora" ? `qlora-${f.quantBits}` : "lora",
          gpuCell(f.placement, f.gpus),
          f.memory === null ? "n/a (cpu)" : `${gib(f.memory.perGpuGiB)} / ${gib(f.memory.capacityGiB)}${f.memory.fits ? "" : " DOES NOT FIT"}`,
          priced(f.placement.pricePerGpuHour, f.placement),
          `${(f.run.tokens / 1e6).toFixed(1)}M${f.run.tokensAssumed ? "*" : ""}`,
          f.run.hours === null ? "n/a" : f.run.hours.toFixed(2),
          priced(f.run.costUsd, f.placement),
          usd(f.run.costUsdOnDemand),
        ]),
      ]),
    );
    if (r.fineTunes.some((f) => f.run.tokensAssumed)) out.push(`  * a dataset without samples: ${r.assumptions.assumedSamplesPerDataset} rows assumed`);
    for (const f of r.fineTunes) out.push(`  ${f.name}: adapter ${(f.adapter.params / 1e6).toFixed(1)}M params, ${f.adapter.sizeMiB} MiB on disk`);
  }
  if (r.services.length > 0) {
    out.push("", "services (monthly at min and peak replicas; peak = max with autoscaling, else min)");
    out.push(
      ...table([
        ["name", "model", "GPUs/replica", "replicas", "memory/GPU (budget)", "max-len seqs", "monthly min", "monthly peak"],
        ...r.services.map((s) => [
          s.name,
          modelCell(s),
          gpuCell(s.placement, s.gpus),
          `${s.replicas.min}-${s.replicas.max}`,
          s.memory !== null ? `${gib(s.memory.perGpuGiB)} (${gib(s.memory.budgetGiB)})${s.memory.fits ? "" : " DOES NOT FIT"}` : s.runtime === "custom" ? "n/a (custom)" : "n/a (cpu)",
          s.memory === null ? "n/a" : String(s.memory.maxConcurrentSequences),
          priced(s.monthlyUsd?.min ?? null, s.placement),
          priced(s.monthlyUsd?.max ?? null, s.placement),
        ]),
      ]),
    );
    const shared = r.services.filter((s) => s.multiLora !== null);
    if (shared.length > 0) {
      out.push("", "multi-LoRA: N adapters on one base vs N merged deployments (at min replicas)");
      out.push(
        ...table([
          ["service", "N", "shared GPUs", "shared storage", "shared $/month", "merged GPUs", "merged storage", "merged $/month"],
          ...shared.map((s) => [
            s.name,
            String(s.multiLora!.adapters),
            String(s.multiLora!.shared.gpus),
            gib(s.multiLora!.shared.storageGiB),
            usd(s.multiLora!.shared.monthlyUsd),
            String(s.multiLora!.merged.gpus),
            gib(s.multiLora!.merged.storageGiB),
            usd(s.multiLora!.merged.monthlyUsd),
          ]),
        ]),
      );
    }
  }
  if (r.pools.length > 0) {
    out.push("", "GPU pools (max = every node the GPU limit allows on the cheapest type, on-demand; expected = at the pool's price basis)");
    out.push(
      ...table([
        ["pool", "GPUs/node", "instance types", "capacity", "GPU limit", "nodes", "max $/h", "max $/month", "expected max $/month"],
        ...r.pools.map((p) => [
          p.name,
          poolGpu(p),
          p.instanceTypes.join(", ") || "none in the catalog",
          p.capacityTypes.join(", "),
          String(p.gpuLimit),
          String(p.maxNodes),
          usd(p.usd?.maxPerHour ?? null),
          usd(p.usd?.maxPerMonth ?? null),
          p.usd === null ? "n/a" : `${usd(p.usd.expectedMaxPerMonth)}${p.priceBasis === "spot-estimate" ? " spot est." : ""}`,
        ]),
      ]),
    );
    for (const p of r.pools) {
      if (p.usd !== null && p.usd.ceilingInstanceType !== p.usd.instanceType) {
        out.push(`  ${p.name}: ceiling ${usd(p.usd.ceilingPerMonth)}/month if every node were ${p.usd.ceilingInstanceType} (pods requesting that much CPU or memory)`);
      }
    }
  }
  if (r.cluster !== null) {
    const n = r.cluster.systemNodes;
    out.push("", "cluster");
    out.push(`  control plane (EKS standard support): ${usd(r.cluster.controlPlaneMonthlyUsd)}/month`);
    out.push(
      `  system nodes: ${n.min}-${n.max}× ${n.instanceType} (${n.pricePerHour === null ? "unpriced: not in planner/instances.ts" : `$${n.pricePerHour.toFixed(4)}/h`})` +
        (n.monthlyUsd === null ? "" : `: ${usd(n.monthlyUsd.min)}-${usd(n.monthlyUsd.max)}/month`),
    );
  }
  out.push("", "totals", ...totalsLines(r));
  if (r.errors.length > 0) out.push("", "errors", ...r.errors.map((e) => `  - ${e}`));
  if (r.warnings.length > 0) out.push("", "warnings", ...r.warnings.map((w) => `  - ${w}`));
  return out;
}

function totalsLines(r: PlanReport): string[] {
  if (r.prices.region === null) return [`  nothing priced (provider ${r.provider} has no price list)`];
  const t = r.totals;
  const lines: string[] = [];
  if (t.trainingUsd !== null) lines.push(`  training runs (one-off): ${usd(t.trainingUsd.expected)} expected, ${usd(t.trainingUsd.onDemand)} all on-demand`);
  if (t.servingMonthlyUsd !== null) lines.push(`  serving: ${usd(t.servingMonthlyUsd.min)}-${usd(t.servingMonthlyUsd.max)}/month (min-peak replicas)`);
  if (t.platformMonthlyUsd !== null) {
    lines.push(`  platform: ${usd(t.platformMonthlyUsd.idle)}/month idle (control plane + system nodes at min), at most ${usd(t.platformMonthlyUsd.max)}/month (system nodes at max + every pool at its GPU limit, on-demand)`);
  }
  if (t.unpriced.length > 0) lines.push(`  unpriced, left out of these totals: ${t.unpriced.join(", ")}`);
  return lines.length === 0 ? ["  nothing to price"] : lines;
}
