import { existsSync } from "node:fs";
import { loadEnvironments } from "../environments";
import { readAppContext } from "../lib/app-context";
import { planStacks } from "../main";
import { readStackJson, synthesizedStackNames } from "../tooling/stack-json";
import { type AppRun, ROOT, runAppCommand } from "./support/app-command";
import { ConfigurationCopy } from "./support/configuration-copy";
import { stackNames } from "./support/synth";

/**
 * The app as cdktf runs it (cdktf.json's `app`): invalid configuration or an unknown selection
 * exits 1 with one line per problem naming file and field, and writes nothing; a selection
 * (`LMA_STACKS`, `LMA_ENVIRONMENTS`) writes exactly the selected stacks, byte for byte as the whole
 * app writes them (the run's one synthesis, support/global-setup.ts).
 */
const { context } = readAppContext(ROOT);
const planned = planStacks(loadEnvironments(context).map(({ config }) => config));
const production = loadEnvironments(context).find(({ config }) => config.name === "production")!.config;
const [firstEnvironment] = context.environments;
const selectedStacks = [planned[0]!.name, planned[planned.length - 1]!.name];
const undeclared = "qa";

let overlappingCidr: AppRun;
let unknownEnvironment: AppRun;
let byStack: AppRun;
let byEnvironment: AppRun;
let unknownStack: AppRun;

const brokenProduction = new ConfigurationCopy();

beforeAll(async () => {
  const [primary, standby] = production.regions;
  brokenProduction.replace("environments/production.ts", `vpcCidr: "${standby!.vpcCidr}"`, `vpcCidr: "${primary!.vpcCidr}"`);
  [overlappingCidr, unknownEnvironment, byStack, byEnvironment, unknownStack] = await Promise.all([
    runAppCommand({ LMA_ENVIRONMENTS_DIR: brokenProduction.environments }),
    runAppCommand({
      CDKTF_CONTEXT_JSON: JSON.stringify({
        ...context,
        environments: [...context.environments, undeclared],
        promotionOrder: [...context.promotionOrder, undeclared],
      }),
    }),
    runAppCommand({ LMA_STACKS: selectedStacks.join(",") }),
    runAppCommand({ LMA_ENVIRONMENTS: firstEnvironment! }),
    runAppCommand({ LMA_STACKS: "lma-nowhere-us-east-1" }),
  ]);
}, 120_000);

afterAll(() => brokenProduction.remove());

it("names stacks as the app builds them: the planned names are the synthesized ones", () => {
  expect(planned.map((stack) => stack.name).sort()).toEqual(stackNames());
});

it("refuses an invalid environment file: exit code 1, the file and field named, nothing written", () => {
  expect(overlappingCidr.code).toBe(1);
  expect(overlappingCidr.stderr).toMatch(/production\.ts: production\.regions\[1\]\.vpcCidr: .*overlaps/);
  expect(existsSync(overlappingCidr.outdir)).toBe(false);
});

it("refuses an environment in cdktf.json's context that has no configuration file", () => {
  expect(unknownEnvironment.code).toBe(1);
  expect(unknownEnvironment.stderr).toContain(`cdktf.json: context.environments[${context.environments.length}]: "${undeclared}" has no file environments/${undeclared}.ts`);
  expect(existsSync(unknownEnvironment.outdir)).toBe(false);
});

it("LMA_STACKS writes exactly the named stacks, byte for byte as the whole app writes them", () => {
  expect(byStack.stderr).toBe("");
  expect(synthesizedStackNames(byStack.outdir)).toEqual([...selectedStacks].sort());
  for (const stack of selectedStacks) expect(readStackJson(byStack.outdir, stack)).toEqual(readStackJson(process.env.LMA_SYNTH_OUT!, stack));
});

it("LMA_ENVIRONMENTS writes every stack of the named environments", () => {
  expect(byEnvironment.stderr).toBe("");
  expect(synthesizedStackNames(byEnvironment.outdir)).toEqual(
    planned.filter((stack) => stack.environment === firstEnvironment).map((stack) => stack.name).sort(),
  );
});

it("refuses a selection naming an unknown stack, listing the known ones, and writes nothing", () => {
  expect(unknownStack.code).toBe(1);
  expect(unknownStack.stderr).toContain("LMA_STACKS: unknown lma-nowhere-us-east-1 (known: ");
  expect(existsSync(unknownStack.outdir)).toBe(false);
});
