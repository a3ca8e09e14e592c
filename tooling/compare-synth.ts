/**
 * `npm run compare-synth -- [<baseline>] [<current>] [--metadata]`: what a change did to the
 * synthesized Terraform, stack by stack, by address: blocks added, removed, and changed
 * attribute by attribute. A refactor lists exactly its intended differences, or none.
 *
 *   <baseline>   a cdktf output directory (with manifest.json), or a git ref whose app is
 *                synthesized in a temporary `git worktree` (default: HEAD)
 *   <current>    a cdktf output directory (default: the working tree, synthesized now)
 *   --metadata   also compare cdktf's "//" metadata (construct paths), which Terraform ignores
 *
 * Exit code 0 whether or not there are differences; 2 on bad usage or a failed synthesis.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackJson, type SynthesizedStack, synthesizedStackNames } from "./stack-json";

const ROOT = path.resolve(__dirname, "..");

/** One block of a stack by its Terraform address: `aws_vpc.main`, `data.aws_region.current`, `provider.aws[eu-west-1]`, `terraform.backend`… */
export function blocksOf(json: SynthesizedStack, metadata = false): Map<string, unknown> {
  const blocks = new Map<string, unknown>();
  const strip = (value: unknown): unknown => {
    if (metadata || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map(strip);
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "//").map(([key, item]) => [key, strip(item)]));
  };
  for (const [section, content] of Object.entries(json as unknown as Record<string, unknown>)) {
    if (section === "//" && !metadata) continue;
    if (content === null || typeof content !== "object") {
      blocks.set(section, content);
      continue;
    }
    for (const [key, value] of Object.entries(content as Record<string, unknown>)) {
      if (key === "//" && !metadata) continue;
      if (section === "resource" || section === "data") {
        const prefix = section === "data" ? "data." : "";
        for (const [name, body] of Object.entries(value as Record<string, unknown>)) blocks.set(`${prefix}${key}.${name}`, strip(body));
      } else if (section === "provider" && Array.isArray(value)) {
        for (const provider of value as Record<string, unknown>[]) blocks.set(`provider.${key}[${String(provider.alias ?? "default")}]`, strip(provider));
      } else {
        blocks.set(`${section}.${key}`, strip(value));
      }
    }
  }
  return blocks;
}

/** A string holding a JSON document (IAM policies, container definitions), parsed; else undefined. */
function embeddedJson(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * Leaf values by attribute path (`rule[0].status`), so a change is reported where it is. A JSON
 * document inside a string is followed too (`policy:Statement[1].Action`).
 */
function leaves(value: unknown, prefix = "", into = new Map<string, string>()): Map<string, string> {
  const document = typeof value === "string" ? embeddedJson(value) : undefined;
  if (document !== undefined) return leaves(document, `${prefix}:`, into);
  if (value !== null && typeof value === "object" && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) {
      leaves(item, Array.isArray(value) ? `${prefix}[${key}]` : prefix && !prefix.endsWith(":") ? `${prefix}.${key}` : `${prefix}${key}`, into);
    }
  } else {
    into.set(prefix, JSON.stringify(value));
  }
  return into;
}

export interface AttributeChange {
  readonly attribute: string;
  readonly before?: string;
  readonly after?: string;
}

export interface StackDifference {
  readonly stack: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: { address: string; attributes: AttributeChange[] }[];
}

export interface Comparison {
  readonly addedStacks: string[];
  readonly removedStacks: string[];
  readonly stacks: StackDifference[];
}

