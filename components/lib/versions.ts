/**
 * Every container image llmkit runs, pinned in one place (docs/architecture.md §5).
 * Each entry cites where the tag was confirmed upstream.
 *
 * Rule used when choosing a pin: the newest tag that (a) is shown to exist upstream and
 * (b) matches the source we checked flags/keys against (the CI contract lists). Where a newer
 * tag is known to exist but its source was not available here, the comment names it.
 * No `latest`, no floating minor tags.
 */
export interface PinnedImage {
  readonly repository: string;
  readonly tag: string;
  readonly version: string;
  readonly source: string;
}

export const images = {
  /**
   * vLLM OpenAI-compatible server, vLLM 0.21.0 (released 2026-05-15).
   * Why this release: the flag list CI checks against was read from docs.vllm.ai/en/latest on
   * 2026-05-07, that is vLLM main just before v0.21.0. Newer releases exist (v0.26.0, v0.28.0,
   * v0.29.0 …; PyPI shows 0.33.0), but their flags were not checked here.
   * Tag exists: GitHub release https://github.com/vllm-project/vllm/releases/tag/v0.21.0 (cited
   * by llm-d/llm-d-benchmark#1290, 2026-05-16). A third-party pin records the digest
   * sha256:a230095847e93bd4df9888b33dab956fa9504537b828a23657d2b26fed57b5c9
   * (vLLM 0.21.0, torch 2.11.0+cu130). The default tag is built for CUDA 13.0, so the node
   * needs an R580+ driver. `v0.21.0-cu129-ubuntu2404` is the CUDA 12.9 variant.
   * Image facts: upstream docker/Dockerfile, final stage `vllm-openai`, has
   * `ENTRYPOINT ["vllm", "serve"]` (vllm-project/vllm@dead20baf70df70580ecb093f82b0b7b8676e4f5).
   * Container args are therefore `<model> --flag …`; do not repeat `serve` and do not use
   * `python3 -m vllm.entrypoints.openai.api_server`. It listens on port 8000 (the `--port`
   * default). There is no USER directive, so it runs as root by default. Since
   * vllm-project/vllm#40275 (merged 2026-04-19) the image also has a `vllm` user (uid 2000,
   * HOME=/home/vllm), and runAsUser: 2000 works (ai-dynamo/dynamo#12457). An arbitrary uid
   * with no /etc/passwd entry crashes in torch's getpass.getuser() (kserve/kserve#5666).
   */
  vllm: {
    repository: "vllm/vllm-openai",
    tag: "v0.21.0",
    version: "0.21.0",
    source: "https://github.com/vllm-project/vllm/releases/tag/v0.21.0",
  },

  /**
   * LLaMA-Factory 0.9.5 (tag v0.9.5, commit 7af909522a951e3ad9f022ea6f88b6755257eaa5,
   * 2026-05-30). This is the newest release; PyPI llamafactory is also at 0.9.5.
   * How it is published: .github/workflows/docker.yml at v0.9.5 pushes, on `release: published`,
   * `docker.io/hiyouga/llamafactory:<VERSION>`, where VERSION comes from
   * src/llamafactory/extras/env.py (= "0.9.5" at the tag). Pushes to main publish only `latest`.
   * Third-party references to hiyouga/llamafactory:0.9.5 and quay.io/ascend/llamafactory:0.9.5-npu-a3
   * were also seen.
   * Contract gap: the key list CI checks against is from main ff6d4d12 (0.9.6.dev0). 0.9.5 lacks
   * use_megatron_bridge, megatron_bridge_args, every megatron_bridge_keys entry,
   * hyper_parallel_cp_size, kt_config, kt_cpu_activation and kt_non_expert_weight_path (AST diff
   * of src/llamafactory/hparams). No image exists for ff6d4d12 except the floating `latest`.
   * Image facts (docker/docker-cuda/Dockerfile): based on
   * hiyouga/pytorch:th2.6.0-cu124-flashattn2.7.4-cxx11abi0-devel, WORKDIR /app (the source is
   * installed editable there), no USER (root), no ENTRYPOINT/CMD of its own. Run it with
   * command ["llamafactory-cli", "train", "<yaml>"] (pyproject [project.scripts]
   * llamafactory-cli = "llamafactory.cli:main"). EXPOSE 7860 (webui) and 8000 (api) are not
   * used for training.
   */
  llamafactory: {
    repository: "hiyouga/llamafactory",
    tag: "0.9.5",
    version: "0.9.5",
    source: "hiyouga/LLaMA-Factory@7af909522a951e3ad9f022ea6f88b6755257eaa5:.github/workflows/docker.yml",
  },

  /**
   * ms-swift 4.5.3 in ModelScope's official image (torch 2.13.0, CUDA 13.0.3, Python 3.12,
   * vLLM 0.28.0, modelscope 1.40.0).
   * The naming scheme comes from modelscope/ms-swift docs/source_en/GetStarted/SWIFT-installation.md
   * ("Mirror" section; regions cn-hangzhou, cn-beijing, us-west-1). The newest entry that doc
   * lists (main 3602360a, 2026-08-22) is swift4.4.3. The swift4.5.3 tag below is confirmed only by
   * third-party run scripts, which pin it by digest
   * sha256:cb8aadb783de32cd9df894b0d44b96161b31bed78d1eeafd59e9563a518743c3. No swift4.5.2 image
   * was found.
   * Contract: the argument list CI checks against is from tag v4.5.2. The argument classes are
   * unchanged between v4.5.2 and main 4.6.0.dev0 (2026-08-22, one-line sft_args diff), so 4.5.3
   * is expected to match. Its source was not available here to check.
   * Fallback, if this tag is rejected: the doc-listed
   * ubuntu22.04-cuda13.0.3-py312-torch2.11.0-vllm0.25.1-modelscope1.39.0-swift4.4.3.
   * Image facts: modelscope docker/Dockerfile.ubuntu (branch build_swift_image) has no USER,
   * ENTRYPOINT or CMD, so it runs as root. Set command ["swift", "sft", …]; console_scripts
   * swift = swift.cli.main:cli_main.
   */
  msSwift: {
    repository: "modelscope-registry.us-west-1.cr.aliyuncs.com/modelscope-repo/modelscope",
    tag: "ubuntu22.04-cuda13.0.3-py312-torch2.13.0-vllm0.28.0-modelscope1.40.0-swift4.5.3",
    version: "4.5.3",
    source:
      "modelscope/ms-swift@3602360a562313afbf2ef6065fdf61f271a2c5b9:docs/source_en/GetStarted/SWIFT-installation.md (naming); swift4.5.3 tag+digest seen in third-party scripts",
  },

  /**
   * vLLM 0.21.0 CPU backend (the `local` stack serves on CPU), the same release as `vllm`.
   * vLLM's release script builds docker/Dockerfile.cpu into this ECR repository as
   * `v${RELEASE_VERSION}` and re-tags it as `vllm/vllm-openai-cpu:v<ver>-x86_64` on Docker Hub.
   * The v0.21.0 tag is seen in third-party material only (a vLLM bug report and a benchmark
   * script pulling it). Image facts (docker/Dockerfile.cpu, vllm@002c42b2): final stage
   * `vllm-openai`, `ENTRYPOINT ["vllm","serve"]`, no USER (no `vllm` user in this image).
   */
  vllmCpu: {
    repository: "public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo",
    tag: "v0.21.0",
    version: "0.21.0",
    source: "vllm-project/vllm:docker/Dockerfile.cpu and the release pipeline's CPU image push",
  },

  /**
   * AWS CLI v2.36.7 (tag 2.36.7 in aws/aws-cli, commit 73fb33bb171ace3e9eaa03308f76e5de50c21393,
   * 2026-07-23; awscli/__init__.py __version__ = '2.36.7').
   * How it is published: scripts/installers/make-docker tags `amazon/aws-cli`, built from
   * docker/Dockerfile. Docker Hub holds a tag for each patch release; third parties pin
   * 2.36.14, 2.36.27, 2.36.49 and 2.37.5 (digest
   * sha256:fb7ccfc7b4e3a05017e6c9ded4ba959b99af622130e211fb976c68c2f4d3f224). 2.37.x source was
   * not in the snapshot.
   * Image facts: amazonlinux:2023, WORKDIR /aws, ENTRYPOINT ["/usr/local/bin/aws"], no USER
   * (root). As non-root, set HOME to a writable directory (e.g. /tmp).
   */
  awsCli: {
    repository: "amazon/aws-cli",
    tag: "2.36.7",
    version: "2.36.7",
    source: "aws/aws-cli@73fb33bb171ace3e9eaa03308f76e5de50c21393:docker/Dockerfile (tag 2.36.7)",
  },

  /**
   * In-cluster S3-compatible store for local/dev stacks: SeaweedFS 4.44 (tag 4.44,
   * commit cc8364a03ebf5cf9f8eab3315ded2000cd07fff6, 2026-08-22).
   * Why not MinIO: the community edition went source-only in Oct 2025 (minio/minio#21647), the
   * repo was archived, and Docker Hub minio/minio was deleted in Sept 2026
   * (dandi/dandi-archive#2922, onyx-dot-app/onyx#14689). quay.io/minio/minio still serves the
   * frozen RELEASE.2025-09-07T16-13-09Z, which gets no security fixes.
   * How it is published: .github/workflows/container_release_unified.yml builds on every tag
   * push into ghcr.io/chrislusf/seaweedfs:<tag> and crane-copies it to
   * docker.io/chrislusf/seaweedfs:<tag>. Third-party pins of 4.40 and 4.45–4.48 were also seen,
   * e.g. 4.48 at sha256:4e61d15fd35994cb1e43e1e553dff106794841fd9a99ade2fc8c8bfce4d7872d.
   * Run (docker/Dockerfile.go_build + docker/entrypoint.sh): ENTRYPOINT /entrypoint.sh, default
   * CMD ["mini", "-dir=/data"]. `mini` runs master, volume, filer and S3 in one process.
   * Suggested args: ["mini", "-dir=/data", "-webdav=false", "-admin.ui=false"]. S3 is on port 8333
   * (mini -s3.port default).
   * Credentials: env AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY become a static admin identity
   * (weed/s3api/auth_credentials.go loadEnvironmentVariableCredentials). Optional S3_BUCKET
   * pre-creates buckets (mini -bucket falls back to it).
   * Health: GET /healthz, also /status and /readyz, on the S3 port
   * (weed/s3api/s3api_server.go).
   * User: the image has user seaweed (uid/gid 1000). Started as root, the entrypoint chowns
   * /data and su-exec's to seaweed. With runAsUser/runAsGroup/fsGroup 1000 it skips that step and
   * runs non-root directly.
   */
  objectStore: {
    repository: "chrislusf/seaweedfs",
    tag: "4.44",
    version: "4.44",
    source: "seaweedfs/seaweedfs@cc8364a03ebf5cf9f8eab3315ded2000cd07fff6:.github/workflows/container_release_unified.yml",
  },

  /**
   * Hub mirror: the official Python slim image, with the pinned packages below pip-installed at
   * start. There is no official image that ships the `hf` CLI.
   * Tag exists: docker-library/python versions.json (commit 4f07059567fa61c80397126e8063dbbde011b794,
   * 2026-06-23) lists 3.12 → 3.12.13 with variant slim-trixie, which gives tag 3.12.13-slim-trixie.
   * The image runs as root by default. As non-root, set HOME to a writable directory and
   * pip install into a writable path (e.g. `pip install --target` or a venv on an emptyDir).
   */
  hubMirror: {
    repository: "python",
    tag: "3.12.13-slim-trixie",
    version: "3.12.13",
    source: "docker-library/python@4f07059567fa61c80397126e8063dbbde011b794:versions.json",
  },

  /**
   * llama.cpp `full` image (CPU build), build b11223, for GGUF export.
   * Naming: .github/workflows/docker.yml tags every master build
   * `ghcr.io/ggml-org/llama.cpp:full-b<git rev-list --count HEAD>` (the CPU variant has no type
   * suffix). full-b11223 is pinned by digest
   * sha256:faa6d3bbf5bead65550bf888138118cd253d865fb50a32e7555ba35ac4e719bf in third-party
   * benchmark scripts; the upstream release page was not reachable here.
   * Image facts (.devops/cpu.Dockerfile, stage `full`): ubuntu:24.04, WORKDIR /app holding
   * convert_hf_to_gguf.py and llama-quantize, system python3 with requirements.txt installed,
   * ENTRYPOINT ["/app/tools.sh"], no USER (root). Override the command to run scripts. Python's
   * getpass reads $USER before the passwd file, so a uid without an entry needs USER set.
   */
  llamaCpp: {
    repository: "ghcr.io/ggml-org/llama.cpp",
    tag: "full-b11223",
    version: "b11223",
    source: "ggml-org/llama.cpp:.github/workflows/docker.yml (tag scheme), .devops/cpu.Dockerfile (stage full)",
  },
  /**
   * Open WebUI 0.12.4, the chat UI (components/chat-ui). The newest release: PyPI open-webui
   * lists 0.12.4 as its latest version (`pip index versions open-webui`, 2026-12-06).
   * How it is published: .github/workflows/docker-build.yaml pushes, on a `v*` tag,
   * ghcr.io/open-webui/open-webui:<tag> (docker/metadata-action `type=ref,event=tag`) besides
   * `<version>` and `<major>.<minor>`
   * (open-webui/open-webui@4fd67c48526fe5ec8bb8a18a600d2fffd8292816).
   * Image facts (Dockerfile): python:3.11-slim-bookworm, WORKDIR /app/backend, EXPOSE 8080
   * (PORT=8080), CMD ["bash", "start.sh"], data under /app/backend/data, `ARG UID=0` so it runs
   * as root by default ("non-root configurations are untested"). llmkit runs the server
   * directly (`uvicorn open_webui.main:app`, the last line of backend/start.sh) as uid 1000
   * with HOME and STATIC_DIR on an emptyDir: start.sh only writes `.webui_secret_key` (skipped
   * when WEBUI_SECRET_KEY is set) and `server.log` next to itself, which a non-root user
   * cannot, and config.py tolerates a read-only STATIC_DIR but copies the frontend's assets
   * into it at start (open_webui 0.12.4 config.py, STATIC_DIR block).
   */
  openWebui: {
    repository: "ghcr.io/open-webui/open-webui",
    tag: "v0.12.4",
    version: "0.12.4",
    source: "open-webui/open-webui@4fd67c48526fe5ec8bb8a18a600d2fffd8292816:.github/workflows/docker-build.yaml (tag scheme); PyPI open-webui 0.12.4",
  },
} as const satisfies Record<string, PinnedImage>;

