import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import releases from "../../environments/releases.json";
import type { ReleasePins } from "../../environments/types";
import { readAppContext } from "../../lib/app-context";
import { compareVersions, formatReleaseFile, pinsOf, PromotionError, promote, type ReleaseFile, releaseDiff } from "../../lib/promotion";

const { context } = readAppContext();
const now = new Date("2026-11-21T10:00:00.123Z");
const file = releases as ReleaseFile;
const [first, second, third] = context.promotionOrder as [string, string, string];
const pins = (env: string) => pinsOf(file, env)!;
const approval = (env: string) => (context.manualApprovalBefore.includes(env) ? { approvedBy: "CAB-4711" } : {});

describe("promote", () => {
  it("gives the next environment exactly what its predecessor runs, recording where it came from", () => {
    const result = promote(file, context, { target: second, now, ...approval(second) });
    expect(pinsOf(result, second)).toMatchObject({ version: pins(first).version, functions: pins(first).functions, promotion: { from: first, at: "2026-11-21T10:00:00Z" } });
    expect(result[first]).toBe(file[first]);
    expect(result[third]).toBe(file[third]);
  });

  it("keeps the file's key order ($schema first) and writes 2-space JSON", () => {
    const text = formatReleaseFile(promote(file, context, { target: second, now, ...approval(second) }));
    expect(Object.keys(JSON.parse(text))).toEqual(Object.keys(file));
    expect(text).toMatch(/^\{\n {2}"\S/);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("refuses an environment listed in manualApprovalBefore without an approver, and records the approver", () => {
    const gated = context.manualApprovalBefore[0]!;
    const source = context.promotionOrder[context.promotionOrder.indexOf(gated) - 1]!;
    expect(() => promote(file, context, { target: gated, now })).toThrow(new PromotionError(`promoting to "${gated}" needs a manual approval: pass --approved-by <change or approver id>`));
    const result = promote(file, context, { target: gated, approvedBy: "CAB-4711", now });
    expect(pinsOf(result, gated)).toMatchObject({ version: pins(source).version, promotion: { from: source, approvedBy: "CAB-4711" } });
  });

  it("refuses skipping a stage and going backwards", () => {
    expect(() => promote(file, context, { target: third, from: first, now, approvedBy: "x" })).toThrow(`--from ${first}: that skips ${second}`);
    expect(() => promote(file, context, { target: second, from: third, now, approvedBy: "x" })).toThrow(`--from ${third}: that goes backwards`);
  });

  it("refuses a release older than the one the target runs", () => {
    const newerTarget = { ...file, [second]: { ...pins(second), version: "2099.01.01-1" } } as ReleaseFile;
    expect(() => promote(newerTarget, context, { target: second, now, ...approval(second) })).toThrow(
      `${second} runs release 2099.01.01-1, newer than ${first}'s ${pins(first).version}: promoting would go backwards`,
    );
  });

  it("refuses pins the target's catalogue does not know", () => {
    const source: ReleasePins = { ...pins(first), images: { "ghost-service": "2026.11.20-3" }, functions: { ...pins(first).functions, "ghost-fn": "1.0.0" } };
    const withGhosts = { ...file, [first]: source } as ReleaseFile;
    const catalogue = { services: [], functions: Object.keys(pins(first).functions) };
    expect(() => promote(withGhosts, context, { target: second, now, catalogue, ...approval(second) })).toThrow(
      `environments/releases.json: ${first} pins image "ghost-service" (not a service of ${second}), function "ghost-fn" (not a function of ${second})`,
    );
  });

  it("has nothing to promote into the first environment, or into one not in the order", () => {
    expect(() => promote(file, context, { target: first, now })).toThrow(/first in the promotion order/);
    expect(() => promote(file, context, { target: "qa", now })).toThrow(/not in cdktf.json context.promotionOrder/);
  });
});

describe("releaseDiff", () => {
  it("lists each changed pin old → new and nothing unchanged", () => {
    const before: ReleasePins = { version: "2026.11.18-1", functions: { a: "1.0.0", b: "2.0.0" } };
    const after: ReleasePins = { version: "2026.11.20-3", images: { loan: "2026.11.20-4" }, functions: { a: "1.0.0", b: "2.1.0" } };
    expect(releaseDiff(before, after)).toEqual(["release: 2026.11.18-1 → 2026.11.20-3", "image loan: (none) → 2026.11.20-4", "function b: 2.0.0 → 2.1.0"]);
  });

  it("orders release versions numerically", () => {
    expect(compareVersions("2026.11.20-10", "2026.11.20-9")).toBe(1);
    expect(compareVersions("2026.9.1-1", "2026.11.1-1")).toBe(-1);
  });
});

describe("npm run promote", () => {
  const ROOT = path.join(__dirname, "..", "..");
  const run = (releasesFile: string, ...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "promote.ts"), ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, LMA_RELEASES_FILE: releasesFile },
      timeout: 60_000,
    });
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "lma-promote-"))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints the diff and writes nothing with --dry-run", () => {
    const copy = path.join(dir, "dry.json");
    fs.copyFileSync(path.join(ROOT, "environments", "releases.json"), copy);
    const result = run(copy, second, "--dry-run", ...(approval(second).approvedBy ? ["--approved-by", "CAB-1"] : []));
    expect(result.status).toBe(0);
    const expected = releaseDiff(pins(second), pins(first));
    for (const change of expected) expect(result.stdout).toContain(change);
    expect(result.stdout).toContain("dry run: nothing written");
    expect(fs.readFileSync(copy, "utf8")).toBe(fs.readFileSync(path.join(ROOT, "environments", "releases.json"), "utf8"));
  }, 60_000);

  it("exits 1 with the reason when refused", () => {
    const result = run(path.join(ROOT, "environments", "releases.json"), third, "--from", first, "--dry-run");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`that skips ${second}`);
  }, 60_000);
});
