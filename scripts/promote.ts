/**
 * `npm run promote -- <environment> [--from <environment>] [--approved-by <id>] [--dry-run]`
 *
 * Copies the release pins of the environment before <environment> in cdktf.json's promotion
 * order into it (environments/releases.json) and prints what changes (old → new per pin).
 * --dry-run prints the same diff and writes nothing. --from states the expected source; a
 * source that skips a stage or goes backwards is refused, as are a release older than the
 * target's, and pins for services or functions the target's configuration does not declare.
 * Production (cdktf.json context.manualApprovalBefore) needs --approved-by.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironments } from "../environments";
import { ConfigValidationError } from "../environments/validate";
import { readAppContext } from "../lib/app-context";
import { formatReleaseFile, pinsOf, PromotionError, promote, type ReleaseFile, releaseDiff } from "../lib/promotion";

const RELEASES = process.env.LMA_RELEASES_FILE ?? join(__dirname, "..", "environments", "releases.json");
const USAGE = "usage: npm run promote -- <environment> [--from <environment>] [--approved-by <id>] [--dry-run]";

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { from: { type: "string" }, "approved-by": { type: "string" }, "dry-run": { type: "boolean", default: false } },
  });
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new PromotionError(USAGE);
  const { context, issues } = readAppContext();
  const environments = loadEnvironments(context, undefined, issues);
  const targetConfig = environments.find(({ config }) => config.name === target)?.config;
  const catalogue = targetConfig && { services: targetConfig.services.map((s) => s.name), functions: Object.keys(targetConfig.functions) };

  const text = readFileSync(RELEASES, "utf8");
  const before = JSON.parse(text) as ReleaseFile;
  const after = promote(before, context, { target, from: values.from, approvedBy: values["approved-by"], now: new Date(), catalogue });
  const promoted = pinsOf(after, target)!;
  const changes = releaseDiff(pinsOf(before, target), promoted);
  const heading = `${target} ← ${promoted.promotion!.from}${values["dry-run"] ? " (dry run: nothing written)" : ""}`;
  console.log([heading, ...(changes.length > 0 ? changes.map((c) => `  ${c}`) : ["  no pin changes (only the promotion record)"])].join("\n"));
  if (values["dry-run"]) return;
  writeFileSync(RELEASES, formatReleaseFile(after));
  try {
    loadEnvironments(context); // the promoted pins must still validate (e.g. no image for a removed service)
  } catch (error) {
    writeFileSync(RELEASES, text);
    throw error;
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof PromotionError || error instanceof ConfigValidationError)) throw error;
  console.error(error.message);
  process.exit(1);
}
