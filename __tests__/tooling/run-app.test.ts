import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStackJson } from "../../tooling/stack-json";
import { ROOT, runAppCommand } from "../support/app-command";
import { stackNames } from "../support/synth";

/**
 * cdktf.json's app runs compiled JavaScript (dist/), and never stale JavaScript: after a source
 * edit, the next synthesis reflects it. Proven on a copy of the repository (its own dist/), so
 * the working tree is never edited.
 */
const { sourceFiles } = require(join(ROOT, "scripts", "run-app.js")) as { sourceFiles: () => string[] };
const bootstrap = stackNames().find((name) => name.endsWith("-bootstrap"))!;
const managedBy = (outdir: string) => (readStackJson(outdir, bootstrap).provider!.aws![0]!.default_tags as { tags: Record<string, string> }[])[0]!.tags.ManagedBy!;

let copy: string;
const compiledTags = () => join(copy, "dist", "lib", "tags.js");

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "lma-run-app-"));
  for (const entry of ["main.ts", "lib", "environments", "modules", "stacks", "scripts", "tsconfig.json", "tsconfig.build.json", "cdktf.json", "package.json"]) {
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

it("fingerprints every source the build compiles", () => {
  const sources = sourceFiles().map((file) => file.slice(ROOT.length + 1));
  expect(sources).toEqual(expect.arrayContaining(["main.ts", "lib/tags.ts", "environments/releases.json", "tsconfig.build.json"]));
  expect(sources.filter((file) => file.startsWith("__tests__/") || file.startsWith("tooling/"))).toEqual([]);
});

it("builds a fresh clone, rebuilds after an edit, and reuses an unchanged build", async () => {
  const selection = { LMA_STACKS: bootstrap };
  const first = await runAppCommand(selection, copy);
  expect(first.stderr).toBe("");
  const original = managedBy(first.outdir);
  expect(original).toBe(managedBy(process.env.LMA_SYNTH_OUT!));

  const source = join(copy, "lib", "tags.ts");
  const text = readFileSync(source, "utf8");
  expect(text).toContain(`"${original}"`);
  writeFileSync(source, text.replace(`"${original}"`, `"${original}-edited"`));
  const edited = await runAppCommand(selection, copy);
  expect(edited.stderr).toBe("");
  expect(managedBy(edited.outdir)).toBe(`${original}-edited`);

  const built = statSync(compiledTags()).mtimeMs;
  const unchanged = await runAppCommand(selection, copy);
  expect(managedBy(unchanged.outdir)).toBe(`${original}-edited`);
  expect(statSync(compiledTags()).mtimeMs).toBe(built);
  for (const run of [first, edited, unchanged]) rmSync(join(run.outdir, ".."), { recursive: true, force: true });
}, 180_000);
