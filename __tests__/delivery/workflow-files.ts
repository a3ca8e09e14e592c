import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as load } from "yaml";

export const GITHUB_DIR = join(__dirname, "..", "..", ".github");

export interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, unknown>;
}

export interface Job {
  readonly permissions?: Record<string, string> | string;
  readonly needs?: string | string[];
  readonly environment?: string | { name: string };
  readonly concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
  readonly strategy?: { "max-parallel"?: number; "fail-fast"?: boolean; matrix?: unknown };
  readonly steps?: Step[];
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly if?: string;
  readonly outputs?: Record<string, string>;
}

export interface Workflow {
  readonly file: string;
  readonly text: string;
  readonly on: Record<string, unknown>;
  readonly permissions?: unknown;
  readonly jobs: Record<string, Job>;
}

export interface CompositeAction {
  readonly file: string;
  readonly text: string;
  readonly runs: { using: string; steps: Step[] };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(dir, name));
}

export function workflows(): Workflow[] {
  return yamlFiles(join(GITHUB_DIR, "workflows")).map((file) => {
    const text = readFileSync(file, "utf8");
    return { file, text, ...(load(text) as Omit<Workflow, "file" | "text">) };
  });
}

export function compositeActions(): CompositeAction[] {
  return yamlFiles(join(GITHUB_DIR, "actions")).map((file) => {
    const text = readFileSync(file, "utf8");
    return { file, text, ...(load(text) as Omit<CompositeAction, "file" | "text">) };
  });
}

export const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
export const environmentName = (job: Job): string | undefined => (typeof job.environment === "string" ? job.environment : job.environment?.name);
