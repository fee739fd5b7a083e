/**
 * Unknown-field check. The kubernetes-models validators are compiled from the upstream OpenAPI
 * schemas without `additionalProperties: false`, so a misspelt field passes them. Their `.d.ts`
 * files carry the same schemas as TypeScript interfaces (one quoted property per schema field,
 * `{[key: string]: T}` for maps), so the TypeScript checker walks an object against the
 * interface and reports every key the schema does not declare.
 */
import ts from "typescript";

const OPTIONS: ts.CompilerOptions = {
  noEmit: true,
  skipLibCheck: true,
  types: [],
  lib: ["lib.es5.d.ts"],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
};

let program: ts.Program | undefined;

/**
 * One program for every interface file needed so far. Building a program costs ~0.3 s however
 * few files change, so callers with many kinds load them all at once (`preloadInterfaces`).
 */
export function preloadInterfaces(files: readonly string[]): void {
  const missing = files.filter((f) => program?.getSourceFile(f) === undefined);
  if (missing.length === 0) return;
  const roots = [...new Set([...(program?.getRootFileNames() ?? []), ...missing])];
  program = ts.createProgram(roots, OPTIONS, undefined, program);
}

function programWith(file: string): ts.Program {
  preloadInterfaces([file]);
  return program!;
}

function interfaceType(file: string, name: string): { checker: ts.TypeChecker; type: ts.Type } {
  const p = programWith(file);
  const checker = p.getTypeChecker();
  const source = p.getSourceFile(file);
  const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  const symbol = moduleSymbol === undefined ? undefined : checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
  if (symbol === undefined) throw new Error(`${file} does not export ${name}`);
  return { checker, type: checker.getDeclaredTypeOfSymbol(symbol) };
}

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, out: string[]): void {
  if (value === null || typeof value !== "object") return;
  const type = checker.getNonNullableType(declared);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  const members = type.isUnion() ? type.types : [type];
  if (Array.isArray(value)) {
    const arrayType = members.find((t) => checker.isArrayType(t));
    const element = arrayType === undefined ? undefined : checker.getTypeArguments(arrayType as ts.TypeReference)[0];
    if (element !== undefined) value.forEach((v, i) => walk(checker, v, element, `${path}[${i}]`, out));
    return; // a list where the schema wants something else is a type error: the validator's job
  }
  const objects = members.filter((t) => t.flags & ts.TypeFlags.Object && !checker.isArrayType(t));
  if (objects.length === 0) return;
  for (const [key, child] of Object.entries(value)) {
    const propertyType = objects
      .map((t) => {
        const property = t.getProperty(key);
        return property !== undefined ? checker.getTypeOfSymbol(property) : checker.getIndexInfoOfType(t, ts.IndexKind.String)?.type;
      })
      .find((t) => t !== undefined);
    if (propertyType === undefined) out.push(`${path}.${key}`);
    else walk(checker, child, propertyType, `${path}.${key}`, out);
  }
}

/** Paths (`.spec.template.spec.containers[0].foo`) of fields the interface does not declare. */
export function unknownFields(dtsFile: string, interfaceName: string, value: unknown): string[] {
  const { checker, type } = interfaceType(dtsFile, interfaceName);
  const out: string[] = [];
  walk(checker, value, type, "", out);
  return out;
}
