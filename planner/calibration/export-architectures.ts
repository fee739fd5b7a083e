/**
 * Writes planner/calibration/architectures.json (read by measure.py) from the model catalog, so
 * the GPU calibration builds exactly the catalog's shapes. Run: npx tsx planner/calibration/export-architectures.ts
 */
import { writeFileSync } from "node:fs";
import { MODELS } from "../models.ts";

export function architecturesJson(): string {
  const models = Object.fromEntries(MODELS.map(({ id, repos: _r, source: _s, checked: _c, msSwiftModelType: _m, ...shape }) => [id, shape]));
  return `${JSON.stringify({ _comment: "Generated from planner/models.ts by planner/calibration/export-architectures.ts; read by measure.py", models }, null, 2)}\n`;
}

if (process.argv[1]?.endsWith("export-architectures.ts")) {
  writeFileSync(new URL("architectures.json", import.meta.url), architecturesJson());
}
