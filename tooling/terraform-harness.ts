/**
 * Offline Terraform proof harness.
 *
 * Takes stacks synthesized by cdktf (`cdktf.out/stacks/<stack>/cdk.tf.json`) and runs
 * `terraform init`, `validate -json`, `plan` and `show -json` on them without an AWS account and
 * without network access to the Terraform registry:
 *
 * - the AWS provider comes from a filesystem mirror (`/opt/tf-plugins`, see {@link writeCliConfig});
 * - each stack is planned from a *transformed copy* in a work directory (see
 *   {@link offlineTransform}): local backend, dummy credentials, the provider's skip flags, no
 *   `assume_role` / `allowed_account_ids`, and a placeholder default for every variable declared
 *   without one. The synthesized stacks in cdktf.out are never changed.
 *
 * The JSON of `terraform show -json` is what plan tests assert on, Terratest-style (see the plan
 * helpers at the end of this file). Successful runs are cached by the exact bytes Terraform sees
 * (see "Result cache"), so several test files planning the same stacks pay once.
 * Used by `__tests__/terraform`, `scripts/plan.ts` and `scripts/bench.ts`.
 *
 * Environment: TERRAFORM_BINARY_NAME, LMA_TF_PLUGIN_MIRROR (default /opt/tf-plugins),
 * LMA_TF_CACHE=0 (no result cache), LMA_TF_CACHE_DIR (default .terraform-work/.cache),
 * LMA_APP_ENTRY (an entry to synthesize with tsx instead of cdktf.json's app), LMA_SYNTH_OUT (the
 * jest run's one synthesis, reused).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Repository root (this file lives in `<root>/tooling`). */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Provider address served from the filesystem mirror. */
export const AWS_PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws";

/** Default location of the provider mirror; override with env `LMA_TF_PLUGIN_MIRROR`. */
export const DEFAULT_PLUGIN_MIRROR = "/opt/tf-plugins";

/** Default root of the per-stack work directories (gitignored). */
export const DEFAULT_WORK_ROOT = path.join(REPO_ROOT, ".terraform-work");

/** Default cdktf output directory. */
export const DEFAULT_OUTDIR = path.join(REPO_ROOT, "cdktf.out");

/** File names used inside a work directory. */
export const OFFLINE_FILES = {
  stack: "cdk.tf.json",
  changes: "offline-changes.json",
  planBinary: "plan.tfplan",
  planJson: "plan.json",
  validateJson: "validate.json",
} as const;

// ---------------------------------------------------------------------------------------------
// Terraform CLI configuration and binary
// ---------------------------------------------------------------------------------------------

/** The provider mirror directory in use (env `LMA_TF_PLUGIN_MIRROR`, else `/opt/tf-plugins`). */
export function pluginMirrorDir(): string {
  return process.env.LMA_TF_PLUGIN_MIRROR || DEFAULT_PLUGIN_MIRROR;
}

/**
 * Writes `<dir>/terraform.rc`, a Terraform CLI configuration that installs the AWS provider from
 * the filesystem mirror when the mirror directory exists (Terraform links it, no 675 MB copy), and
 * everything else from the registry. Without a mirror it falls back to plain `direct {}`.
 * Returns the file's path; pass it to Terraform as env `TF_CLI_CONFIG_FILE`.
 */
export function writeCliConfig(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const mirror = pluginMirrorDir();
  const file = path.join(dir, "terraform.rc");
  const body = fs.existsSync(mirror)
    ? [
        "provider_installation {",
        "  filesystem_mirror {",
        `    path    = ${JSON.stringify(mirror)}`,
        `    include = [${JSON.stringify(AWS_PROVIDER_SOURCE)}]`,
        "  }",
        "  direct {",
        `    exclude = [${JSON.stringify(AWS_PROVIDER_SOURCE)}]`,
        "  }",
        "}",
      ]
    : ["provider_installation {", "  direct {}", "}"];
  const content = `# Written by tooling/terraform-harness.ts\n${body.join("\n")}\n`;
  // Stacks running in parallel share this file: a plain rewrite lets a starting `terraform init`
  // read it half-written (empty config = registry only = "Failed to query available provider
  // packages" offline; seen at concurrency 6). Write only on change, and atomically.
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) {
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  }
  return file;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The Terraform binary to use: env `TERRAFORM_BINARY_NAME` (the variable cdktf itself honours; a
 * path or a name on PATH), else `terraform` on PATH, else `/usr/local/bin/terraform`.
 */
export function findTerraform(): string | undefined {
  const fromEnv = process.env.TERRAFORM_BINARY_NAME;
  if (fromEnv) {
    if (fromEnv.includes(path.sep)) return isExecutable(fromEnv) ? fromEnv : undefined;
    return whichSync(fromEnv);
  }
  return whichSync("terraform") ?? (isExecutable("/usr/local/bin/terraform") ? "/usr/local/bin/terraform" : undefined);
}

