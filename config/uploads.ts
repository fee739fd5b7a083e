/**
 * Reads the project files fine-tune datasets upload (`datasets[].upload`), so a missing,
 * oversized, binary or escaping file is a config error with its path before anything is
 * registered. The project root is the folder holding the stacks folder (the repository under
 * `npm run`), so a stack file names the same file wherever the command runs from.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { UPLOAD_MAX_BYTES, uploadedDataset } from "../components/training/upload.ts";
import { projectFilePath, type UploadedFile } from "../components/training/inputs.ts";
import type { Problem } from "./rules.ts";
import type { ParsedStackConfig } from "./schema.ts";

export type UploadRead = { ok: true; entry: { path: string; uploadFile: UploadedFile } } | { ok: false; message: string };

const KIB = 1024;

/** A reader that reads each file once (the rules and the transform both ask). */
export function uploadReader(root: string): (file: string) => UploadRead {
  const cache = new Map<string, UploadRead>();
  return (file) => {
    if (!cache.has(file)) cache.set(file, readUpload(root, file));
    return cache.get(file)!;
  };
}

function readUpload(root: string, file: string): UploadRead {
  const absolute = resolve(root, file);
  if (!existsSync(absolute)) return { ok: false, message: `${absolute} does not exist: the path is relative to the project root ${root}` };
  // a symbolic link may point anywhere; what is read must be inside the project
  const real = realpathSync(absolute);
  const inside = relative(realpathSync(root), real);
  if (inside === "" || inside.startsWith(`..${sep}`) || inside === "..") {
    return { ok: false, message: `resolves to ${real}, outside the project ${root}: copy the file into the project` };
  }
  if (!statSync(real).isFile()) return { ok: false, message: `${absolute} is not a file` };
  const bytes = readFileSync(real);
  if (bytes.length > UPLOAD_MAX_BYTES) {
    return {
      ok: false,
      message: `${file} is ${Math.ceil(bytes.length / KIB)} KiB but uploads travel in a ConfigMap (Kubernetes caps one at 1 MiB), at most ${UPLOAD_MAX_BYTES / KIB} KiB per fine-tune: copy it into the store yourself (aws s3 cp) and name its key in path`,
    };
  }
  let content: string;
  try {
    content = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, message: `${file} is not UTF-8 text (ConfigMap data is text): upload JSON or JSON Lines, or copy the file into the store and name its key in path` };
  }
  return { ok: true, entry: uploadedDataset(file, content) };
}

/** Every upload that cannot be read, and fine-tunes whose uploads together exceed one ConfigMap. */
export function uploadProblems(cfg: ParsedStackConfig, read: (file: string) => UploadRead): Problem[] {
  const problems: Problem[] = [];
  cfg.fineTunes.forEach((f, i) => {
    let total = 0;
    f.datasets.forEach((d, j) => {
      // a path the schema refused (absolute, "..") is reported there, and never read
      if (d.upload === undefined || !projectFilePath.safeParse(d.upload).success) return;
      const r = read(d.upload);
      if (!r.ok) problems.push({ path: ["fineTunes", i, "datasets", j, "upload"], message: r.message });
      else total += Buffer.byteLength(r.entry.uploadFile.content, "utf8");
    });
    if (total > UPLOAD_MAX_BYTES) {
      problems.push({
        path: ["fineTunes", i, "datasets"],
        message: `upload ${Math.ceil(total / KIB)} KiB together but one fine-tune's uploads travel in one ConfigMap, at most ${UPLOAD_MAX_BYTES / KIB} KiB: copy the larger files into the store yourself and name their keys in path`,
      });
    }
  });
  return problems;
}
