/**
 * Promotion: copy `llmkit:release` adapter pins from one stack file to another (docs/architecture.md §1).
 *
 * Only the `llmkit:release` block of the target file changes: it is edited through the `yaml`
 * Document API and spliced back into the original text, so every byte outside that block —
 * comments, key order, quoting, provider keys and `secure:` values — stays exactly as it was.
 * `secure:` values are never decoded: they are opaque strings to the YAML parser and the only keys
 * read here are `llmkit:*` ones. The edited target is validated as a whole stack with the same
 * loader the program uses (`loadStack`), so a promotion that would make it invalid is refused.
 *
 * Pure except for reading stack files (the source, the target, and a workloads target's platform
 * stack); writing and store checks belong to the caller.
 */
import { readFileSync, existsSync } from "node:fs";
import { Document, isMap, isPair, isScalar, parseDocument, Scalar, type Pair, type YAMLMap } from "yaml";
import { LORA_DEFAULTS } from "../components/training/defaults.ts";
import { ConfigError, loadStack, namespaced, NAMESPACE, parseStackConfig, readStackFile, stackFilePath, STACK_YAML_OPTIONS, type LoadedStack } from "../config/load.ts";

export const RELEASE_KEY = `${NAMESPACE}:release`;

/** One adapter pin as promotion writes it. `rank` is absent when nobody knows it (vLLM then assumes 16). */
export interface Pin {
  readonly runId: string;
  readonly baseModel: string;
  readonly rank?: number;
}

export interface PinChange {
  readonly adapter: string;
  /** Absent when the target did not pin this adapter yet. */
  readonly from?: Pin;
  readonly to: Pin;
}

/** A promotion refused before anything is written (exit 2). */
export class PromotionRefused extends Error {
  readonly problems: readonly string[];
  constructor(headline: string, problems: readonly string[]) {
    super([headline, ...problems.map((p) => `  - ${p}`)].join("\n"));
    this.name = "PromotionRefused";
    this.problems = problems;
  }
}

export interface PromotionPlan {
  readonly from: string;
  readonly to: string;
  readonly targetFile: string;
  /** Only the pins that differ; empty means "no changes". */
  readonly changes: readonly PinChange[];
  /** The target file's new text (equal to the old one when there are no changes). */
  readonly text: string;
  readonly oldText: string;
  /** The validated target after the edit. */
  readonly target: LoadedStack;
}

export interface PromoteOptions {
  readonly from: string;
  readonly to: string;
  /** Limit to these adapters (each must be pinned in the source). */
  readonly only?: readonly string[];
  readonly stacksDir: string;
}

/**
 * The source's pins as they should land in the target. A dev stack that trains an adapter may
 * leave `rank` to the fine-tune; the target (which usually does not train) needs it spelt out,
 * so the effective rank of the source's fine-tune is written.
 */
export function sourcePins(source: LoadedStack): Map<string, Pin> {
  const trainedRank = new Map(source.config.fineTunes.map((f) => [f.name, f.lora?.rank ?? LORA_DEFAULTS.rank]));
  const pins = new Map<string, Pin>();
  for (const [adapter, entry] of Object.entries(source.config.release.adapters)) {
    const rank = entry.rank ?? trainedRank.get(adapter);
    pins.set(adapter, { runId: entry.runId, baseModel: entry.baseModel, ...(rank !== undefined ? { rank } : {}) });
  }
  return pins;
}

function samePin(a: Pin | undefined, b: Pin): boolean {
  return a !== undefined && a.runId === b.runId && a.baseModel === b.baseModel && a.rank === b.rank;
}

function readText(stack: string, dir: string): string {
  const file = stackFilePath(stack, dir);
  if (!existsSync(file)) throw new ConfigError(stack, [`${file}: no such stack file: create it or check the stack name`]);
  return readFileSync(file, "utf8");
}

function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE; // a run id may be all digits: unquoted it would read back as a number
  return s;
}

function pinNode(doc: Document, pin: Pin): YAMLMap {
  const map = doc.createNode({}) as YAMLMap;
  map.set("runId", quoted(pin.runId));
  map.set("baseModel", pin.baseModel);
  if (pin.rank !== undefined) map.set("rank", pin.rank);
  return map;
}

/** Sets `key` only when its value differs, so untouched nodes keep their exact formatting. */
function setIfChanged(map: YAMLMap, key: string, value: string | number | undefined, quote = false): void {
  if (value === undefined) {
    if (map.has(key)) map.delete(key);
    return;
  }
  const node = map.get(key, true);
  if (isScalar(node) && node.value === value) return;
  if (isScalar(node)) {
    node.value = value;
    if (quote) node.type = Scalar.QUOTE_DOUBLE;
  } else {
    map.set(key, quote ? quoted(String(value)) : value);
  }
}

