import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfigIssue } from "../environments/validate";

/** What `cdktf.json` declares in `context`: which environments exist and how releases move. */
export interface AppContext {
  readonly environments: readonly string[];
  /** Releases move one step at a time along this order (dev → staging → production). */
  readonly promotionOrder: readonly string[];
  /** Environments whose promotion waits for a manual approval. */
  readonly manualApprovalBefore: readonly string[];
}

const FILE = "cdktf.json";

/**
 * The cdktf CLI passes `cdktf.json`'s context in CDKTF_CONTEXT_JSON; run directly (`tsx main.ts`,
 * tests, the benchmark) the app reads `cdktf.json` itself, so both paths see the same context.
 */
export function readAppContext(projectRoot = process.cwd()): { context: AppContext; issues: ConfigIssue[] } {
  const raw: Record<string, unknown> = process.env.CDKTF_CONTEXT_JSON
    ? JSON.parse(process.env.CDKTF_CONTEXT_JSON)
    : (JSON.parse(readFileSync(join(projectRoot, FILE), "utf8")).context ?? {});
  const issues: ConfigIssue[] = [];
  const list = (key: keyof AppContext): string[] => {
    const value = raw[key];
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
    issues.push({ file: FILE, path: `context.${key}`, message: "must be a list of environment names" });
    return [];
  };
  const context: AppContext = {
    environments: list("environments"),
    promotionOrder: list("promotionOrder"),
    manualApprovalBefore: list("manualApprovalBefore"),
  };
  const declared = new Set(context.environments);
  if (declared.size === 0) issues.push({ file: FILE, path: "context.environments", message: "must not be empty" });
  if (declared.size !== context.environments.length) {
    issues.push({ file: FILE, path: "context.environments", message: "lists an environment twice" });
  }
  const ordered = [...context.promotionOrder].sort().join(",");
  if (ordered !== [...declared].sort().join(",") || context.promotionOrder.length !== declared.size) {
    issues.push({
      file: FILE,
      path: "context.promotionOrder",
      message: `must list each environment exactly once (environments: ${context.environments.join(", ")})`,
    });
  }
  context.manualApprovalBefore.forEach((name, index) => {
    if (!declared.has(name)) {
      issues.push({ file: FILE, path: `context.manualApprovalBefore[${index}]`, message: `unknown environment "${name}"` });
    }
  });
  return { context, issues };
}
