import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { AppContext } from "../lib/app-context";
import { ENVIRONMENT_NAMES, releasesFileSchema } from "./schema";
import type { EnvironmentConfig, ServiceConfig } from "./types";
import {
  type ConfigIssue,
  ConfigValidationError,
  type SharedDeclarations,
  type SourcedEnvironment,
  uniqueIssues,
  validateEnvironments,
} from "./validate";

export type { EnvironmentConfig } from "./types";

/** The folder's own catalogue and secret declarations, so a copy of the folder validates against itself. */
function sharedDeclarations(directory: string): SharedDeclarations {
  const file = (name: string) => relative(process.cwd(), join(directory, name));
  const { PRODUCTION_SERVICES } = require(join(directory, "catalogue.ts")) as { PRODUCTION_SERVICES: readonly ServiceConfig[] };
  const { APPLICATION_SECRETS } = require(join(directory, "secrets.ts")) as { APPLICATION_SECRETS: Record<string, unknown> };
  return {
    catalogue: { file: file("catalogue.ts"), services: PRODUCTION_SERVICES },
    secrets: { file: file("secrets.ts"), names: Object.keys(APPLICATION_SECRETS) },
  };
}

/** By name and shape: a copied folder (tests) throws its own copy of the class. */
function isConfigValidationError(error: unknown): error is ConfigValidationError {
  return error instanceof Error && error.name === "ConfigValidationError" && Array.isArray((error as ConfigValidationError).issues);
}

/**
 * Pins under a name that is no environment (a typo, or one removed): they would be ignored. The
 * pins of each environment are checked with it, against the same file.
 */
function unknownReleaseEntries(directory: string): ConfigIssue[] {
  const path = join(directory, "releases.json");
  const result = releasesFileSchema.safeParse(require(path));
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys" && issue.path.length === 0
      ? issue.keys.map((key) => ({
          file: relative(process.cwd(), path),
          path: key,
          message: `is not an environment (known: ${ENVIRONMENT_NAMES.join(", ")})`,
        }))
      : [],
  );
}

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
    let config: EnvironmentConfig | undefined;
    try {
      // Each environment file exports a constant named after the environment.
      config = (require(path) as Record<string, EnvironmentConfig | undefined>)[name];
    } catch (error) {
      // `defineEnvironment` refuses an invalid file as it loads; its issues name the files by
      // their place in the repository, which a copied folder replaces.
      if (!isConfigValidationError(error)) throw error;
      const folder = dirname(file);
      issues.push(...error.issues.map((issue) => ({ ...issue, file: issue.file.replace(/^environments(?=\/)/, folder) })));
      return;
    }
    if (!config) {
      issues.push({ file, path: name, message: `the file must export \`const ${name} = defineEnvironment({ … })\`` });
      return;
    }
    if (config.name !== name) {
      issues.push({ file, path: `${name}.name`, message: `must be "${name}", the file's name ("${config.name}")` });
      return;
    }
    loaded.push({ file, config });
  });
  issues.push(...unknownReleaseEntries(directory));
  try {
    validateEnvironments(loaded, sharedDeclarations(directory));
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0) throw new ConfigValidationError(uniqueIssues(issues));
  return loaded;
}
