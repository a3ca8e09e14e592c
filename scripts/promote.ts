/**
 * `npm run promote -- <environment> [--approved-by <id>] [--dry-run]`
 * Copies the release pins of the environment before <environment> in cdktf.json's promotion
 * order into it (environments/releases.json), after validating the result.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironments } from "../environments";
import { ConfigValidationError } from "../environments/validate";
import { readAppContext } from "../lib/app-context";
import { PromotionError, promote, type ReleaseFile } from "../lib/promotion";

const RELEASES = join(__dirname, "..", "environments", "releases.json");

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "approved-by": { type: "string" }, "dry-run": { type: "boolean", default: false } },
  });
  const target = positionals[0];
  if (!target) throw new PromotionError("usage: npm run promote -- <environment> [--approved-by <id>] [--dry-run]");
  const { context, issues } = readAppContext();
  if (issues.length > 0) throw new ConfigValidationError(issues);

  const before = JSON.parse(readFileSync(RELEASES, "utf8")) as ReleaseFile;
  const after = promote(before, context, { target, approvedBy: values["approved-by"], now: new Date() });
  const text = `${JSON.stringify(after, null, 2)}\n`;
  if (values["dry-run"]) {
    console.log(text);
    return;
  }
  writeFileSync(RELEASES, text);
  try {
    loadEnvironments(context); // the promoted pins must still validate (e.g. no image for a removed service)
  } catch (error) {
    writeFileSync(RELEASES, `${JSON.stringify(before, null, 2)}\n`);
    throw error;
  }
  const from = before[target]?.version ?? "(none)";
  console.log(`${target}: release ${from} → ${after[target]!.version} (from ${after[target]!.promotion!.from})`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof PromotionError || error instanceof ConfigValidationError)) throw error;
  console.error(error.message);
  process.exit(1);
}
