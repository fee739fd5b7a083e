/**
 * The file the Pulumi engine loads for this pack (package.json "main"). `pulumi preview
 * --policy-pack policies` starts packs through @pulumi/pulumi's cmd/run-policy-pack, which (pulumi
 * v3.248.0) always registers ts-node and `require`s the pack, and the Node.js language host passes
 * PulumiPolicy.yaml's `nodeargs` after that script's path (sdk/nodejs/cmd/pulumi-language-nodejs/
 * main.go, RunPlugin), so `--import tsx` never reaches node and ts-node refuses the `.ts` imports.
 * A CommonJS file is not compiled by ts-node: it registers tsx's loader, as the program's
 * `--import tsx` does, and hands the engine the promise of the TypeScript entry point.
 */
// tsx's ESM API through import(): its CommonJS build (tsx 4.23.15) registers the loader from a
// wrong relative path (dist/esm/api/esm/index.mjs)
module.exports = import("tsx/esm/api").then(({ register }) => {
  register();
  return import("./index.ts");
});
