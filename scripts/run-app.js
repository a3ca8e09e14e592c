#!/usr/bin/env node
/**
 * The app command of cdktf.json: synthesizes from JavaScript compiled by TypeScript 7
 * (`tsc -p tsconfig.build.json` → dist/), never from stale JavaScript. Plain JavaScript, so it
 * runs before anything is compiled.
 *
 * Before loading the app it fingerprints every file the build compiles (the `include` patterns of
 * tsconfig.build.json, plus the tsconfig files): when the fingerprint differs from the one the
 * last build recorded, it rebuilds (tsc's incremental build: only what changed) and records the
 * new one. An unchanged tree costs a few milliseconds of hashing, not a compiler run.
 *
 * Environment files are required by their source path (`environments/<name>.ts`, so errors name
 * the file a person edits); a `.ts` require hook maps a source of this repository to its compiled
 * JavaScript. A `.ts` file outside the repository (a copy given in LMA_ENVIRONMENTS_DIR) is
 * compiled on the fly with tsx, a development dependency.
 *
 * After a synthesis it records, in the output directory, what the output was made from (the
 * sources' fingerprint, cdktf.json, the selection): {@link isSynthesisFresh} tells whether a
 * cdktf.out still matches the sources, so `npm run plan` never plans stale output.
 *
 *   node scripts/run-app.js            build if stale, then synthesize
 *   node scripts/run-app.js --build    build if stale, and stop
 */
"use strict";
const { spawnSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const BUILD_CONFIG = path.join(ROOT, "tsconfig.build.json");
const OUT_DIR = path.join(ROOT, "dist");
const FINGERPRINT_FILE = path.join(OUT_DIR, ".source-fingerprint");
const LOCK_DIR = path.join(OUT_DIR, ".build-lock");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** tsconfig.build.json allows comments; nothing else in it needs more than JSON. */
function readJsonWithComments(file) {
  return JSON.parse(fs.readFileSync(file, "utf8").replace(/^\s*\/\/.*$/gm, ""));
}

/** The files the build compiles, from the `include` patterns (`dir/**\/*.ext` or a file name). */
function sourceFiles() {
  const files = [BUILD_CONFIG, path.join(ROOT, "tsconfig.json")];
  const walk = (dir, extension) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, extension);
      else if (entry.name.endsWith(extension)) files.push(full);
    }
  };
  for (const pattern of readJsonWithComments(BUILD_CONFIG).include) {
    const recursive = pattern.match(/^(.*)\/\*\*\/\*(\.[\w.]+)$/);
    if (recursive) walk(path.join(ROOT, recursive[1]), recursive[2]);
    else files.push(path.join(ROOT, pattern));
  }
  return files.sort();
}

/** Content, not modification times: a checkout or a copy that keeps old mtimes is still seen. */
function fingerprint() {
  const hash = createHash("sha256");
  for (const file of sourceFiles()) {
    hash.update(`\0${path.relative(ROOT, file)}\0`);
    if (fs.existsSync(file)) hash.update(fs.readFileSync(file));
  }
  return hash.digest("hex");
}

/** Environment variables that change what the app writes (main.ts's selection, lib/fast-synth.ts's switch). */
const SYNTHESIS_INPUTS = ["LMA_STACKS", "LMA_ENVIRONMENTS", "LMA_CDKTF_PATCHES", "LMA_ENVIRONMENTS_DIR"];
const SYNTHESIS_STAMP = ".synthesis-fingerprint";

/** What a synthesis is made of: the compiled sources, cdktf.json (its context) and the selection. */
function synthesisFingerprint(env = process.env) {
  const hash = createHash("sha256").update(fingerprint()).update(fs.readFileSync(path.join(ROOT, "cdktf.json")));
  const environments = path.resolve(ROOT, env.LMA_ENVIRONMENTS_DIR || "environments");
  for (const name of SYNTHESIS_INPUTS) hash.update(`\0${name}=${name === "LMA_ENVIRONMENTS_DIR" ? environments : env[name] ?? ""}`);
  // A copy of the configuration outside the repository is read from its sources, not the build.
  if (path.relative(ROOT, environments).startsWith("..") && fs.existsSync(environments)) {
    for (const entry of fs.readdirSync(environments).sort()) {
      const file = path.join(environments, entry);
      if (fs.statSync(file).isFile()) hash.update(`\0${entry}\0`).update(fs.readFileSync(file));
    }
  }
  return hash.digest("hex");
}

