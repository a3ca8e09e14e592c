import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The app as users run it (`tsx main.ts`, which is what cdktf.json's app command runs): valid
 * configuration writes every stack; invalid configuration exits non-zero with one line per
 * problem naming file and field, and writes nothing.
 */
const ROOT = join(__dirname, "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

interface Run {
  code: number | null;
  stderr: string;
  outdir: string;
}

function runApp(env: Record<string, string>): Promise<Run> {
  const outdir = join(mkdtempSync(join(tmpdir(), "lma-main-")), "cdktf.out");
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ["main.ts"], { cwd: ROOT, env: { ...process.env, ...env, CDKTF_OUTDIR: outdir } });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr, outdir }));
  });
}

/** A copy of environments/ with one file edited, as a config author would break it. */
function environmentsWith(file: string, from: string, to: string): string {
  const directory = mkdtempSync(join(tmpdir(), "lma-env-"));
  cpSync(join(ROOT, "environments"), directory, { recursive: true });
  const path = join(directory, file);
  const text = readFileSync(path, "utf8");
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${from}`);
  writeFileSync(path, text.replace(from, to));
  return directory;
}

let valid: Run;
let badEnvironment: Run;
let unknownEnvironment: Run;

beforeAll(async () => {
  [valid, badEnvironment, unknownEnvironment] = await Promise.all([
    runApp({}),
    runApp({ LMA_ENVIRONMENTS_DIR: environmentsWith("production.ts", 'vpcCidr: "10.1.0.0/16"', 'vpcCidr: "10.0.128.0/17"') }),
    runApp({
      CDKTF_CONTEXT_JSON: JSON.stringify({
        environments: ["dev", "staging", "production", "qa"],
        promotionOrder: ["dev", "qa", "staging", "production"],
        manualApprovalBefore: ["production"],
      }),
    }),
  ]);
}, 60_000);

it("writes the bootstrap stack and every regional stack, named lma-<environment>-<region>", () => {
  expect(valid.stderr).toBe("");
  expect(valid.code).toBe(0);
  expect(readdirSync(join(valid.outdir, "stacks")).sort()).toEqual([
    "lma-dev-bootstrap",
    "lma-dev-us-east-1",
    "lma-production-bootstrap",
    "lma-production-eu-west-1",
    "lma-production-us-east-1",
    "lma-staging-bootstrap",
    "lma-staging-us-east-1",
  ]);
});

it("refuses an invalid environment file: exit code 1, the file and field named, nothing written", () => {
  expect(badEnvironment.code).toBe(1);
  expect(badEnvironment.stderr).toMatch(
    /production\.ts: production\.regions\[1\]\.vpcCidr: 10\.0\.128\.0\/17 overlaps production\.regions\[0\]\.vpcCidr/,
  );
  expect(existsSync(badEnvironment.outdir)).toBe(false);
});

it("refuses an environment in cdktf.json's context that has no configuration file", () => {
  expect(unknownEnvironment.code).toBe(1);
  expect(unknownEnvironment.stderr).toMatch(/cdktf\.json: context\.environments\[3\]: "qa" has no file environments\/qa\.ts/);
  expect(existsSync(unknownEnvironment.outdir)).toBe(false);
});
