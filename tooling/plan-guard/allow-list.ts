import { existsSync, readFileSync } from "node:fs";

export type DestructiveAction = "delete" | "replace";
const ACTIONS: readonly DestructiveAction[] = ["delete", "replace"];

/** One reviewed, approved destructive change: exactly this action on exactly this address of this stack. */
export interface Approval {
  readonly stack: string;
  readonly address: string;
  readonly action: DestructiveAction;
  readonly reason: string;
  readonly approved_by: string;
}

export class AllowListError extends Error {}

/** The committed allow-list at the repository root; reviewed like code, one entry per approved change. */
export const ALLOW_LIST_FILE = "plan-guard.allow.json";

/**
 * Reads and checks the allow-list. A missing file approves nothing. Every problem is reported at
 * once, each with the file and the field to fix, and nothing is approved when any entry is wrong.
 */
export function readAllowList(file: string): Approval[] {
  if (!existsSync(file)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new AllowListError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseAllowList(raw, file);
}

export function parseAllowList(raw: unknown, file: string): Approval[] {
  const entries = (raw as { approvals?: unknown } | null)?.approvals;
  if (!Array.isArray(entries)) throw new AllowListError(`${file}: approvals: must be a list (use [] for none)`);
  const problems: string[] = [];
  const approvals = entries.map((entry: Record<string, unknown>, index) => {
    const field = (name: keyof Approval): string => {
      const value = entry?.[name];
      if (typeof value !== "string" || value.trim() === "") problems.push(`${file}: approvals[${index}].${name}: must be a non-empty string`);
      return typeof value === "string" ? value.trim() : "";
    };
    const approval = { stack: field("stack"), address: field("address"), action: field("action"), reason: field("reason"), approved_by: field("approved_by") };
    if (approval.action && !ACTIONS.includes(approval.action as DestructiveAction)) {
      problems.push(`${file}: approvals[${index}].action: must be one of ${ACTIONS.join(", ")} (got "${approval.action}")`);
    }
    return approval as Approval;
  });
  if (problems.length > 0) throw new AllowListError(`Invalid plan-guard allow-list; nothing is approved:\n  - ${problems.join("\n  - ")}`);
  return approvals;
}