/** True when `outdir` holds a synthesis of the current sources, cdktf.json and selection (`env`). */
function isSynthesisFresh(outdir, env = process.env) {
  const stamp = path.join(outdir, SYNTHESIS_STAMP);
  return fs.existsSync(path.join(outdir, "manifest.json")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === synthesisFingerprint(env);
}

function outputDir() {
  return path.resolve(ROOT, process.env.CDKTF_OUTDIR ?? JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).output);
}

const isFresh = (current) => fs.existsSync(FINGERPRINT_FILE) && fs.readFileSync(FINGERPRINT_FILE, "utf8") === current;

/** Two synthesizing processes (the test setup and a person) must not compile into dist/ at once. */
function withBuildLock(action) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A lock older than any build is left by a killed process.
      if (Date.now() - fs.statSync(LOCK_DIR).mtimeMs > 120_000) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${LOCK_DIR} is held by another build; remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return action();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Compiled files whose source was deleted or renamed: a stale one could still satisfy a require. */
function removeOrphans(dir = OUT_DIR) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removeOrphans(full);
    else if (entry.name.endsWith(".js") || entry.name.endsWith(".json")) {
      const source = path.join(ROOT, path.relative(OUT_DIR, full)).replace(/\.js$/, ".ts");
      if (!fs.existsSync(source)) fs.rmSync(full);
    }
  }
}

/**
 * Type errors do not stop the build (tsc still emits, exit status 2, as tsx never type-checked
 * either): the type-check is `npm run typecheck`. Any other failure does.
 */
function buildIfStale() {
  const current = fingerprint();
  if (isFresh(current)) return false;
  return withBuildLock(() => {
    if (isFresh(current)) return false; // built by the process that held the lock
    const result = spawnSync(process.execPath, [TSC, "-p", BUILD_CONFIG], { cwd: ROOT, encoding: "utf8" });
    const emitted = result.status === 0 || result.status === 2;
    if (result.error || !emitted || !fs.existsSync(path.join(OUT_DIR, "main.js"))) {
      process.stderr.write(`tsc -p tsconfig.build.json failed (exit ${result.status ?? result.signal}):\n${result.error?.message ?? ""}${result.stdout}${result.stderr}`);
      process.exit(1);
    }
    removeOrphans();
    fs.writeFileSync(FINGERPRINT_FILE, current);
    return true;
  });
}

function compiledPath(source) {
  const relative = path.relative(ROOT, source);
  if (relative.startsWith("..") || path.isAbsolute(relative) || relative.split(path.sep)[0] === "node_modules") return undefined;
  return path.join(OUT_DIR, relative.replace(/\.ts$/, ".js"));
}

function installTypeScriptHook() {
  let compileWithTsx;
  const hook = (module, filename) => {
    const compiled = compiledPath(filename);
    if (compiled) {
      if (!fs.existsSync(compiled)) throw new Error(`${path.relative(ROOT, filename)} is not part of the build (tsconfig.build.json "include")`);
      module.exports = require(compiled);
      return;
    }
    if (!compileWithTsx) {
      require("tsx/cjs/api").register();
      compileWithTsx = require.extensions[".ts"];
      require.extensions[".ts"] = hook;
    }
    compileWithTsx(module, filename);
  };
  require.extensions[".ts"] = hook;
}

if (require.main === module) {
  buildIfStale();
  if (process.argv.includes("--build")) process.exit(0);
  process.env.LMA_ENVIRONMENTS_DIR ??= path.join(ROOT, "environments");
  installTypeScriptHook();
  // Computed before the app runs: an edit during the synthesis leaves the output marked stale.
  const made = synthesisFingerprint();
  require(path.join(OUT_DIR, "main.js")).synthesizeApp();
  fs.writeFileSync(path.join(outputDir(), SYNTHESIS_STAMP), made);
}

module.exports = { buildIfStale, fingerprint, installTypeScriptHook, isSynthesisFresh, sourceFiles, synthesisFingerprint, OUT_DIR, SYNTHESIS_STAMP };
