/**
 * CI-only cross-check (docs/architecture.md §7.6): every vLLM metric the map names is one the upstream
 * metric list in ../shared/contracts/vllm.json carries (exposition suffixes `_total`/`_bucket`
 * added by prometheus_client). Skips with a note when ../shared is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VLLM_METRICS } from "./metrics.ts";

const CONTRACT = new URL("../../../shared/contracts/vllm.json", import.meta.url);
const present = existsSync(CONTRACT);
if (!present) console.log(`metrics.test.ts: skipped, ${CONTRACT.pathname} is absent`);

describe.skipIf(!present)("VLLM_METRICS against ../shared/contracts/vllm.json", () => {
  it("names only metrics the upstream list holds, and the HTTP counter of the instrumentator", () => {
    const upstream = new Set<string>(JSON.parse(readFileSync(CONTRACT, "utf8")).metrics);
    for (const [version, m] of Object.entries(VLLM_METRICS)) {
      for (const name of Object.values(m).filter((n) => n.startsWith("vllm:"))) {
        expect(upstream, `${version}: ${name}`).toContain(name.replace(/_total$/, ""));
      }
      // not a vllm: name: prometheus_fastapi_instrumentator's default counter (vllm docs/design/metrics.md)
      expect(m.httpRequests).toBe("http_requests_total");
    }
    expect(upstream).not.toContain("vllm:gpu_cache_usage_perc");
  });
});
