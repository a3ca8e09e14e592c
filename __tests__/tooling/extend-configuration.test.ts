import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadEnvironments } from "../../environments";
import type { EnvironmentConfig, ServiceConfig } from "../../environments/types";
import { readAppContext } from "../../lib/app-context";
import { readStackJson, synthesizedStackNames } from "../../tooling/stack-json";
import { ROOT, runAppCommand } from "../support/app-command";
import { ConfigurationCopy } from "../support/configuration-copy";
import { configuredStack, stackInvariantViolations } from "../support/stack-invariants";

/**
 * Adding a service and adding an environment exactly as the README says ("Add a service", "Add an
 * environment") needs no test edited: on a copy of the repository with one of each added, the
 * app synthesizes the new and the affected stacks, and every stack invariant holds of them.
 */
const committed = loadEnvironments(readAppContext().context).map(({ config }) => config);
const nearest = committed[0]!; // the first environment of the promotion order: the one a new environment copies
const added = "qa";
const addedService = "ledger";

/** A free /16: overlaps no VPC of any environment. */
function freeVpcCidr(environments: readonly EnvironmentConfig[]): string {
  const used = new Set(environments.flatMap((environment) => environment.regions.map((region) => region.vpcCidr.split(".")[1])));
  const second = Array.from({ length: 255 }, (_, index) => String(index + 1)).find((candidate) => !used.has(candidate));
  return `10.${second}.0.0/16`;
}

/** Add a service: one entry in catalogue.ts, here shaped like the catalogue's last service. */
function addService(copy: ConfigurationCopy): void {
  const template = committed.find((environment) => environment.name === "production")!.services.at(-1)!;
  const service: ServiceConfig = { ...template, name: addedService, paths: [`/api/${addedService}`, `/api/${addedService}/*`] };
  copy.replace("environments/catalogue.ts", /(PRODUCTION_SERVICES\b[^=]*=[^[]*\[)/, `$1\n  ${JSON.stringify(service)},`);
}

/** Add an environment: a copy of the nearest file with its data changed, its name declared, its pins, cdktf.json. */
function addEnvironment(copy: ConfigurationCopy): Record<string, unknown> {
  const file = copy.read(`environments/${nearest.name}.ts`)
    .replace(nearestName(), added)
    .replace(`"${nearest.regions[0]!.vpcCidr}"`, `"${freeVpcCidr(committed)}"`);
  copy.write(`environments/${added}.ts`, file);
  declareEnvironmentName(copy);
  copyPerEnvironmentEntries(copy);
  const releases = JSON.parse(copy.read("environments/releases.json"));
  copy.write("environments/releases.json", JSON.stringify({ ...releases, [added]: releases[nearest.name] }, null, 2));
  const context = copy.context();
  const after = (list: string[]) => [...list.slice(0, 1), added, ...list.slice(1)];
  const extended = { ...context, environments: after(context.environments as string[]), promotionOrder: after(context.promotionOrder as string[]) };
  copy.write("cdktf.json", JSON.stringify({ ...JSON.parse(copy.read("cdktf.json")), context: extended }, null, 2));
  return extended;
}

// The whole app is copied: the loader and the schema an environment is declared in are edited too.
const copy = new ConfigurationCopy("app");

/** The nearest environment's name as a word: what a copy of its settings renames. */
const nearestName = () => new RegExp(`\\b${nearest.name}\\b`, "g");

/** The configuration's own modules (not an environment file): where names and per-environment entries are declared. */
const declarationFiles = (copy: ConfigurationCopy) =>
  readdirSync(copy.environments).filter((file) => file.endsWith(".ts") && file !== `${added}.ts` && !committed.some((environment) => file === `${environment.name}.ts`));

/** The list of environment names, wherever the configuration states it (a union type or an enum), gains the new one. */
function declareEnvironmentName(copy: ConfigurationCopy): void {
  const names = committed.map((environment) => JSON.stringify(environment.name));
  for (const file of declarationFiles(copy).map((name) => `environments/${name}`)) {
    const text = copy.read(file);
    const list = names.join(", ");
    const union = names.join(" | ");
    copy.write(file, text.split(`[${list}]`).join(`[${list}, "${added}"]`).split(union).join(`${union} | "${added}"`));
  }
}

/** Settings kept per environment outside its file (`environments: { dev: … }`) are copied from the nearest. */
function copyPerEnvironmentEntries(copy: ConfigurationCopy): void {
  for (const file of declarationFiles(copy)) {
    const exports = require(join(ROOT, "environments", file)) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      const entry = (value as { environments?: Record<string, unknown> } | null)?.environments?.[nearest.name];
      if (entry === undefined || typeof entry === "function") continue;
      // Names derived from the environment's (channels, services) follow it, as in its file.
      copy.replace(`environments/${file}`, /\benvironments: \{/, `environments: {\n    ${added}: ${JSON.stringify(entry).replace(nearestName(), added)},`);
    }
  }
}
let environments: EnvironmentConfig[];
let outdir: string;
let stderr: string;

beforeAll(async () => {
  addService(copy);
  const context = addEnvironment(copy);
  const { loadEnvironments: loadCopied } = require(join(copy.environments, "index.ts")) as typeof import("../../environments");
  environments = loadCopied(context as never, copy.environments).map(({ config }) => config);
  const production = environments.find((environment) => environment.name === "production")!;
  // The new environment's stacks, and production's primary: the one the new service changes most.
  const stacks = [`lma-${added}-bootstrap`, `lma-${added}-${nearest.regions[0]!.region}`, `lma-production-${production.regions[0]!.region}`];
  const run = await runAppCommand({ LMA_STACKS: stacks.join(",") }, copy.root);
  ({ outdir, stderr } = run);
}, 180_000);

afterAll(() => {
  copy.remove();
  if (outdir) rmSync(join(outdir, ".."), { recursive: true, force: true });
});

it("loads the new environment and gives every environment the new service", () => {
  expect(environments.map((environment) => environment.name)).toContain(added);
  for (const environment of environments) expect(environment.services.map((service) => service.name)).toContain(addedService);
});

it("synthesizes the new environment's stacks and production's primary with every stack invariant holding", () => {
  expect(stderr).toBe("");
  const names = synthesizedStackNames(outdir);
  expect(names).toHaveLength(3);
  for (const name of names) {
    expect({ name, problems: stackInvariantViolations(configuredStack(name, readStackJson(outdir, name), environments)) }).toEqual({ name, problems: [] });
  }
});
