import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import type { AppContext } from "../lib/app-context";
import type { EnvironmentConfig } from "./types";
import { type ConfigIssue, ConfigValidationError, type SourcedEnvironment, validateEnvironments } from "./validate";

export type { EnvironmentConfig } from "./types";

/**
 * Loads `<directory>/<name>.ts` for every environment the context declares, and validates them
 * all. Throws `ConfigValidationError` listing every problem, with its file and field, so the app
 * fails before it writes anything. `directory` defaults to this folder; tests point it at a copy.
 */
export function loadEnvironments(
  context: AppContext,
  directory = process.env.LMA_ENVIRONMENTS_DIR ?? __dirname,
  contextIssues: readonly ConfigIssue[] = [],
): SourcedEnvironment[] {
  const issues: ConfigIssue[] = [...contextIssues];
  const loaded: SourcedEnvironment[] = [];
  context.environments.forEach((name, index) => {
    const path = join(directory, `${name}.ts`);
    const file = relative(process.cwd(), path);
    if (!existsSync(path)) {
      issues.push({ file: "cdktf.json", path: `context.environments[${index}]`, message: `"${name}" has no file ${file}` });
      return;
    }
    // Each environment file exports a constant named after the environment.
    const config = (require(path) as Record<string, EnvironmentConfig | undefined>)[name];
    if (!config) {
      issues.push({ file, path: name, message: `the file must export \`const ${name}: EnvironmentConfig\`` });
      return;
    }
    if (config.name !== name) {
      issues.push({ file, path: `${name}.name`, message: `must be "${name}", the file's name ("${config.name}")` });
      return;
    }
    loaded.push({ file, config });
  });
  try {
    validateEnvironments(loaded);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return loaded;
}