/**
 * `convert_hf_to_gguf.py --outtype` values this kit allows (ggml-org/llama.cpp convert_hf_to_gguf.py
 * parse_args: choices f32, f16, bf16, q8_0, tq1_0, tq2_0, auto). tq1_0/tq2_0 are ternary types
 * for BitNet-style models and would wreck an ordinary one; `auto` guesses from the first tensor,
 * so the output type would not be known from the stack file. K-quants (q4_k_m …) need
 * llama-quantize, a separate step this kit does not run.
 */
export const GGUF_OUTTYPES = ["f32", "f16", "bf16", "q8_0"] as const;

/**
 * Python packages installed at mirror time, pinned.
 * - huggingface_hub 1.28.0 (tag v1.28.0, 2026-08-18): setup.py console_scripts hf =
 *   huggingface_hub.cli.hf:main. src/huggingface_hub/cli/download.py defines
 *   `hf download <repo_id> [files…] --revision R --local-dir D --repo-type {model,dataset,space}`
 *   (also --include/--exclude/--cache-dir/--token/--max-workers). --local-dir and --cache-dir
 *   cannot be combined. Requires Python >=3.10. Later 2.x releases move the CLI into a separate
 *   `hf` package, so keep this pin and the CLI contract together.
 * - modelscope 1.37.1 (tag v1.37.1): modelscope/cli/download.py (argparse) defines
 *   `modelscope download --model X --revision R --local_dir D` (also --dataset, --repo-type,
 *   --cache_dir, --include, --exclude, --token, --max-workers). From v1.38.0 the CLI is delegated
 *   to the separate `modelscope-hub` package, which is unpinned (modelscope-hub>=0.0.7) and whose
 *   source was not checked here. 1.37.1 is the newest release with the CLI in-package.
 */
