/**
 * The CI/CD workflows (.github/workflows) and the Pulumi Kubernetes Operator example
 * (deploy/operator), checked offline: pinned actions with only their real inputs, OIDC instead of
 * keys, the deploy order and gates, and the shell steps run for real against fake file lists.
 * docs/gitops.md explains the flow.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, parseAllDocuments, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const read = (path: string): string => readFileSync(resolve(root, path), "utf8");
const WORKFLOWS = ["preview.yml", "deploy.yml", "promote.yml"] as const;
const OPERATOR_DIR = "deploy/operator";

/**
 * Every action the workflows may use: the commit of its release tag, and its inputs copied from
 * action.yml at that tag. Updating an action means updating its row from the new action.yml.
 */
const ACTIONS: Record<string, { tag: string; sha: string; inputs: readonly string[] }> = {
  // https://github.com/actions/checkout/blob/v7.0.1/action.yml
  "actions/checkout": {
    tag: "v7.0.1",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
    inputs: ["repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "persist-credentials", "path", "clean", "filter", "sparse-checkout", "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules", "set-safe-directory", "github-server-url", "allow-unsafe-pr-checkout"],
  },
  // https://github.com/actions/setup-node/blob/v7.0.0/action.yml
  "actions/setup-node": {
    tag: "v7.0.0",
    sha: "820762786026740c76f36085b0efc47a31fe5020",
    inputs: ["node-version", "node-version-file", "architecture", "check-latest", "registry-url", "scope", "token", "cache", "package-manager-cache", "cache-dependency-path", "mirror", "mirror-token"],
  },
  // https://github.com/aws-actions/configure-aws-credentials/blob/v6.2.3/action.yml
  "aws-actions/configure-aws-credentials": {
    tag: "v6.2.3",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
    inputs: ["aws-region", "aws-profile", "overwrite-aws-profile", "role-to-assume", "aws-access-key-id", "aws-secret-access-key", "aws-session-token", "web-identity-token-file", "role-chaining", "audience", "http-proxy", "no-proxy", "mask-aws-account-id", "role-duration-seconds", "role-external-id", "role-session-name", "role-skip-session-tagging", "transitive-tag-keys", "inline-session-policy", "managed-session-policies", "output-credentials", "output-env-credentials", "unset-current-credentials", "disable-retry", "retry-max-attempts", "special-characters-workaround", "use-existing-credentials", "allowed-account-ids", "force-skip-oidc", "action-timeout-s", "custom-tags", "sts-endpoint"],
  },
  // https://github.com/pulumi/actions/blob/v7.0.0/action.yml
  "pulumi/actions": {
    tag: "v7.0.0",
    sha: "8e5e406f4007fca908480587cb9893c07090f58d",
    inputs: ["command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr", "comment-on-pr-number", "comment-on-summary", "github-token", "cloud-url", "secrets-provider", "parallel", "message", "config-map", "expect-no-changes", "diff", "replace", "exclude", "exclude-dependents", "target", "target-dependents", "policyPacks", "policyPackConfigs", "refresh", "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan", "suppress-outputs", "suppress-progress", "always-include-summary", "continue-on-error", "log-verbosity", "log-flow", "debug"],
  },
  // https://github.com/peter-evans/create-pull-request/blob/v8.1.1/action.yml
  "peter-evans/create-pull-request": {
    tag: "v8.1.1",
    sha: "5f6978faf089d4d20b00c7766989d076bb2fc7f1",
    inputs: ["token", "branch-token", "path", "add-paths", "commit-message", "committer", "author", "signoff", "branch", "delete-branch", "branch-suffix", "base", "push-to-fork", "sign-commits", "title", "body", "body-path", "labels", "assignees", "reviewers", "team-reviewers", "milestone", "draft", "maintainer-can-modify"],
  },
};

interface Step { id?: string; name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  strategy?: { matrix?: { stack?: unknown } };
  steps: Step[];
}
interface Workflow { on: Record<string, any>; permissions?: unknown; jobs: Record<string, Job> }

const workflows = Object.fromEntries(WORKFLOWS.map((f) => [f, parse(read(`.github/workflows/${f}`)) as Workflow]));
const allJobs = WORKFLOWS.flatMap((f) => Object.entries(workflows[f]!.jobs).map(([id, job]) => ({ file: f, id, job })));
const allSteps = allJobs.flatMap(({ file, id, job }) => job.steps.map((step) => ({ file, job: id, step })));
const actionOf = (step: Step): string => step.uses!.split("@")[0]!;
const stepsUsing = (job: Job, action: string): Step[] => job.steps.filter((s) => s.uses !== undefined && actionOf(s) === action);

const stackNames = readdirSync(resolve(root, "stacks"))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();
const stackConfig = (stack: string): Record<string, unknown> => (parse(read(`stacks/Pulumi.${stack}.yaml`)) as { config: Record<string, unknown> }).config;
const sdkVersion = (parse(read("package.json")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"];

/** Runs a workflow step's shell script as the runner would: bash, with RUNNER_TEMP and GITHUB_OUTPUT. */
function runStep(script: string, opts: { cwd: string; changed?: string[]; env?: Record<string, string> }): Record<string, string> {
  const tmp = mkdtempSync(join(tmpdir(), "llmkit-wf-"));
  const output = join(tmp, "output");
  writeFileSync(output, "");
  writeFileSync(join(tmp, "changed.txt"), (opts.changed ?? []).map((l) => `${l}\n`).join(""));
  const result = spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", script], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, RUNNER_TEMP: tmp, GITHUB_OUTPUT: output, GITHUB_ENV: output, ...opts.env },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stderr}`);
  return Object.fromEntries(
    readFileSync(output, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}
const stepScript = (file: string, job: string, id: string): string =>
  workflows[file]!.jobs[job]!.steps.find((s) => s.id === id || s.name === id)!.run!;

describe("workflows: syntax and pinning", () => {
  it.each(WORKFLOWS)("%s parses without YAML errors or warnings", (file) => {
    const doc = parseDocument(read(`.github/workflows/${file}`));
    expect([...doc.errors, ...doc.warnings].map((e) => e.message)).toEqual([]);
    expect(Object.keys(workflows[file]!.jobs).length).toBeGreaterThan(0);
  });

  it("every `uses:` is a known action pinned to its release commit, with the tag in a comment", () => {
    const problems: string[] = [];
    for (const file of WORKFLOWS) {
      for (const [n, line] of read(`.github/workflows/${file}`).split("\n").entries()) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+?)@(\S+)(?:\s+#\s*(\S+))?\s*$/.exec(line);
        if (line.includes("uses:") && m === null) problems.push(`${file}:${n + 1}: unparseable uses line`);
        if (m === null) continue;
        const [, action, ref, comment] = m;
        const pin = ACTIONS[action!];
        if (pin === undefined) problems.push(`${file}:${n + 1}: ${action} is not in the ACTIONS table`);
        else if (ref !== pin.sha || comment !== pin.tag) problems.push(`${file}:${n + 1}: ${action}@${ref} # ${comment} (want @${pin.sha} # ${pin.tag})`);
        if (!/^[0-9a-f]{40}$/.test(ref!)) problems.push(`${file}:${n + 1}: ${ref} is not a full commit SHA`);
      }
    }
    expect(problems).toEqual([]);
    expect(new Set(allSteps.filter((s) => s.step.uses).map((s) => actionOf(s.step)))).toEqual(new Set(Object.keys(ACTIONS)));
  });

  it("every `with:` key is an input of the pinned action", () => {
    const unknown = allSteps
      .filter(({ step }) => step.uses !== undefined)
      .flatMap(({ file, job, step }) =>
        Object.keys(step.with ?? {})
          .filter((k) => !ACTIONS[actionOf(step)]!.inputs.includes(k))
          .map((k) => `${file} ${job}: ${actionOf(step)} has no input "${k}"`),
      );
    expect(unknown).toEqual([]);
  });

  it("every Pulumi step pins the CLI to the SDK version and runs the policy pack", () => {
    const pulumiSteps = allJobs.flatMap(({ job }) => stepsUsing(job, "pulumi/actions"));
    expect(pulumiSteps.length).toBe(1 + 4 + 4); // preview; dev up×2 + idempotency×2; staging/prod up×4
    for (const step of pulumiSteps) {
      expect(step.with).toMatchObject({ "pulumi-version": sdkVersion, policyPacks: "policies", "work-dir": "./", "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}" });
      expect(["preview", "up"]).toContain(step.with!.command);
      expect(step.with!.upsert).toBeUndefined(); // CI never creates a stack
    }
  });
});

describe("workflows: credentials", () => {
  const FORBIDDEN = /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret-access-key|AWS_SESSION_TOKEN|aws-session-token/i;
  const files = [...WORKFLOWS.map((f) => `.github/workflows/${f}`), ...readdirSync(resolve(root, OPERATOR_DIR)).map((f) => `${OPERATOR_DIR}/${f}`)];

  it.each(files)("%s holds no static AWS credentials", (file) => {
    expect(read(file)).not.toMatch(FORBIDDEN);
  });

  it("every job that assumes an AWS role has id-token: write and a role from a variable", () => {
    const awsJobs = allJobs.filter(({ job }) => stepsUsing(job, "aws-actions/configure-aws-credentials").length > 0);
    expect(awsJobs.map((j) => `${j.file}:${j.id}`).sort()).toEqual(
      ["deploy.yml:dev", "deploy.yml:prod-platform", "deploy.yml:prod-workloads", "deploy.yml:staging-platform", "deploy.yml:staging-workloads", "preview.yml:preview", "promote.yml:promote"],
    );
    for (const { job } of awsJobs) {
      expect(job.permissions?.["id-token"]).toBe("write");
      for (const step of stepsUsing(job, "aws-actions/configure-aws-credentials")) {
        expect(step.with!["role-to-assume"]).toMatch(/^\$\{\{ vars\.AWS_[A-Z]+_ROLE_ARN \}\}$/);
      }
    }
  });

  it("workflows grant nothing by default and no job asks for more than it uses", () => {
    for (const file of WORKFLOWS) expect(workflows[file]!.permissions).toEqual({});
    const granted = Object.fromEntries(allJobs.map(({ file, id, job }) => [`${file}:${id}`, job.permissions]));
    expect(granted["preview.yml:affected"]).toEqual({ contents: "read" });
    expect(granted["preview.yml:preview"]).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(granted["promote.yml:promote"]).toEqual({ contents: "write", "pull-requests": "write", "id-token": "write" });
    for (const id of ["dev", "staging-platform", "staging-workloads", "prod-platform", "prod-workloads"]) {
      expect(granted[`deploy.yml:${id}`]).toEqual({ contents: "read", "id-token": "write" });
    }
  });

  it("no run script splices an expression in (inputs reach shells as environment variables)", () => {
    const spliced = allSteps.filter(({ step }) => step.run?.includes("${{")).map(({ file, job, step }) => `${file} ${job}: ${step.name ?? step.run}`);
    expect(spliced).toEqual([]);
  });
});

describe("preview.yml", () => {
  const wf = workflows["preview.yml"]!;
  const script = stepScript("preview.yml", "affected", "affected");
  const ciStacks = stackNames.filter((s) => s !== "local");
  const affected = (changed: string[]): string[] => JSON.parse(runStep(script, { cwd: root, changed }).stacks!);

  it("runs on pull requests to main and previews each affected stack with a PR comment", () => {
    expect(wf.on.pull_request.branches).toEqual(["main"]);
    const job = wf.jobs.preview!;
    expect(job.strategy?.matrix?.stack).toBe("${{ fromJSON(needs.affected.outputs.stacks) }}");
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(stepsUsing(job, "pulumi/actions")[0]!.with).toMatchObject({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      "comment-on-pr": true,
      "edit-pr-comment": true,
    });
  });

  it("a stack file affects only that stack; docs and tests affect none", () => {
    expect(affected(["stacks/Pulumi.workloads-prod.yaml", "README.md"])).toEqual(["workloads-prod"]);
    expect(affected(["stacks/Pulumi.local.yaml", "docs/gitops.md", "components/serving/vllm.test.ts", "gitops/__golden__/x.json"])).toEqual([]);
    expect(affected(["stacks/Pulumi.gone.yaml"])).toEqual([]); // a deleted stack file
  });

  it.each([["components/serving/vllm.ts"], ["policies/serving-ha.ts"], ["config/schema.ts"], ["package-lock.json"], ["index.ts"], ["charts/index.ts"]])(
    "program code (%s) affects every stack but local",
    (file) => {
      expect(affected([file])).toEqual(ciStacks);
    },
  );

  it("sets LLMKIT_POLICY_ENV to each stack's llmkit:env", () => {
    const step = wf.jobs.preview!.steps.find((s) => s.name === "policy environment")!;
    for (const stack of ciStacks) {
      const out = runStep(step.run!, { cwd: root, env: { STACK: stack } });
      expect(out).toEqual({ LLMKIT_POLICY_ENV: stackConfig(stack)["llmkit:env"] });
    }
  });
});

describe("deploy.yml", () => {
  const wf = workflows["deploy.yml"]!;
  const changes = stepScript("deploy.yml", "changes", "changes");

  it("runs on push to main, one at a time, never cancelling an update", () => {
    expect(wf.on.push.branches).toEqual(["main"]);
    expect((wf as any).concurrency).toEqual({ group: "deploy", "cancel-in-progress": false });
  });

  it("ups platform-dev, then workloads-dev, then previews both expecting no changes", () => {
    const steps = stepsUsing(wf.jobs.dev!, "pulumi/actions").map((s) => [s.with!.command, s.with!["stack-name"], s.with!["expect-no-changes"] ?? false]);
    expect(steps).toEqual([
      ["up", "platform-dev", false],
      ["up", "workloads-dev", false],
      ["preview", "platform-dev", true],
      ["preview", "workloads-dev", true],
    ]);
    expect(stackConfig("platform-dev")).toMatchObject({ "llmkit:layer": "platform", "llmkit:env": "dev" });
    expect(stackConfig("workloads-dev")).toMatchObject({ "llmkit:layer": "workloads", "llmkit:env": "dev", "llmkit:platformStack": "platform-dev" });
    expect(wf.jobs.dev!.env).toEqual({ LLMKIT_POLICY_ENV: "dev" });
  });

  it("orders dev → staging → prod, platform before workloads, prod behind the production environment", () => {
    const order = [["staging-platform", "dev", "staging"], ["staging-workloads", "staging-platform", "staging"], ["prod-platform", "staging-workloads", "production"], ["prod-workloads", "prod-platform", "production"]] as const;
    for (const [id, after, environment] of order) {
      const job = wf.jobs[id]!;
      const output = id.replace("-", "_");
      expect(job.needs).toEqual(["changes", after]);
      expect(job.environment).toBe(environment);
      expect(job.env).toEqual({ LLMKIT_POLICY_ENV: environment === "production" ? "prod" : "staging" });
      expect(job.if).toBe(`\${{ !failure() && !cancelled() && needs.changes.outputs.${output} != '[]' }}`);
      expect(job.strategy?.matrix?.stack).toBe(`\${{ fromJSON(needs.changes.outputs.${output}) }}`);
      expect(stepsUsing(job, "pulumi/actions")[0]!.with).toMatchObject({ command: "up", "stack-name": "${{ matrix.stack }}" });
    }
    // Whatever deploys a prod stack waits for the protected environment.
    for (const { id, job } of allJobs.filter((j) => j.file === "deploy.yml" && j.job.env?.LLMKIT_POLICY_ENV === "prod")) {
      expect([id, job.environment]).toEqual([id, "production"]);
    }
  });

  it("sends each changed staging/prod stack file to the job of its environment and layer", () => {
    expect(runStep(changes, { cwd: root, changed: ["stacks/Pulumi.workloads-prod.yaml", "stacks/Pulumi.platform-dev.yaml", "stacks/Pulumi.local.yaml", "index.ts"] })).toEqual({
      staging_platform: "[]",
      staging_workloads: "[]",
      prod_platform: "[]",
      prod_workloads: '["workloads-prod"]',
    });
    expect(runStep(changes, { cwd: root, changed: ["components/serving/vllm.ts"] })).toMatchObject({ prod_platform: "[]", prod_workloads: "[]" });

    // Stack files the repository does not ship yet (staging, a layer-all prod stack), quoted values.
    const dir = mkdtempSync(join(tmpdir(), "llmkit-wf-stacks-"));
    mkdirSync(join(dir, "stacks"));
    const files: Record<string, string> = {
      "workloads-staging": 'config:\n  llmkit:layer: workloads\n  llmkit:env: "staging"\n',
      "platform-staging": "config:\n  llmkit:layer: platform # comment\n  llmkit:env: staging\n",
      "edge-prod": "config:\n  llmkit:layer: all\n  llmkit:env: prod\n",
      "platform-prod": "config:\n  llmkit:layer: platform\n  llmkit:env: prod\n",
    };
    for (const [s, text] of Object.entries(files)) writeFileSync(join(dir, "stacks", `Pulumi.${s}.yaml`), text);
    expect(runStep(changes, { cwd: dir, changed: Object.keys(files).map((s) => `stacks/Pulumi.${s}.yaml`) })).toEqual({
      staging_platform: '["platform-staging"]',
      staging_workloads: '["workloads-staging"]',
      prod_platform: '["edge-prod","platform-prod"]',
      prod_workloads: "[]",
    });
  });
});

describe("promote.yml", () => {
  const wf = workflows["promote.yml"]!;
  const job = wf.jobs.promote!;
  const run = job.steps.find((s) => s.name === "promote")!.run!;

  it("offers only existing workloads stacks and runs on main", () => {
    const inputs = wf.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs)).toEqual(["from", "to", "only", "allow_regression", "reason"]);
    for (const stack of [...inputs.from.options, ...inputs.to.options]) {
      expect(stackNames).toContain(stack);
      expect(stackConfig(stack)["llmkit:layer"]).toBe("workloads");
    }
    expect(job.if).toBe("github.ref == 'refs/heads/main'");
  });

  it("calls npm run promote with --check-store and never --allow-downgrade", () => {
    expect(run).toMatch(/^\s*npm run (--silent )?promote -- --from "\$FROM" --to "\$TO" "\$\{args\[@\]\}" --check-store\b/m);
    expect(run).not.toContain("--allow-downgrade");
    expect(job.steps.find((s) => s.name === "promote")!.env).toEqual({
      FROM: "${{ inputs.from }}",
      TO: "${{ inputs.to }}",
      ONLY: "${{ inputs.only }}",
      ALLOW_REGRESSION: "${{ inputs.allow_regression }}",
      REASON: "${{ inputs.reason }}",
    });
  });

  it("turns `only` into --only flags and refuses a name that is not an adapter name", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmkit-wf-npm-"));
    // A stand-in `npm` on PATH that records its arguments: the test checks the command line, the
    // promote CLI itself is tested in gitops/promote.test.ts.
    writeFileSync(join(dir, "npm"), `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\necho "~ support-bot: runId a → b"\n`, { mode: 0o755 });
    const env = { FROM: "workloads-dev", TO: "workloads-prod", ALLOW_REGRESSION: "", REASON: "", PATH: `${dir}:${process.env.PATH}` };
    runStep(run, { cwd: root, env: { ...env, ONLY: "support-bot  support-bot-qlora" } });
    expect(readFileSync(join(dir, "args"), "utf8").trim().split("\n")).toEqual(
      ["run", "--silent", "promote", "--", "--from", "workloads-dev", "--to", "workloads-prod", "--only", "support-bot", "--only", "support-bot-qlora", "--check-store"],
    );
    runStep(run, { cwd: root, env: { ...env, ONLY: "" } });
    expect(readFileSync(join(dir, "args"), "utf8")).not.toContain("--only");
    expect(() => runStep(run, { cwd: root, env: { ...env, ONLY: "ok *;rm" } })).toThrow(/^exit 2: only: "\*;rm" is not an adapter name/);
  });

  it("turns allow_regression and reason into --allow-regression and --reason, the reason as one argument, and refuses a non-metric", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmkit-wf-npm-"));
    writeFileSync(join(dir, "npm"), `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\n`, { mode: 0o755 });
    const env = { FROM: "workloads-dev", TO: "workloads-prod", ONLY: "", PATH: `${dir}:${process.env.PATH}` };
    const reason = 'harder held-out split; "$(reboot)" stays text';
    runStep(run, { cwd: root, env: { ...env, ALLOW_REGRESSION: "heldout.loss suite.faq-v2.exactMatch", REASON: reason } });
    expect(readFileSync(join(dir, "args"), "utf8").trim().split("\n").slice(8)).toEqual(
      ["--allow-regression", "heldout.loss", "--allow-regression", "suite.faq-v2.exactMatch", "--reason", reason, "--check-store"],
    );
    runStep(run, { cwd: root, env: { ...env, ALLOW_REGRESSION: "", REASON: "" } });
    expect(readFileSync(join(dir, "args"), "utf8")).not.toMatch(/--allow-regression|--reason/);
    expect(() => runStep(run, { cwd: root, env: { ...env, ALLOW_REGRESSION: "eval_loss", REASON: "x" } })).toThrow(/^exit 2: allow_regression: "eval_loss" is not a metric name/);
  });

  it("opens a pull request with only the target stack file", () => {
    const pr = stepsUsing(job, "peter-evans/create-pull-request")[0]!;
    expect(pr.with).toMatchObject({
      "add-paths": "stacks/Pulumi.${{ inputs.to }}.yaml",
      branch: "promote/${{ inputs.to }}",
      "body-path": "${{ runner.temp }}/pr-body.md",
    });
    expect(Object.keys(pr.with!)).toEqual(expect.arrayContaining(["title", "commit-message"]));
  });
});