function releasePair(doc: Document, file: string): { config: YAMLMap; pair?: Pair } {
  const config = doc.get("config", true);
  if (!isMap(config)) throw new PromotionRefused(`cannot edit ${file}:`, [`"config" is not a block map`]);
  const pair = config.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === RELEASE_KEY);
  return { config, pair };
}

/** Applies the changes to the target's text, touching only the `llmkit:release` block. */
export function editRelease(text: string, changes: readonly PinChange[], file: string): string {
  if (changes.length === 0) return text;
  const doc = parseDocument(text, STACK_YAML_OPTIONS);
  const { config, pair } = releasePair(doc, file);

  if (pair === undefined) {
    // No release block yet: append one as the config map's last entry, indented like its keys.
    const release = new Document({});
    const adapters = release.createNode({}) as YAMLMap;
    for (const c of changes) adapters.set(c.adapter, pinNode(release, c.to));
    const inner = release.createNode({}) as YAMLMap;
    inner.set("adapters", adapters);
    (release.contents as YAMLMap).set(RELEASE_KEY, inner);
    const first = config.items[0];
    const keyStart = first !== undefined && isScalar(first.key) && first.key.range ? first.key.range[0] : 0;
    const indent = keyStart - (text.lastIndexOf("\n", keyStart - 1) + 1);
    const block = release
      .toString()
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => " ".repeat(indent) + l + "\n")
      .join("");
    const end = config.range![1];
    const at = text.lastIndexOf("\n", end - 1) + 1 === end ? end : text.indexOf("\n", end - 1) + 1 || text.length;
    const prefix = text.slice(0, at);
    return prefix + (prefix.endsWith("\n") || prefix === "" ? "" : "\n") + block + text.slice(at);
  }

  if (!isMap(pair.value)) throw new PromotionRefused(`cannot edit ${file}:`, [`${RELEASE_KEY} is not a map`]);
  const patched = patchBlockRelease(text, pair.value, changes);
  if (patched !== undefined) return patched;
  return rerenderRelease(text, doc, pair, changes, file);
}