export const hubMirrorPackages = { huggingfaceHub: "1.28.0", modelscope: "1.37.1" } as const;

export function imageRef(image: PinnedImage): string {
  return `${image.repository}:${image.tag}`;
}

/** A pinned image, or the stack's override of it (`<repository>:<tag>[@<digest>]`, components/lib/inputs.ts). */
export function engineImageRef(pinned: PinnedImage, override?: { repository: string; tag: string; digest?: string | undefined }): string {
  if (override === undefined) return imageRef(pinned);
  return `${override.repository}:${override.tag}${override.digest === undefined ? "" : `@${override.digest}`}`;
}

/**
 * Default AMI alias of Karpenter GPU pools (EC2NodeClass amiSelectorTerms), pinned: an alias
 * with a version resolves to one AMI per architecture and variant, so nodes change only when
 * this line changes (Karpenter then drifts them, gracefully). Never `@latest`.
 * - Bottlerocket v1.62.0, released 2026-06-04 (bottlerocket-os/bottlerocket#4849: "Bottlerocket
 *   1.62.0 has been released", https://github.com/bottlerocket-os/bottlerocket/releases/v1.62.0).
 *   NVIDIA variants use R580 drivers since v1.53.0 (bottlerocket-os/bottlerocket#4737), which
 *   vLLM's CUDA 13 image needs (see `images.vllm`), and ship the NVIDIA device plugin
 *   (awsdocs/amazon-eks-user-guide#939, latest/ug/ml/node-efa.adoc), plus EFA support since 1.28.0.
 * - How Karpenter v1.12.1 resolves it: pkg/providers/amifamily/bottlerocket.go reads
 *   /aws/service/bottlerocket/aws-k8s-<k8s>[-nvidia]/<arch>/<version without "v">/image_id and
 *   picks the -nvidia variant for NVIDIA instance types (aws/karpenter-provider-aws@v1.12.1).
 */
export const amiAliases = {
  bottlerocket: "bottlerocket@v1.62.0",
} as const;
