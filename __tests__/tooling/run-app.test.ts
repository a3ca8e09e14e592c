import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readStackJson } from "../../tooling/stack-json";
import { ROOT, runAppCommand } from "../support/app-command";
import { ConfigurationCopy } from "../support/configuration-copy";
import { stackNames } from "../support/synth";

/**
 * cdktf.json's app runs compiled JavaScript (dist/), and never stale JavaScript: after a source
 * edit or deletion, the next synthesis reflects it. Proven on a copy of the repository, seeded
 * with the build the test run's synthesis made (so only the incremental builds are paid for), so
 * the working tree is never edited. A clean clone's first build is `npm ci`'s, in .ci/run.
 */
const { sourceFiles } = require(join(ROOT, "scripts", "run-app.js")) as { sourceFiles: () => string[] };
const bootstrap = stackNames().find((name) => name.endsWith("-bootstrap"))!;
const managedBy = (outdir: string) => (readStackJson(outdir, bootstrap).provider!.aws![0]!.default_tags as { tags: Record<string, string> }[])[0]!.tags.ManagedBy!;

const repository = new ConfigurationCopy("app");
const copy = repository.root;
const compiled = (file: string) => join(copy, "dist", "lib", file);

afterAll(() => repository.remove());

it("fingerprints every source the build compiles", () => {
  const sources = sourceFiles().map((file) => file.slice(ROOT.length + 1));
  expect(sources).toEqual(expect.arrayContaining(["main.ts", "lib/tags.ts", "environments/releases.json", "tsconfig.build.json"]));
  expect(sources.filter((file) => file.startsWith("__tests__/") || file.startsWith("tooling/"))).toEqual([]);
});

it("reuses an unchanged build, rebuilds after an edit, and drops what a deleted source compiled to", async () => {
  const selection = { LMA_STACKS: bootstrap };
  const runs = [];
  const built = statSync(compiled("tags.js")).mtimeMs;
  runs.push(await runAppCommand(selection, copy));
  expect(runs[0]!.stderr).toBe("");
  const original = managedBy(runs[0]!.outdir);
  expect(original).toBe(managedBy(process.env.LMA_SYNTH_OUT!));
  expect(statSync(compiled("tags.js")).mtimeMs).toBe(built);

  const source = join(copy, "lib", "tags.ts");
  const text = readFileSync(source, "utf8");
  expect(text).toContain(`"${original}"`);
  writeFileSync(source, text.replace(`"${original}"`, `"${original}-edited"`));
  const removable = join(copy, "lib", "removed-later.ts");
  writeFileSync(removable, "export const removedLater = true;\n");
  runs.push(await runAppCommand(selection, copy));
  expect(runs[1]!.stderr).toBe("");
  expect(managedBy(runs[1]!.outdir)).toBe(`${original}-edited`);
  expect(existsSync(compiled("removed-later.js"))).toBe(true);

  rmSync(removable);
  runs.push(await runAppCommand(selection, copy));
  expect(managedBy(runs[2]!.outdir)).toBe(`${original}-edited`);
  expect(existsSync(compiled("removed-later.js"))).toBe(false);
  for (const run of runs) rmSync(join(run.outdir, ".."), { recursive: true, force: true });
}, 180_000);
