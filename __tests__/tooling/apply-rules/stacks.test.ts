import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnvironments } from "../../../environments";
import type { EnvironmentConfig } from "../../../environments/types";
import { readAppContext } from "../../../lib/app-context";
import { environmentOfStack, readSynthesizedStacks, runRules, type StackJson } from "../../../tooling/apply-rules";

/**
 * The whole pack on every stack of one synthesis of the committed configuration. It reads the
 * synthesis the jest global setup wrote (LMA_SYNTH_OUT) when there is one, else synthesizes the
 * app itself. A failure lists every finding (stack, rule, address, message): each is an AWS API
 * rule the modules break today.
 */
let stacks: Map<string, StackJson>;
let environments: EnvironmentConfig[];
let ownOutdir: string | undefined;

beforeAll(() => {
  const { context, issues } = readAppContext();
  environments = loadEnvironments(context, undefined, issues).map(({ config }) => config);
  let outdir = process.env.LMA_SYNTH_OUT;
  if (!outdir) {
    ownOutdir = mkdtempSync(join(tmpdir(), "lma-apply-rules-"));
    outdir = ownOutdir;
    (require("../../../main") as typeof import("../../../main")).buildApp({ outdir }).synth();
  }
  stacks = readSynthesizedStacks(outdir);
}, 120_000);

afterAll(() => {
  if (ownOutdir) rmSync(ownOutdir, { recursive: true, force: true });
});

test("every synthesized stack belongs to a configured environment, and every environment has stacks", () => {
  expect(stacks.size).toBeGreaterThan(0);
  for (const name of stacks.keys()) expect(environmentOfStack(name, environments)?.name).toBeDefined();
  for (const { name } of environments) expect([...stacks.keys()].some((stack) => environmentOfStack(stack, environments)?.name === name)).toBe(true);
});

test("no apply-time rule fires on any stack", () => {
  const findings = runRules(stacks, environments).map(({ stack, rule, address, message }) => `${stack}  ${rule}  ${address}  ${message}`);
  expect(findings).toEqual([]);
});