interface Patch {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function applyPatches(text: string, patches: Patch[]): string {
  let out = text;
  // Last first; of two inserts at one offset the later-pushed goes first, so the earlier ends up before it.
  const order = patches.map((p, i) => ({ p, i })).sort((a, b) => b.p.start - a.p.start || b.i - a.i);
  for (const { p } of order) out = out.slice(0, p.start) + p.text + out.slice(p.end);
  return out;
}

const lineStart = (text: string, at: number) => text.lastIndexOf("\n", at - 1) + 1;
const afterLine = (text: string, at: number) => {
  const nl = text.indexOf("\n", at);
  return nl === -1 ? text.length : nl + 1;
};
const column = (text: string, at: number) => at - lineStart(text, at);

function scalarText(value: string | number, like?: Scalar): string {
  if (typeof value === "number") return String(value);
  return like?.type === Scalar.QUOTE_SINGLE ? `'${value}'` : `"${value}"`;
}

/**
 * The precise edit: only the scalars that change are replaced in the original text (a rank line
 * added or removed, a new entry appended after the last one), so comments on untouched lines stay
 * where they are. Returns undefined for shapes it does not patch (flow maps, empty blocks); those
 * are re-rendered by the Document API instead.
 */
function patchBlockRelease(text: string, release: YAMLMap, changes: readonly PinChange[]): string | undefined {
  const adapters = release.get("adapters", true);
  if (!isMap(adapters) || adapters.flow || adapters.items.length === 0) return undefined;
  const patches: Patch[] = [];
  const keyCol = column(text, (adapters.items[0]!.key as Scalar).range![0]);
  let step = 2;
  // A block map's range ends after its last newline: step back one so the next line is not taken too.
  const lastEnd = afterLine(text, ((adapters.items.at(-1)!.value as { range?: [number, number, number] } | null)?.range?.[1] ?? (adapters.items.at(-1)!.key as Scalar).range![1]) - 1);
  const added: string[] = [];
  for (const c of changes) {
    const entry = adapters.get(c.adapter, true);
    if (entry === undefined) {
      const pad = " ".repeat(keyCol);
      const inner = " ".repeat(keyCol + step);
      added.push(
        `${pad}${c.adapter}:\n${inner}runId: "${c.to.runId}"\n${inner}baseModel: ${c.to.baseModel}\n` +
          (c.to.rank !== undefined ? `${inner}rank: ${c.to.rank}\n` : ""),
      );
      continue;
    }
    if (!isMap(entry) || entry.flow || entry.items.length === 0) return undefined;
    step = column(text, (entry.items[0]!.key as Scalar).range![0]) - keyCol;
    for (const [key, value] of [["runId", c.to.runId], ["baseModel", c.to.baseModel], ["rank", c.to.rank]] as const) {
      const node = entry.get(key, true);
      if (node !== undefined && !isScalar(node)) return undefined;
      if (value === undefined) {
        if (node === undefined) continue;
        const pairNode = entry.items.find((p) => isScalar(p.key) && p.key.value === key)!;
        const from = lineStart(text, (pairNode.key as Scalar).range![0]);
        patches.push({ start: from, end: afterLine(text, node.range![1]), text: "" });
      } else if (node === undefined) {
        if (c.from?.[key] === value) continue; // already supplied by a `<<:` merge key
        const last = entry.items.at(-1)!;
        const at = afterLine(text, (last.value as Scalar | null)?.range?.[1] ?? (last.key as Scalar).range![1]);
        const col = column(text, (entry.items[0]!.key as Scalar).range![0]);
        patches.push({ start: at, end: at, text: `${" ".repeat(col)}${key}: ${scalarText(value)}\n` });
      } else if (node.value !== value) {
        const quote = key === "runId" ? node : key === "baseModel" && node.type === Scalar.PLAIN ? undefined : node;
        const rendered = key === "baseModel" && quote === undefined ? String(value) : scalarText(value, quote);
        patches.push({ start: node.range![0], end: node.range![1], text: rendered });
      }
    }
  }
  if (added.length > 0) {
    const nl = lastEnd > 0 && text[lastEnd - 1] !== "\n" ? "\n" : "";
    patches.push({ start: lastEnd, end: lastEnd, text: nl + added.join("") });
  }
  return applyPatches(text, patches);
}

/** Re-renders the whole `llmkit:release` block with the Document API and splices it in. */
function rerenderRelease(text: string, doc: Document, pair: Pair, changes: readonly PinChange[], file: string): string {
  const release = pair.value as YAMLMap;
  let adapters: unknown = release.get("adapters", true);
  if (adapters === undefined || (isScalar(adapters) && adapters.value === null)) {
    adapters = doc.createNode({});
    release.set("adapters", adapters);
  }
  if (!isMap(adapters)) throw new PromotionRefused(`cannot edit ${file}:`, [`${RELEASE_KEY}.adapters is not a map`]);
  for (const c of changes) {
    const entry = adapters.get(c.adapter, true);
    if (!isMap(entry)) {
      adapters.set(c.adapter, pinNode(doc, c.to));
      continue;
    }
    setIfChanged(entry, "runId", c.to.runId, true);
    setIfChanged(entry, "baseModel", c.to.baseModel);
    setIfChanged(entry, "rank", c.to.rank);
  }

  // Splice: the block as the edited document renders it, everything else byte for byte.
  const rendered = doc.toString({ lineWidth: 0 });
  const again = releasePair(parseDocument(rendered, STACK_YAML_OPTIONS), file).pair!;
  const oldStart = (pair.key as Scalar).range![0];
  const oldEnd = release.range![2];
  let block = rendered.slice((again.key as Scalar).range![0], (again.value as YAMLMap).range![2]);
  if (!text.slice(oldStart, oldEnd).endsWith("\n")) block = block.replace(/\n+$/, "");
  else if (!block.endsWith("\n")) block += "\n";
  return text.slice(0, oldStart) + block + text.slice(oldEnd);
}

/** The target's current pins, read from its `llmkit:release` (without validating the rest). */
function currentPins(raw: Record<string, unknown>): Map<string, Pin> {
  const release = raw.release as { adapters?: Record<string, Partial<Pin>> } | undefined;
  const pins = new Map<string, Pin>();
  for (const [adapter, e] of Object.entries(release?.adapters ?? {})) {
    if (typeof e !== "object" || e === null) continue;
    pins.set(adapter, { runId: String(e.runId), baseModel: String(e.baseModel), ...(typeof e.rank === "number" ? { rank: e.rank } : {}) });
  }
  return pins;
}

/**
 * Pins the edit changed without being asked to: an edited scalar shared through an anchor
 * (`&pin` … `<<: *pin`) changes every entry that merges it.
 */
function unintendedPinChanges(before: Map<string, Pin>, changes: readonly PinChange[], after: Map<string, Pin>): string[] {
  const expected = new Map(before);
  for (const c of changes) expected.set(c.adapter, c.to);
  return [...new Set([...expected.keys(), ...after.keys()])]
    .filter((a) => !expected.has(a) || !samePin(after.get(a), expected.get(a)!))
    .map((a) => `${RELEASE_KEY}.adapters.${a}: the edit would also change this pin (it shares an anchor through a \`<<:\` merge key): edit the release by hand`);
}

/** Plans a promotion: every refusal is thrown (ConfigError or PromotionRefused) before any write. */
export function planPromotion(opts: PromoteOptions): PromotionPlan {
  const { from, to, stacksDir } = opts;
  if (from === to) throw new PromotionRefused("nothing to promote:", [`--from and --to are both "${from}"`]);
  const source = loadStack(from, readStackFile(from, stacksDir), stacksDir);
  const oldText = readText(to, stacksDir);
  const targetFile = stackFilePath(to, stacksDir);
  // The target is loaded (and its layer checked) before the edit too: an invalid target is the
  // target's problem, not the promotion's, and is reported as such.
  const before = parseStackConfig(readStackFile(to, stacksDir));
  if (!before.ok) throw new ConfigError(to, before.problems);
  if (before.config.layer === "platform") {
    throw new PromotionRefused(`cannot promote into "${to}":`, [`it is a platform stack; releases belong to workloads (or all) stacks`]);
  }

  const pins = sourcePins(source);
  const only = opts.only ?? [];
  const unknown = only.filter((a) => !pins.has(a));
  if (unknown.length > 0) {
    const known = [...pins.keys()].join(", ") || "none";
    throw new PromotionRefused(`cannot promote from "${from}":`, unknown.map((a) => `--only ${a}: not pinned in ${from}'s ${RELEASE_KEY}.adapters (pinned: ${known})`));
  }
  if (pins.size === 0) throw new PromotionRefused(`nothing to promote:`, [`"${from}" pins no adapters in ${RELEASE_KEY}`]);

  const existing = currentPins(namespaced((parseDocument(oldText, STACK_YAML_OPTIONS).toJS() as { config?: Record<string, unknown> }).config ?? {}));
  const changes: PinChange[] = [];
  for (const [adapter, pin] of pins) {
    if (only.length > 0 && !only.includes(adapter)) continue;
    const from_ = existing.get(adapter);
    if (samePin(from_, pin)) continue;
    changes.push({ adapter, ...(from_ !== undefined ? { from: from_ } : {}), to: pin });
  }

  const text = editRelease(oldText, changes, targetFile);
  const raw = namespaced((parseDocument(text, STACK_YAML_OPTIONS).toJS() as { config?: Record<string, unknown> }).config ?? {});
  const shifted = unintendedPinChanges(existing, changes, currentPins(raw));
  if (shifted.length > 0) throw new PromotionRefused(`cannot edit ${targetFile} safely; nothing written:`, shifted);
  let target: LoadedStack;
  try {
    target = loadStack(to, raw, stacksDir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new PromotionRefused(`refused: promoting into "${to}" would make it invalid (${err.problems.length} error(s)); nothing written:`, err.problems);
  }
  return { from, to, targetFile, changes, text, oldText, target };
}

function describePin(p: Pin): string {
  return `${p.runId} (base ${p.baseModel}, rank ${p.rank ?? "unset"})`;
}

/** The readable diff: one line per adapter, old → new. */
export function diffLines(plan: Pick<PromotionPlan, "from" | "to" | "changes">): string[] {
  if (plan.changes.length === 0) return [`no changes: ${plan.to} already pins what ${plan.from} pins`];
  return [
    `promote ${plan.from} → ${plan.to}: ${plan.changes.length} adapter(s)`,
    ...plan.changes.map((c) => {
      if (c.from === undefined) return `  + ${c.adapter}: ${describePin(c.to)} (new pin)`;
      const parts: string[] = [];
      if (c.from.runId !== c.to.runId) parts.push(`runId ${c.from.runId} → ${c.to.runId}`);
      if (c.from.baseModel !== c.to.baseModel) parts.push(`baseModel ${c.from.baseModel} → ${c.to.baseModel}`);
      if (c.from.rank !== c.to.rank) parts.push(`rank ${c.from.rank ?? "unset"} → ${c.to.rank ?? "unset"}`);
      return `  ~ ${c.adapter}: ${parts.join(", ")}`;
    }),
  ];
}
