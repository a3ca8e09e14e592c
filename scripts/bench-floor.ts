/**
 * The floor of `npm run bench`: what a synthesis costs before it builds anything. It loads the
 * same module files as a synthesis of main.ts (the list of resolved files that an instrumented
 * run of main.ts dumped from `require.cache`), in the same order, then synthesizes an empty App.
 * It needs no cooperation from main.ts, so the floor follows the real import graph as it changes.
 *
 *   node --import tsx scripts/bench-floor.ts <modules.json> <outdir>
 *
 * Not meant to be run by hand; scripts/bench.ts runs it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";

const [modulesFile, outdir] = process.argv.slice(2);
if (!modulesFile || !outdir) {
  console.error("usage: node --import tsx scripts/bench-floor.ts <modules.json> <outdir>");
  process.exit(2);
}

const { entry, exclude = [], modules } = JSON.parse(fs.readFileSync(modulesFile, "utf8")) as {
  entry: string;
  /** e.g. the bench's preload, already loaded by `node --require`. */
  exclude?: string[];
  modules: string[];
};
const excluded = new Set([entry, __filename, ...exclude].map((f) => path.resolve(f)));
// Not the app itself (loading it *is* the synthesis under test), nor the loader, already in place.
const skip = (file: string) =>
  excluded.has(path.resolve(file)) ||
  file.includes(`${path.sep}node_modules${path.sep}tsx${path.sep}`);

let loaded = 0;
for (const file of modules) {
  if (skip(file) || !fs.existsSync(file)) continue;
  require(file);
  loaded++;
}

new App({ outdir }).synth();
if (process.env.LMA_BENCH_VERBOSE) console.error(`bench-floor: loaded ${loaded} of ${modules.length} modules`);
