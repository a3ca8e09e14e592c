import type { Approval, DestructiveAction } from "./allow-list";
import { statefulKind } from "../../lib/stateful-resources";

/** The parts of `terraform show -json <plan>` the guard reads (format 1.2, Terraform 1.11). */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: "managed" | "data";
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    /** Attribute paths whose change forces the replacement, e.g. `[["identifier"]]`. */
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

export interface GuardedPlan {
  readonly resource_changes?: readonly PlannedChange[];
  readonly errored?: boolean;
  /** False when Terraform deferred part of the plan: what was not planned cannot be judged. */
  readonly complete?: boolean;
}

export interface Finding {
  readonly address: string;
  readonly type: string;
  /** What the resource holds, e.g. "RDS instance or read replica". */
  readonly kind: string;
  readonly action: DestructiveAction;
  /** Attributes forcing the replacement, as `a.b[0]`; empty for a plain delete. */
  readonly replacePaths: readonly string[];
  readonly reason?: string;
  readonly approval?: Approval;
}

export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
}

export interface GuardVerdict {
  readonly stack: string;
  /** Whether the stack's environment protects its data (environments/<env>.ts `deletionProtection`). */
  readonly protected: boolean;
  readonly counts: PlanCounts;
  /** Destructive changes to stateful resources without an approval. */
  readonly unapproved: readonly Finding[];
  readonly approved: readonly Finding[];
  /** Reasons the plan itself cannot be trusted (errored, incomplete). */
  readonly planProblems: readonly string[];
  /** Approvals for this stack that match no planned change: stale, to be removed. */
  readonly unusedApprovals: readonly Approval[];
  readonly passed: boolean;
}

export interface GuardOptions {
  readonly stack: string;
  readonly protected: boolean;
  readonly approvals: readonly Approval[];
}

function destructiveAction(actions: readonly string[]): DestructiveAction | undefined {
  if (!actions.includes("delete")) return undefined;
  return actions.includes("create") ? "replace" : "delete";
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? part : `.${part}`)).join("");
}

/** Counted the way `terraform plan` prints its summary: a replacement adds one and destroys one. */
export function countChanges(plan: GuardedPlan): PlanCounts {
  let add = 0;
  let change = 0;
  let destroy = 0;
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === "data") continue;
    const { actions } = rc.change;
    if (actions.includes("create")) add++;
    if (actions.includes("delete")) destroy++;
    if (actions.includes("update")) change++;
  }
  return { add, change, destroy };
}

/**
 * Judges one stack's plan: every delete or replacement of a stateful resource (see
 * stateful-resources.ts) is a finding, approved only by an allow-list entry naming this stack,
 * address and action. A protected environment fails on any unapproved finding, and on a plan
 * that errored or is incomplete; an unprotected one (dev) only reports them.
 */
export function guardPlan(plan: GuardedPlan, options: GuardOptions): GuardVerdict {
  const findings: Finding[] = [];
  const used = new Set<Approval>();
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === "data") continue;
    const action = destructiveAction(rc.change.actions);
    const kind = action && statefulKind(rc.type, rc.change.before as Record<string, unknown> | null);
    if (!action || !kind) continue;
    const approval = options.approvals.find((a) => a.stack === options.stack && a.address === rc.address && a.action === action);
    if (approval) used.add(approval);
    findings.push({
      address: rc.address,
      type: rc.type,
      kind,
      action,
      replacePaths: (rc.change.replace_paths ?? []).map(formatPath),
      ...(rc.action_reason ? { reason: rc.action_reason } : {}),
      ...(approval ? { approval } : {}),
    });
  }
  const planProblems = [
    ...(plan.errored ? ["the plan errored: Terraform could not finish planning"] : []),
    ...(plan.complete === false ? ["the plan is incomplete (deferred changes): unplanned changes cannot be checked"] : []),
  ];
  const unapproved = findings.filter((f) => !f.approval);
  return {
    stack: options.stack,
    protected: options.protected,
    counts: countChanges(plan),
    unapproved,
    approved: findings.filter((f) => f.approval),
    planProblems,
    unusedApprovals: options.approvals.filter((a) => a.stack === options.stack && !used.has(a)),
    passed: !options.protected || (unapproved.length === 0 && planProblems.length === 0),
  };
}

function describe(finding: Finding): string {
  const forcedBy = finding.replacePaths.length > 0 ? ` (forced by ${finding.replacePaths.join(", ")})` : "";
  const removed = finding.action === "delete" && finding.reason ? ` (${finding.reason})` : "";
  return `${finding.action} ${finding.address}: ${finding.kind}${forcedBy}${removed}`;
}

/** The verdict as lines for a terminal or a CI log. */
export function formatVerdict(verdict: GuardVerdict): string {
  const { add, change, destroy } = verdict.counts;
  const status = verdict.passed ? "passed" : "REFUSED";
  const lines = [`${verdict.stack}: ${add} to add, ${change} to change, ${destroy} to destroy — plan guard ${status}`];
  const label = verdict.protected ? "refused" : "would be refused in a protected environment";
  for (const f of verdict.unapproved) lines.push(`  ${label}: ${describe(f)}`);
  for (const f of verdict.approved) lines.push(`  approved: ${describe(f)} — by ${f.approval!.approved_by}: ${f.approval!.reason}`);
  for (const problem of verdict.planProblems) lines.push(`  ${verdict.protected ? "refused" : "warning"}: ${problem}`);
  for (const a of verdict.unusedApprovals) lines.push(`  stale approval (matches no planned change; remove it): ${a.action} ${a.address}`);
  if (verdict.unapproved.length > 0 && verdict.protected) {
    lines.push(`  To approve one of these deliberately, add an entry to plan-guard.allow.json (stack, address, action, reason, approved_by) in a reviewed pull request.`);
  }
  return lines.join("\n");
}

/** One markdown table row per stack, for the job summary and the pull-request comment. */
export function verdictMarkdownRow(verdict: GuardVerdict): string {
  const { add, change, destroy } = verdict.counts;
  const notes = [
    ...verdict.unapproved.map((f) => `${verdict.protected ? "⛔" : "⚠️"} ${describe(f)}`),
    ...verdict.approved.map((f) => `✅ ${describe(f)} (approved by ${f.approval!.approved_by})`),
    ...verdict.planProblems.map((p) => `⛔ ${p}`),
  ];
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  return `| \`${verdict.stack}\` | ${add} | ${change} | ${destroy} | ${verdict.passed ? "passed" : "**refused**"} | ${cell(notes.join("<br>")) || "–"} |`;
}

export const VERDICT_MARKDOWN_HEADER = "| stack | add | change | destroy | plan guard | destructive changes to stateful resources |\n|---|---:|---:|---:|---|---|";
