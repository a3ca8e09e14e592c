import { loadEnvironments } from "../../environments";
import { readAppContext } from "../../lib/app-context";
import { readSynthesizedStacks, runRules } from ".";

/** `npx tsx tooling/apply-rules/cli.ts [outdir]`: checks an existing synthesis (default cdktf.out). */
const { context, issues } = readAppContext();
const environments = loadEnvironments(context, undefined, issues).map(({ config }) => config);
const findings = runRules(readSynthesizedStacks(process.argv[2] ?? "cdktf.out"), environments);
for (const { stack, rule, address, message } of findings) console.log(`${stack}\t${rule}\t${address}\t${message}`);
console.error(`${findings.length} finding(s)`);
process.exitCode = findings.length > 0 ? 1 : 0;