describe("deploy/operator (Pulumi Kubernetes Operator v2.9.0)", () => {
  const parsed = readdirSync(resolve(root, OPERATOR_DIR))
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    .flatMap((f) => parseAllDocuments(read(`${OPERATOR_DIR}/${f}`)).map((doc) => ({ f, doc })));
  const docs = parsed.map(({ doc }) => doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: any });
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

  // Field names of pulumi.com/v1 Stack .spec and .spec.workspaceTemplate.spec, from the CRD:
  // https://github.com/pulumi/pulumi-kubernetes-operator/blob/v2.9.0/deploy/crds/pulumi.com_stacks.yaml
  const STACK_SPEC = ["accessTokenSecret", "backend", "branch", "commit", "config", "configRef", "continueResyncOnCommitMatch", "destroyOnFinalize", "envRefs", "envSecrets", "environment", "envs", "expectNoRefreshChanges", "fluxSource", "gitAuth", "gitAuthSecret", "prerequisites", "preview", "programRef", "projectRepo", "refresh", "repoDir", "resyncFrequencySeconds", "retryMaxBackoffDurationSeconds", "retryOnUpdateConflict", "runProgram", "secrets", "secretsProvider", "secretsRef", "serviceAccountName", "shallow", "stack", "targetDependents", "targets", "updateTemplate", "useLocalStackOnly", "workspaceReclaimPolicy", "workspaceTemplate"];
  const WORKSPACE_SPEC = ["env", "envFrom", "flux", "git", "image", "imagePullPolicy", "local", "podTemplate", "projectInfo", "pulumiLogLevel", "resources", "securityProfile", "serviceAccountName", "serviceTemplate", "stacks"];
  // envRefs[].type → the key holding its value (same CRD: "Env, FS, Secret, Literal").
  const ENV_REF_KEY: Record<string, string> = { Env: "env", FS: "filesystem", Secret: "secret", Literal: "literal" };

  it("holds exactly a Namespace, ServiceAccount, auth-delegator binding and Stack", () => {
    expect(parsed.flatMap(({ f, doc }) => [...doc.errors, ...doc.warnings].map((e) => `${f}: ${e.message}`))).toEqual([]);
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}`).sort()).toEqual(
      ["pulumi.com/v1 Stack", "rbac.authorization.k8s.io/v1 ClusterRoleBinding", "v1 Namespace", "v1 ServiceAccount"],
    );
  });

  it("the Stack deploys a shipped stack from git, never destroys it, and uses only CRD fields", () => {
    const [stack] = byKind("Stack");
    const spec = stack!.spec;
    expect(Object.keys(spec).filter((k) => !STACK_SPEC.includes(k))).toEqual([]);
    expect(Object.keys(spec.workspaceTemplate.spec).filter((k) => !WORKSPACE_SPEC.includes(k))).toEqual([]);
    expect(stackNames).toContain(spec.stack);
    expect(spec.projectRepo).toMatch(/^https:\/\/github\.com\/.+\.git$/);
    expect([spec.branch === undefined, spec.commit === undefined].filter(Boolean)).toHaveLength(1); // exactly one of them
    expect(spec).toMatchObject({ repoDir: ".", destroyOnFinalize: false, refresh: true, useLocalStackOnly: true });
    expect(spec.backend).toMatch(/^s3:\/\/[a-z0-9.-]+\?region=[a-z0-9-]+$/);
    expect(Number.isInteger(spec.resyncFrequencySeconds) && spec.resyncFrequencySeconds > 0).toBe(true);
    for (const [name, ref] of Object.entries<any>(spec.envRefs)) {
      const key = ENV_REF_KEY[ref.type];
      expect([name, key !== undefined && ref[key] !== undefined]).toEqual([name, true]);
    }
    expect(spec.workspaceTemplate.spec).toMatchObject({ image: `pulumi/pulumi:${sdkVersion}-nonroot`, securityProfile: "restricted" });
  });

  it("the workspace ServiceAccount is bound to system:auth-delegator", () => {
    const [stack] = byKind("Stack");
    const [sa] = byKind("ServiceAccount");
    const [crb] = byKind("ClusterRoleBinding");
    const [ns] = byKind("Namespace");
    expect(sa!.metadata).toEqual({ name: stack!.spec.serviceAccountName, namespace: stack!.metadata.namespace });
    expect(ns!.metadata.name).toBe(stack!.metadata.namespace);
    expect(crb!.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" });
    expect(crb!.subjects).toEqual([{ kind: "ServiceAccount", name: sa!.metadata.name, namespace: sa!.metadata.namespace }]);
  });

  it("kustomization.yaml lists every manifest in the folder", () => {
    const k = parse(read(`${OPERATOR_DIR}/kustomization.yaml`));
    const manifests = readdirSync(resolve(root, OPERATOR_DIR)).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect([...k.resources].sort()).toEqual(manifests.sort());
  });
});