function whichSync(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Synthesized JSON: types and the offline transformation
// ---------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Dummy credentials: the provider needs *some* static credentials, and never uses them offline. */
export const OFFLINE_CREDENTIALS = { access_key: "mock-access-key", secret_key: "mock-secret-key" } as const;

/** Provider flags that keep the AWS provider from calling STS, IMDS or validating the region. */
export const OFFLINE_SKIP_FLAGS = {
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
} as const;

/**
 * Provider arguments removed for the offline plan: `assume_role*` calls STS;
 * `allowed_account_ids` / `forbidden_account_ids` fail without a real account id ("AWS account ID
 * not allowed"); the others would make the provider look for credentials other than the dummies.
 */
const OFFLINE_REMOVED_PROVIDER_ARGS = [
  "assume_role",
  "assume_role_with_web_identity",
  "allowed_account_ids",
  "forbidden_account_ids",
  "profile",
  "shared_config_files",
  "shared_credentials_files",
  "token",
] as const;

export interface OfflineTransformResult {
  /** The stack JSON to plan offline. */
  json: JsonObject;
  /** Human-readable list of what was changed, e.g. `provider.aws[alias=dr]: removed assume_role`. */
  changes: string[];
}

/**
 * Returns a copy of a synthesized stack (`cdk.tf.json`) that Terraform can init, validate and plan
 * offline. The input is not modified.
 *
 * Why a transformed copy rather than an override file (`zz_offline_override.tf.json`): both were
 * tried with Terraform 1.11.4 and AWS provider 5.100.0. An override file *can* replace the backend
 * (a `local` backend block in an override replaces the `s3` block whole; no S3 attribute leaks)
 * and set the credentials and skip flags, but override files merge and cannot delete arguments:
 * - `allowed_account_ids` stays, and with `skip_requesting_account_id` the plan fails with
 *   "AWS account ID not allowed" (overriding it with `[]` works, but only by accident of semantics);
 * - `assume_role` stays and the plan fails calling STS; overriding it with `role_arn = ""` works
 *   today but Terraform warns "Missing required argument … will be an error in a future release".
 * Rewriting the JSON removes them outright, handles `provider.aws` whether cdktf wrote an array or
 * a single object, and also removes a `cloud` block (HCP Terraform) should a stack use one.
 */
export function offlineTransform(stackJson: JsonObject): OfflineTransformResult {
  const json = structuredClone(stackJson);
  const changes: string[] = [];

  // Backend: always a local state file in the work dir.
  const terraform = isObject(json.terraform) ? json.terraform : {};
  json.terraform = terraform;
  for (const key of ["backend", "cloud"] as const) {
    if (isObject(terraform[key])) {
      const kinds = key === "backend" ? Object.keys(terraform[key] as JsonObject).join(",") : "cloud";
      changes.push(`terraform.${key}: ${kinds} replaced by local backend`);
      delete terraform[key];
    }
  }
  terraform.backend = { local: { path: "terraform.tfstate" } };

  // Every aws provider configuration (the default one has no alias).
  const providers = isObject(json.provider) ? json.provider : undefined;
  const aws = providers?.aws;
  const awsBlocks: unknown[] = Array.isArray(aws) ? aws : aws === undefined ? [] : [aws];
  for (const block of awsBlocks) {
    if (!isObject(block)) continue;
    const label = `provider.aws[${typeof block.alias === "string" ? `alias=${block.alias}` : "default"}]`;
    for (const arg of OFFLINE_REMOVED_PROVIDER_ARGS) {
      if (arg in block) {
        delete block[arg];
        changes.push(`${label}: removed ${arg}`);
      }
    }
    Object.assign(block, OFFLINE_CREDENTIALS, OFFLINE_SKIP_FLAGS);
    changes.push(`${label}: dummy credentials and skip flags set (region ${JSON.stringify(block.region ?? null)} kept)`);
  }

  // Variables the pipeline supplies at apply time (e.g. another stack's outputs, secrets) would
  // stop a non-interactive plan; offline, a placeholder of the declared type stands in.
  const variables = isObject(json.variable) ? json.variable : {};
  for (const [name, declaration] of Object.entries(variables)) {
    if (!isObject(declaration) || "default" in declaration) continue;
    declaration.default = placeholderFor(name, declaration.type);
    changes.push(`variable.${name}: offline placeholder ${declaration.sensitive ? "(sensitive) " : ""}as default`);
  }
  return { json, changes };
}

/**
 * A value of a Terraform type expression (`string`, `number`, `bool`, `list(string)`, `map(…)`,
 * `object({…})`, …; untyped means `any`) that no real input would be mistaken for.
 */
export function placeholderFor(name: string, type: unknown): unknown {
  const kind = typeof type === "string" ? type.trim().replace(/^\$\{(.*)\}$/, "$1").split("(")[0]!.trim() : "string";
  if (kind === "number") return 0;
  if (kind === "bool") return false;
  if (kind === "list" || kind === "set" || kind === "tuple") return [];
  if (kind === "map" || kind === "object") return {};
  // Letters and digits only, and long: the string most `validation` rules accept (header values, tokens).
  return `OfflinePlaceholder${name.replace(/[^A-Za-z0-9]/g, "")}`.padEnd(32, "0");
}

export interface PreparedStack {
  stack: string;
  workDir: string;
  /** The transformed stack file in the work dir. */
  stackFile: string;
  changes: string[];
}

/** Entries of a work dir kept between runs: Terraform's own data dir and its lock file. */
const WORK_DIR_KEEP = new Set([".terraform", ".terraform.lock.hcl"]);
/** Entries of a synthesized stack dir never copied: Terraform state and data of earlier runs (`plan` is the plan file `cdktf diff` writes). */
const STACK_DIR_SKIP = new Set([".terraform", ".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup", "plan"]);

/**
 * Copies a synthesized stack directory (its `cdk.tf.json` and anything beside it, e.g. assets)
 * into `workDir` (default `.terraform-work/<stack>`), with `cdk.tf.json` replaced by its
 * {@link offlineTransform offline transformation}. Files left from an earlier copy are removed,
 * except Terraform's `.terraform` dir and lock file (kept so a rerun's init is quicker).
 * A copied lock file is not taken from the stack dir: the mirror's hashes may differ from the
 * registry's.
 */
export function prepareOfflineStack(stackDir: string, workDir?: string): PreparedStack {
  const stack = path.basename(path.resolve(stackDir));
  const source = path.join(stackDir, OFFLINE_FILES.stack);
  if (!fs.existsSync(source)) throw new Error(`No ${OFFLINE_FILES.stack} in ${stackDir}: synthesize first`);
  const target = path.resolve(workDir ?? path.join(DEFAULT_WORK_ROOT, stack));

  fs.mkdirSync(target, { recursive: true });
  for (const entry of fs.readdirSync(target)) {
    if (!WORK_DIR_KEEP.has(entry)) fs.rmSync(path.join(target, entry), { recursive: true, force: true });
  }
  for (const entry of fs.readdirSync(stackDir)) {
    if (entry === OFFLINE_FILES.stack || STACK_DIR_SKIP.has(entry)) continue;
    fs.cpSync(path.join(stackDir, entry), path.join(target, entry), { recursive: true });
  }

  const { json, changes } = offlineTransform(JSON.parse(fs.readFileSync(source, "utf8")) as JsonObject);
  const stackFile = path.join(target, OFFLINE_FILES.stack);
  fs.writeFileSync(stackFile, JSON.stringify(json, null, 2));
  fs.writeFileSync(path.join(target, OFFLINE_FILES.changes), JSON.stringify({ source: path.resolve(source), changes }, null, 2));
  return { stack, workDir: target, stackFile, changes };
}

// ---------------------------------------------------------------------------------------------
// Stacks in a cdktf output directory
// ---------------------------------------------------------------------------------------------

export interface StackInfo {
  name: string;
  /** Absolute path of the stack's directory (`<outdir>/stacks/<name>`). */
  workingDirectory: string;
  /** Absolute path of its `cdk.tf.json`. */
  synthesizedStackPath: string;
  /** Full source addresses of the providers it declares, e.g. `registry.terraform.io/hashicorp/aws`. */
  providers: string[];
}

interface CdktfManifest {
  stacks: Record<string, { name?: string; workingDirectory: string; synthesizedStackPath: string }>;
}

/** `aws` → `registry.terraform.io/hashicorp/aws`; `DataDog/datadog` → `registry.terraform.io/datadog/datadog`. */
export function normalizeProviderSource(source: string): string {
  const parts = source.toLowerCase().split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts.join("/")}`;
  return parts.join("/");
}

/** Provider sources declared by a stack: `terraform.required_providers`, plus any `provider` block. */
export function stackProviders(stackJson: JsonObject): string[] {
  const found = new Set<string>();
  const terraform = isObject(stackJson.terraform) ? stackJson.terraform : {};
  const required = isObject(terraform.required_providers) ? terraform.required_providers : {};
  const localNames = new Map<string, string>();
  for (const [local, req] of Object.entries(required)) {
    // cdktf writes `{ source, version }`; a bare version string means the hashicorp/<name> provider.
    localNames.set(local, normalizeProviderSource(isObject(req) && typeof req.source === "string" ? req.source : local));
  }
  for (const source of localNames.values()) found.add(source);
  if (isObject(stackJson.provider)) {
    for (const local of Object.keys(stackJson.provider)) found.add(localNames.get(local) ?? normalizeProviderSource(local));
  }
  return [...found].sort();
}

function readManifest(outdir: string): { root: string; manifest: CdktfManifest } {
  const root = path.resolve(REPO_ROOT, outdir);
  const manifestPath = path.join(root, "manifest.json");
  if (!fs.existsSync(manifestPath)) throw new Error(`${manifestPath} not found: synthesize first`);
  return { root, manifest: JSON.parse(fs.readFileSync(manifestPath, "utf8")) as CdktfManifest };
}

function toStackInfo(root: string, key: string, entry: CdktfManifest["stacks"][string]): StackInfo {
  const synthesizedStackPath = path.join(root, entry.synthesizedStackPath);
  const stackJson = JSON.parse(fs.readFileSync(synthesizedStackPath, "utf8")) as JsonObject;
  return {
    name: entry.name ?? key,
    workingDirectory: path.join(root, entry.workingDirectory),
    synthesizedStackPath,
    providers: stackProviders(stackJson),
  };
}

/** Every stack in `<outdir>/manifest.json`, with the providers its cdk.tf.json declares. */
export function listStacks(outdir: string = DEFAULT_OUTDIR): StackInfo[] {
  const { root, manifest } = readManifest(outdir);
  return Object.entries(manifest.stacks ?? {})
    .map(([key, entry]) => toStackInfo(root, key, entry))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** One stack of `<outdir>/manifest.json`, or undefined. */
export function findStack(name: string, outdir: string = DEFAULT_OUTDIR): StackInfo | undefined {
  const { root, manifest } = readManifest(outdir);
  const found = Object.entries(manifest.stacks ?? {}).find(([key, entry]) => (entry.name ?? key) === name);
  return found && toStackInfo(root, found[0], found[1]);
}

/** True when a stack declares the AWS provider and nothing else, i.e. it can be planned offline here. */
export function isAwsOnlyStack(stack: StackInfo): boolean {
  return stack.providers.length === 1 && stack.providers[0] === AWS_PROVIDER_SOURCE;
}

/**
 * The stacks that can be initialised and planned offline: those declaring only the `aws`
 * provider. Datadog/PagerDuty stacks are excluded (their providers are not mirrored here); they are
 * proven by synthesis and tests on their JSON.
 */
export function listAwsStacks(outdir: string = DEFAULT_OUTDIR): StackInfo[] {
  return listStacks(outdir).filter(isAwsOnlyStack);
}

// ---------------------------------------------------------------------------------------------
// Synthesis
// ---------------------------------------------------------------------------------------------

export interface SynthOptions {
  /** Output directory; passed to the app as env `CDKTF_OUTDIR`. */
  outdir: string;
  /** An entry point to run with tsx instead of cdktf.json's app. Default env `LMA_APP_ENTRY`. */
  entry?: string;
  timeoutMs?: number;
  /** Stream the app's output to this process's stdout/stderr instead of capturing it. */
  inherit?: boolean;
}

export interface SynthResult {
  outdir: string;
  seconds: number;
  output: string;
  /** The jest run's one synthesis (`LMA_SYNTH_OUT`): read it, never remove it. */
  shared?: boolean;
}

/** Removes a synthesis this process made; the shared one belongs to the jest global setup. */
export function releaseSynthesis(synth: SynthResult): void {
  if (!synth.shared) fs.rmSync(synth.outdir, { recursive: true, force: true });
}

/** The app's entry point when env `LMA_APP_ENTRY` names one (run with tsx; lets the harness be exercised on a stand-in app). */
export function appEntry(): string | undefined {
  return process.env.LMA_APP_ENTRY || undefined;
}

/** The command that synthesizes: cdktf.json's `app` (compiled JavaScript, rebuilt when stale), or tsx on `LMA_APP_ENTRY`. */
export function appCommand(entry = appEntry()): string {
  if (entry) return `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(entry)}`;
  return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
}

/**
 * Synthesizes the whole app with env `CDKTF_OUTDIR`, synchronously (jest needs the stack list
 * while it collects tests). Throws with the app's output on failure.
 */
export function synthesizeApp(opts: SynthOptions): SynthResult {
  const command = appCommand(opts.entry);
  const outdir = path.resolve(REPO_ROOT, opts.outdir);
  const started = Date.now();
  const res = spawnSync(command, {
    cwd: REPO_ROOT,
    shell: true,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    stdio: opts.inherit ? "inherit" : "pipe",
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (Date.now() - started) / 1000;
  const output = `${res.stdout ?? ""}${res.stderr ?? ""}`;
  if (res.error || res.status !== 0) {
    const why = res.error ? res.error.message : `exit ${res.status ?? res.signal}`;
    throw new Error(`Synthesis (${command}) failed: ${why}\n${output}`);
  }
  if (!fs.existsSync(path.join(outdir, "manifest.json"))) {
    throw new Error(`Synthesis (${command}) wrote no ${path.join(outdir, "manifest.json")}: does the app honour CDKTF_OUTDIR?`);
  }
  return { outdir, seconds, output };
}

// ---------------------------------------------------------------------------------------------
// Running Terraform
// ---------------------------------------------------------------------------------------------

export type TerraformStep = "init" | "validate" | "plan" | "show";

export interface ValidateDiagnostic {
  severity: "error" | "warning";
  summary: string;
  detail?: string;
  range?: { filename: string; start: { line: number; column: number }; end: { line: number; column: number } };
  snippet?: { context?: string | null; code?: string };
}

export interface ValidateJson {
  format_version: string;
  valid: boolean;
  error_count: number;
  warning_count: number;
  diagnostics: ValidateDiagnostic[];
}

export type ChangeAction = "no-op" | "create" | "read" | "update" | "delete";

export interface ResourceChange {
  address: string;
  module_address?: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  index?: number | string;
  provider_name: string;
  change: {
    actions: ChangeAction[];
    before: unknown;
    after: Record<string, unknown> | null;
    after_unknown?: Record<string, unknown>;
    before_sensitive?: unknown;
    after_sensitive?: unknown;
  };
  action_reason?: string;
}

export interface PlannedResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  index?: number | string;
  provider_name: string;
  schema_version?: number;
  /** Values known at plan time; unknown ("known after apply") attributes are absent. */
  values: Record<string, unknown>;
  sensitive_values?: Record<string, unknown>;
}

export interface PlannedModule {
  address?: string;
  resources?: PlannedResource[];
  child_modules?: PlannedModule[];
}

/** The parts of `terraform show -json <planfile>` the helpers use; the rest is kept as-is. */
export interface PlanJson {
  format_version: string;
  terraform_version: string;
  planned_values?: { root_module: PlannedModule; outputs?: Record<string, unknown> };
  resource_changes?: ResourceChange[];
  configuration?: Record<string, unknown>;
  errored?: boolean;
  [key: string]: unknown;
}

export interface StepDurations {
  prepare: number;
  init: number;
  validate: number;
  plan?: number;
  show?: number;
  total: number;
}

export interface StackRunResult {
  stack: string;
  workDir: string;
  validate: ValidateJson;
  /** Absent when the run stopped after validate. */
  plan?: PlanJson;
  /** Path of the saved plan JSON (`<workDir>/plan.json`), when planned. */
  planJsonPath?: string;
  /** Seconds per step. */
  durations: StepDurations;
  /** Combined stdout+stderr of each step (show's JSON is not repeated here). */
  logs: Partial<Record<TerraformStep, string>>;
  /** What the offline transformation changed. */
  changes: string[];
  /**
   * Set when the validate and plan JSON were reused from an identical earlier run instead of
   * running Terraform: its cache key, and the durations of the run that produced them.
   */
  cached?: { key: string; durations: StepDurations };
}

/** A failed Terraform step, with Terraform's output. */
export class TerraformRunError extends Error {
  constructor(
    readonly stack: string,
    readonly step: TerraformStep,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly workDir: string,
    /** What was learnt before the failure, e.g. the validate JSON of an invalid stack. */
    readonly partial: Partial<StackRunResult> = {},
    detail?: string,
  ) {
    super(
      `terraform ${step} failed for stack ${stack} (exit ${exitCode ?? "signal"}) in ${workDir}\n` +
        (detail ?? (stderr.trim() || stdout.trim().split("\n").slice(-40).join("\n"))),
    );
    this.name = "TerraformRunError";
  }
}

export interface RunStackOptions {
  /** cdktf output directory. Default `cdktf.out` in the repo. */
  outdir?: string;
  /** Root of the work dirs; the stack runs in `<workRoot>/<stack>`. Default `.terraform-work`. */
  workRoot?: string;
  /** Terraform binary. Default {@link findTerraform}. */
  terraform?: string;
  /** Stop after `validate` (no plan, no show). */
  validateOnly?: boolean;
  /** Extra environment for Terraform, e.g. `TF_VAR_*`. */
  env?: Record<string, string>;
  /** Per-command timeout. Default 10 minutes. */
  timeoutMs?: number;
  /**
   * Reuse the result of an identical earlier run (see {@link planCacheKey}). Default: on, unless
   * env `LMA_TF_CACHE=0`.
   */
  cache?: boolean;
}

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs one command asynchronously (so stacks can run in parallel), capturing its output. */
function runCommand(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    let timedOut = false;
    // SIGTERM lets Terraform stop its provider plugin processes itself.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString("utf8");
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: timedOut ? `${stderr}\n[harness] timed out after ${timeoutMs / 1000} s` : stderr,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

/**
 * Terraform's environment for offline runs: our CLI config, automation mode, no plugin cache (the
 * mirror is linked, a cache would copy 675 MB), no version check, and no ambient AWS settings that
 * could make the provider look beyond the dummy credentials (profiles, roles, IMDS).
 */
export function offlineEnv(cliConfigFile: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("AWS_") || key === "TF_PLUGIN_CACHE_DIR" || key === "TF_WORKSPACE" || key === "TF_DATA_DIR") continue;
    env[key] = value;
  }
  return {
    // Terraform and the provider are Go programs that decode the AWS provider's large schema on
    // every command; a lazier garbage collector cut validate's CPU time by ~30% and show's by ~10%
    // for +35 MB (measured on a 500-resource stack). An explicit GOGC wins.
    GOGC: "400",
    ...env,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
}

function formatDiagnostics(diags: ValidateDiagnostic[]): string {
  return diags
    .map((d) => {
      const where = d.range ? ` (${d.range.filename}:${d.range.start.line})` : "";
      const ctx = d.snippet?.context ? ` in ${d.snippet.context}` : "";
      return `${d.severity}: ${d.summary}${where}${ctx}${d.detail ? `\n    ${d.detail.replace(/\n/g, "\n    ")}` : ""}`;
    })
    .join("\n");
}


// ---------------------------------------------------------------------------------------------
// Result cache
//
// Several jest files plan the same stacks (each file runs in its own module registry, so an
// in-process cache does not reach across files), and `npm run plan` is often rerun unchanged.
// Planning a 500-resource stack costs tens of seconds, so a successful run is stored under a key
// that covers everything its output depends on: the offline copy's bytes (transformed
// cdk.tf.json and assets), the Terraform binary, the provider binaries of the mirror, the
// TF_VAR_* environment, and the harness's own commands (CACHE_FORMAT). With `-refresh=false` and
// an empty local state, Terraform's plan is a function of exactly these. Failures are not stored.
// ---------------------------------------------------------------------------------------------

/** Bump when the Terraform commands, their flags, or the offline transformation change. */
const CACHE_FORMAT = 2;
const CACHE_MAX_ENTRIES = 64;

/** The cache directory: env `LMA_TF_CACHE_DIR`, else `.terraform-work/.cache` (gitignored). */
export function planCacheDir(): string {
  return process.env.LMA_TF_CACHE_DIR || path.join(DEFAULT_WORK_ROOT, ".cache");
}

function fileIdentity(file: string): string {
  const real = fs.realpathSync(file);
  const st = fs.statSync(real);
  return `${real}:${st.size}:${st.mtimeMs}`;
}

function walkFiles(dir: string, skip: (rel: string) => boolean, rel = ""): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const r = path.join(rel, e.name);
      if (skip(r)) return [];
      return e.isDirectory() ? walkFiles(dir, skip, r) : [r];
    });
}

/** The cache key of a prepared work dir (see the section comment). */
export function planCacheKey(workDir: string, terraformBinary: string, extraEnv: Record<string, string> = {}): string {
  const hash = createHash("sha256");
  const mirror = path.join(pluginMirrorDir(), AWS_PROVIDER_SOURCE);
  const tfVars = Object.entries({ ...process.env, ...extraEnv })
    .filter(([k]) => k.startsWith("TF_VAR_"))
    .sort(([a], [b]) => a.localeCompare(b));
  hash.update(
    JSON.stringify({
      format: CACHE_FORMAT,
      terraform: fileIdentity(terraformBinary),
      providers: walkFiles(mirror, () => false).map((f) => fileIdentity(path.join(mirror, f))),
      tfVars,
    }),
  );
  // offline-changes.json names the source path, which differs between output dirs.
  const skip = (rel: string) => WORK_DIR_KEEP.has(rel) || rel === OFFLINE_FILES.changes;
  for (const rel of walkFiles(workDir, skip)) {
    hash.update(`\0${rel}\0`);
    hash.update(fs.readFileSync(path.join(workDir, rel)));
  }
  return hash.digest("hex");
}

interface CacheEntry {
  durations: StepDurations;
  hasPlan: boolean;
}

function readCache(key: string, workDir: string, wantPlan: boolean): { entry: CacheEntry; validate: ValidateJson; plan?: PlanJson } | undefined {
  const dir = path.join(planCacheDir(), key);
  try {
    const entry = JSON.parse(fs.readFileSync(path.join(dir, "entry.json"), "utf8")) as CacheEntry;
    if (wantPlan && !entry.hasPlan) return undefined;
    const validateText = fs.readFileSync(path.join(dir, OFFLINE_FILES.validateJson), "utf8");
    fs.writeFileSync(path.join(workDir, OFFLINE_FILES.validateJson), validateText);
    let plan: PlanJson | undefined;
    if (wantPlan) {
      const planText = fs.readFileSync(path.join(dir, OFFLINE_FILES.planJson), "utf8");
      fs.writeFileSync(path.join(workDir, OFFLINE_FILES.planJson), planText);
      plan = JSON.parse(planText) as PlanJson;
    }
    const now = new Date();
    fs.utimesSync(dir, now, now); // least recently used goes first when pruning
    return { entry, validate: JSON.parse(validateText) as ValidateJson, plan };
  } catch {
    return undefined; // absent, or being replaced by another process: run Terraform
  }
}

function writeCache(key: string, workDir: string, entry: CacheEntry): void {
  const root = planCacheDir();
  const target = path.join(root, key);
  const tmp = path.join(root, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    fs.mkdirSync(tmp, { recursive: true });
    fs.copyFileSync(path.join(workDir, OFFLINE_FILES.validateJson), path.join(tmp, OFFLINE_FILES.validateJson));
    if (entry.hasPlan) fs.copyFileSync(path.join(workDir, OFFLINE_FILES.planJson), path.join(tmp, OFFLINE_FILES.planJson));
    fs.writeFileSync(path.join(tmp, "entry.json"), JSON.stringify(entry));
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(tmp, target); // atomic: readers see a whole entry or none
    const entries = fs
      .readdirSync(root)
      .filter((e) => !e.startsWith("."))
      .map((e) => ({ dir: path.join(root, e), mtime: fs.statSync(path.join(root, e)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of entries.slice(CACHE_MAX_ENTRIES)) fs.rmSync(old.dir, { recursive: true, force: true });
  } catch {
    // A cache is an optimisation: never fail a run for it.
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const round = (s: number) => Math.round(s * 100) / 100;

/**
 * Prepares a stack's work dir and runs `init`, `validate -json`, `plan` and `show -json` on it.
 * The plan JSON is also saved to `<workDir>/plan.json`. Throws a {@link TerraformRunError}
 * (with Terraform's stderr, or the diagnostics of an invalid configuration) on failure.
 */
export async function runStack(stackName: string, opts: RunStackOptions = {}): Promise<StackRunResult> {
  const totalStart = Date.now();
  const outdir = path.resolve(REPO_ROOT, opts.outdir ?? DEFAULT_OUTDIR);
  const workRoot = path.resolve(REPO_ROOT, opts.workRoot ?? DEFAULT_WORK_ROOT);
  const workDir = path.join(workRoot, stackName);
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  const bin = opts.terraform ?? findTerraform();
  if (!bin) throw new Error("No terraform binary found (TERRAFORM_BINARY_NAME, PATH, /usr/local/bin/terraform)");

  const info = findStack(stackName, outdir);
  if (!info) throw new Error(`Stack ${stackName} is not in ${path.join(outdir, "manifest.json")}`);

  const prepStart = Date.now();
  const prepared = prepareOfflineStack(info.workingDirectory, workDir);
  const env = offlineEnv(writeCliConfig(workRoot), opts.env);
  const durations: StepDurations = { prepare: round((Date.now() - prepStart) / 1000), init: 0, validate: 0, total: 0 };
  const logs: StackRunResult["logs"] = {};
  const base = { stack: stackName, workDir, durations, logs, changes: prepared.changes };

  const useCache = opts.cache ?? process.env.LMA_TF_CACHE !== "0";
  const key = useCache ? planCacheKey(workDir, bin, opts.env) : "";
  const hit = useCache ? readCache(key, workDir, !opts.validateOnly) : undefined;
  if (hit) {
    durations.total = round((Date.now() - totalStart) / 1000);
    return {
      ...base,
      validate: hit.validate,
      ...(hit.plan ? { plan: hit.plan, planJsonPath: path.join(workDir, OFFLINE_FILES.planJson) } : {}),
      cached: { key, durations: hit.entry.durations },
    };
  }

  const step = async (name: "init" | "validate" | "plan" | "show", args: string[]): Promise<CommandResult> => {
    const res = await runCommand(bin, args, workDir, env, timeoutMs);
    durations[name] = round(res.seconds);
    if (name !== "show") logs[name] = `${res.stdout}${res.stderr}`;
    return res;
  };
  const fail = (name: TerraformStep, res: CommandResult, partial: Partial<StackRunResult> = {}, detail?: string) =>
    new TerraformRunError(stackName, name, res.code, res.stdout, res.stderr, workDir, { ...base, ...partial }, detail);

  // -reconfigure: the work dir may hold .terraform from an earlier run; never migrate state.
  const init = await step("init", ["init", "-input=false", "-no-color", "-reconfigure"]);
  if (init.code !== 0) throw fail("init", init);

  // validate -json exits 1 when the configuration is invalid, with the diagnostics on stdout.
  const val = await step("validate", ["validate", "-json", "-no-color"]);
  let validate: ValidateJson;
  try {
    validate = JSON.parse(val.stdout) as ValidateJson;
  } catch {
    throw fail("validate", val);
  }
  fs.writeFileSync(path.join(workDir, OFFLINE_FILES.validateJson), JSON.stringify(validate, null, 2));
  if (!validate.valid || val.code !== 0) {
    throw fail("validate", val, { validate }, formatDiagnostics(validate.diagnostics.filter((d) => d.severity === "error")) || val.stderr);
  }
  if (opts.validateOnly) {
    durations.total = round((Date.now() - totalStart) / 1000);
    if (useCache) writeCache(key, workDir, { durations, hasPlan: false });
    return { ...base, validate };
  }

  const plan = await step("plan", [
    "plan",
    "-input=false",
    "-refresh=false",
    "-lock=false",
    "-no-color",
    `-out=${OFFLINE_FILES.planBinary}`,
  ]);
  if (plan.code !== 0) throw fail("plan", plan, { validate });

  const show = await step("show", ["show", "-json", "-no-color", OFFLINE_FILES.planBinary]);
  if (show.code !== 0) throw fail("show", show, { validate });
  const planJsonPath = path.join(workDir, OFFLINE_FILES.planJson);
  fs.writeFileSync(planJsonPath, show.stdout);
  durations.total = round((Date.now() - totalStart) / 1000);
  if (useCache) writeCache(key, workDir, { durations, hasPlan: true });
  return { ...base, validate, plan: JSON.parse(show.stdout) as PlanJson, planJsonPath };
}

export type StackOutcome = { stack: string; ok: true; result: StackRunResult } | { stack: string; ok: false; error: Error };

export interface RunStacksOptions extends RunStackOptions {
  /** Stacks run at once. Default 2: each run loads the 675 MB AWS provider, and CI has 2 cores. */
  concurrency?: number;
  /** Called as each stack starts and as it finishes (progress output). */
  onStart?: (stack: string) => void;
  onDone?: (outcome: StackOutcome) => void;
}

/**
 * Runs {@link runStack} for several stacks, `concurrency` at a time. Never rejects for a stack's
 * failure: returns one outcome per stack, in the order given, so one broken stack does not hide
 * the others.
 */
export async function runStacks(names: string[], opts: RunStacksOptions = {}): Promise<StackOutcome[]> {
  const { concurrency = 2, onStart, onDone, ...runOpts } = opts;
  const outcomes: StackOutcome[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      const stack = names[i];
      onStart?.(stack);
      try {
        outcomes[i] = { stack, ok: true, result: await runStack(stack, runOpts) };
      } catch (e) {
        outcomes[i] = { stack, ok: false, error: e instanceof Error ? e : new Error(String(e)) };
      }
      onDone?.(outcomes[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, names.length)) }, worker));
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// Synthesize once, plan every AWS stack once, per process (for the plan tests)
// ---------------------------------------------------------------------------------------------

export interface PlanSet {
  outdir: string;
  workRoot: string;
  synthSeconds: number;
  /** Every synthesized stack. */
  stacks: StackInfo[];
  /** The stacks that were run (AWS-only). */
  awsStacks: string[];
  outcomes: Map<string, StackOutcome>;
  seconds: number;
}

export interface LoadPlansOptions extends Omit<RunStacksOptions, "outdir" | "workRoot"> {
  /** Reuse an existing synthesis here instead of synthesizing into a temp dir. */
  outdir?: string;
  workRoot?: string;
  synthTimeoutMs?: number;
}

let synthCache: SynthResult | undefined;
let plansCache: Promise<PlanSet> | undefined;

/**
 * The jest run's one synthesis (`LMA_SYNTH_OUT`, written by __tests__/support/global-setup.ts)
 * when there is one; else synthesizes the app once per process into a temp dir (or returns the
 * given outdir). The caller passes the result to {@link releaseSynthesis} when done (in an
 * `afterAll`): a `process` exit handler registered from a jest test file was tried and does not run.
 */
export function synthesizeOnce(opts: { outdir?: string; timeoutMs?: number } = {}): SynthResult {
  if (opts.outdir) return { outdir: path.resolve(REPO_ROOT, opts.outdir), seconds: 0, output: "", shared: true };
  const shared = process.env.LMA_SYNTH_OUT;
  if (shared && fs.existsSync(path.join(shared, "manifest.json"))) return { outdir: shared, seconds: 0, output: "", shared: true };
  synthCache ??= synthesizeApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "lma-synth-")), timeoutMs: opts.timeoutMs });
  return synthCache;
}

/**
 * Synthesizes once (see {@link synthesizeOnce}) and validates + plans every AWS stack, once per
 * process; later calls return the same promise. Work dirs go to a temp dir by default so a test
 * run never disturbs `.terraform-work` of someone running `npm run plan` in the same checkout.
 */
export function loadPlans(opts: LoadPlansOptions = {}): Promise<PlanSet> {
  plansCache ??= (async () => {
    const started = Date.now();
    const synth = synthesizeOnce({ outdir: opts.outdir, timeoutMs: opts.synthTimeoutMs });
    const workRoot = opts.workRoot ?? fs.mkdtempSync(path.join(os.tmpdir(), "lma-tfwork-"));
    const stacks = listStacks(synth.outdir);
    const awsStacks = stacks.filter(isAwsOnlyStack).map((s) => s.name);
    const outcomes = await runStacks(awsStacks, { ...opts, outdir: synth.outdir, workRoot });
    return {
      outdir: synth.outdir,
      workRoot,
      synthSeconds: synth.seconds,
      stacks,
      awsStacks,
      outcomes: new Map(outcomes.map((o) => [o.stack, o])),
      seconds: (Date.now() - started) / 1000,
    };
  })();
  return plansCache;
}

// ---------------------------------------------------------------------------------------------
// Plan JSON helpers (Terratest-style assertions)
// ---------------------------------------------------------------------------------------------

/** Resource changes of the plan, optionally of one resource type. */
export function resourceChanges(plan: PlanJson, type?: string): ResourceChange[] {
  const all = plan.resource_changes ?? [];
  return type ? all.filter((rc) => rc.type === type) : all;
}

/** Every planned resource instance (`planned_values`), root module and child modules, depth-first. */
export function plannedResources(plan: PlanJson, type?: string): PlannedResource[] {
  const out: PlannedResource[] = [];
  const walk = (mod: PlannedModule | undefined) => {
    if (!mod) return;
    for (const r of mod.resources ?? []) if (!type || r.type === type) out.push(r);
    for (const child of mod.child_modules ?? []) walk(child);
  };
  walk(plan.planned_values?.root_module);
  return out;
}

export interface ActionsSummary {
  create: number;
  update: number;
  delete: number;
  /** delete-then-create or create-then-delete. */
  replace: number;
  /** Data sources read during apply. */
  read: number;
  noop: number;
}

/** Counts the planned actions, the way `terraform plan` summarises them (a replace counts once). */
export function actionsSummary(plan: PlanJson): ActionsSummary {
  const summary: ActionsSummary = { create: 0, update: 0, delete: 0, replace: 0, read: 0, noop: 0 };
  for (const rc of resourceChanges(plan)) {
    const a = rc.change.actions;
    if (a.includes("create") && a.includes("delete")) summary.replace++;
    else if (a.includes("create")) summary.create++;
    else if (a.includes("update")) summary.update++;
    else if (a.includes("delete")) summary.delete++;
    else if (a.includes("read")) summary.read++;
    else summary.noop++;
  }
  return summary;
}

/** The planned resources of a type that satisfy a predicate (all of that type without one). */
export function findResources(plan: PlanJson, type: string, predicate?: (r: PlannedResource) => boolean): PlannedResource[] {
  return plannedResources(plan, type).filter((r) => !predicate || predicate(r));
}

/** The first planned resource of a type that satisfies a predicate, if any. */
export function findResource(plan: PlanJson, type: string, predicate?: (r: PlannedResource) => boolean): PlannedResource | undefined {
  return findResources(plan, type, predicate)[0];
}

/** A resource's configuration as Terraform read it (`configuration` of the plan JSON). */
export interface ConfiguredResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  provider_config_key?: string;
  /** Per argument: `constant_value` and/or `references` (addresses the expression refers to). */
  expressions?: Record<string, unknown>;
}

interface ConfiguredModule {
  resources?: ConfiguredResource[];
  module_calls?: Record<string, { module?: ConfiguredModule }>;
}

/**
 * The configuration of every resource (root module and module calls, addresses prefixed with
 * `module.<name>.`), optionally of one type. Useful to assert on what was *written* (e.g. that an
 * argument is set, or refers to another resource) when the planned value is only known after apply.
 */
export function configuredResources(plan: PlanJson, type?: string): ConfiguredResource[] {
  const out: ConfiguredResource[] = [];
  const walk = (mod: ConfiguredModule | undefined, prefix: string) => {
    if (!mod) return;
    for (const r of mod.resources ?? []) if (!type || r.type === type) out.push({ ...r, address: `${prefix}${r.address}` });
    for (const [name, call] of Object.entries(mod.module_calls ?? {})) walk(call.module, `${prefix}module.${name}.`);
  };
  walk((plan.configuration as { root_module?: ConfiguredModule } | undefined)?.root_module, "");
  return out;
}

/** The addresses an argument of a configured resource refers to (e.g. `["aws_vpc.main.id", "aws_vpc.main"]`). */
export function expressionReferences(resource: ConfiguredResource, argument: string): string[] {
  const expr = resource.expressions?.[argument];
  return isObject(expr) && Array.isArray(expr.references) ? expr.references.filter((r): r is string => typeof r === "string") : [];
}