/** Compares two cdktf output directories; stacks without differences are left out. */
export function compareOutputs(baseline: string, current: string, options: { metadata?: boolean } = {}): Comparison {
  const before = synthesizedStackNames(baseline);
  const after = synthesizedStackNames(current);
  const stacks: StackDifference[] = [];
  for (const stack of after.filter((name) => before.includes(name))) {
    const old = blocksOf(readStackJson(baseline, stack), options.metadata);
    const now = blocksOf(readStackJson(current, stack), options.metadata);
    const changed = [...now.keys()]
      .filter((address) => old.has(address) && JSON.stringify(old.get(address)) !== JSON.stringify(now.get(address)))
      .map((address) => {
        const was = leaves(old.get(address));
        const is = leaves(now.get(address));
        const attributes = [...new Set([...was.keys(), ...is.keys()])]
          .filter((attribute) => was.get(attribute) !== is.get(attribute))
          .sort()
          .map((attribute) => ({ attribute, before: was.get(attribute), after: is.get(attribute) }));
        return { address, attributes };
      });
    const added = [...now.keys()].filter((address) => !old.has(address)).sort();
    const removed = [...old.keys()].filter((address) => !now.has(address)).sort();
    if (added.length + removed.length + changed.length > 0) stacks.push({ stack, added, removed, changed: changed.sort((a, b) => a.address.localeCompare(b.address)) });
  }
  return { addedStacks: after.filter((name) => !before.includes(name)), removedStacks: before.filter((name) => !after.includes(name)), stacks };
}

const shorten = (value: string | undefined, limit = 120) => (value === undefined ? "(absent)" : value.length > limit ? `${value.slice(0, limit)}…` : value);

export function formatComparison(comparison: Comparison): string {
  const lines: string[] = [];
  for (const stack of comparison.addedStacks) lines.push(`+ stack ${stack}`);
  for (const stack of comparison.removedStacks) lines.push(`- stack ${stack}`);
  for (const { stack, added, removed, changed } of comparison.stacks) {
    lines.push(`${stack}: ${added.length} added, ${removed.length} removed, ${changed.length} changed`);
    for (const address of added) lines.push(`  + ${address}`);
    for (const address of removed) lines.push(`  - ${address}`);
    for (const { address, attributes } of changed) {
      lines.push(`  ~ ${address}`);
      for (const { attribute, before, after } of attributes) lines.push(`      ${attribute}: ${shorten(before)} → ${shorten(after)}`);
    }
  }
  return lines.length > 0 ? lines.join("\n") : "no differences";
}

function synthesize(cwd: string, outdir: string): void {
  const app = (JSON.parse(fs.readFileSync(path.join(cwd, "cdktf.json"), "utf8")) as { app: string }).app;
  const run = spawnSync(app, { cwd, shell: true, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" }, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${app} in ${cwd} failed (exit ${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
}

/** Synthesizes the app of a git ref in a temporary worktree (sharing this checkout's node_modules). */
export function synthesizeRef(ref: string, outdir: string): void {
  const worktree = fs.mkdtempSync(path.join(os.tmpdir(), "lma-compare-"));
  const git = (...args: string[]) => {
    const run = spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`git ${args.join(" ")}: ${run.stderr.trim()}`);
  };
  git("worktree", "add", "--detach", worktree, ref);
  try {
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(worktree, "node_modules"));
    synthesize(worktree, outdir);
  } finally {
    git("worktree", "remove", "--force", worktree);
  }
}

function main(argv: string[]): void {
  const metadata = argv.includes("--metadata");
  const [baselineArg = "HEAD", currentArg] = argv.filter((arg) => arg !== "--metadata");
  if (argv.some((arg) => arg.startsWith("--") && arg !== "--metadata")) {
    console.error("usage: npm run compare-synth -- [<baseline dir or git ref>] [<current dir>] [--metadata]");
    process.exit(2);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lma-compare-out-"));
  try {
    const isOutput = (dir: string) => fs.existsSync(path.join(dir, "manifest.json"));
    let baseline = path.resolve(baselineArg);
    if (!isOutput(baseline)) {
      baseline = path.join(scratch, "baseline");
      process.stderr.write(`synthesizing ${baselineArg} in a git worktree … `);
      synthesizeRef(baselineArg, baseline);
      process.stderr.write("done\n");
    }
    let current = currentArg ? path.resolve(currentArg) : path.join(scratch, "current");
    if (!currentArg) {
      process.stderr.write("synthesizing the working tree … ");
      synthesize(ROOT, current);
      process.stderr.write("done\n");
    } else if (!isOutput(current)) throw new Error(`${currentArg} has no manifest.json`);
    console.log(formatComparison(compareOutputs(baseline, current, { metadata })));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) main(process.argv.slice(2));
