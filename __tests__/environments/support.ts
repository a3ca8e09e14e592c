import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigValidationError } from "../../environments/validate";

const ROOT = join(__dirname, "..", "..");

/**
 * A copy of environments/ that loads like the original: environment files run the schema as they
 * load, which imports `../lib` and zod, so the copy sits in `<tmp>/environments` beside links to
 * the repository's lib/ and node_modules/. Pass `folder` to `loadEnvironments` or as
 * LMA_ENVIRONMENTS_DIR; call `remove` when done.
 */
export function copyEnvironments(): { folder: string; remove: () => void } {
  const workspace = mkdtempSync(join(tmpdir(), "lma-environments-"));
  const folder = join(workspace, "environments");
  cpSync(join(ROOT, "environments"), folder, { recursive: true });
  for (const link of ["lib", "node_modules"]) symlinkSync(join(ROOT, link), join(workspace, link));
  return { folder, remove: () => rmSync(workspace, { recursive: true, force: true }) };
}

/** The `ConfigValidationError` an action throws (and fails the test if it throws none). */
export function captureError(action: () => void): ConfigValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error("expected a ConfigValidationError");
}
