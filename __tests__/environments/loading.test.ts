/**
 * Loading a folder of environments (a copy, edited as a person would) refuses every broken
 * cross-reference before anything is synthesized, naming the file that was edited and the field.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { loadEnvironments } from "../../environments";
import { RELEASES_SCHEMA_FILE, releasesJsonSchemaText } from "../../environments/releases-schema";
import type { ConfigValidationError } from "../../environments/validate";
import { readAppContext } from "../../lib/app-context";
import { captureError, copyEnvironments } from "./support";

const ROOT = join(__dirname, "..", "..");
const { context } = readAppContext(ROOT);
let folder: string;
let remove: () => void;

beforeEach(() => ({ folder, remove } = copyEnvironments()));
afterEach(() => remove());

const shown = (name: string) => relative(process.cwd(), join(folder, name));

function edit(name: string, change: (text: string) => string): void {
  const path = join(folder, name);
  const before = readFileSync(path, "utf8");
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
}

function issuesLoading(): ConfigValidationError["issues"] {
  return captureError(() => loadEnvironments(context, folder)).issues;
}

function releases(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(folder, "releases.json"), "utf8"));
}

it("loads the unedited copy", () => {
  expect(loadEnvironments(context, folder).map(({ config }) => config.name)).toEqual(context.environments);
});

it("refuses an environment missing from releases.json, naming the file and the environment", () => {
  const [missing] = context.environments.slice(-1);
  const { [missing!]: _removed, ...rest } = releases();
  writeFileSync(join(folder, "releases.json"), JSON.stringify(rest));
  expect(issuesLoading()).toEqual([{ file: shown("releases.json"), path: missing, message: expect.stringMatching(/has no release pins/) }]);
});

it("refuses pins under a name that is no environment", () => {
  writeFileSync(join(folder, "releases.json"), JSON.stringify({ ...releases(), prodution: releases()[context.environments[0]!] }));
  expect(issuesLoading()).toEqual([{ file: shown("releases.json"), path: "prodution", message: expect.stringMatching(/not an environment/) }]);
});

it("refuses a function pinned without sizing, against the environment that lacks it", () => {
  const [first] = context.environments;
  const pins = releases() as Record<string, { functions: Record<string, string> }>;
  pins[first!]!.functions["pdf-renderer"] = "1.0.0";
  writeFileSync(join(folder, "releases.json"), JSON.stringify(pins));
  expect(issuesLoading()).toEqual([
    { file: shown(`${first}.ts`), path: `${first}.functions.pdf-renderer`, message: expect.stringMatching(/no sizing/) },
  ]);
});

it("reports a misspelt secret in the catalogue once, against catalogue.ts, and the secret it orphaned against secrets.ts", () => {
  const { PRODUCTION_SERVICES } = require(join(ROOT, "environments", "catalogue")) as typeof import("../../environments/catalogue");
  const reader = PRODUCTION_SERVICES.find((service) => service.secrets?.length === 1)!;
  const secret = reader.secrets![0]!;
  const typo = `${secret.slice(0, -1)}x`;
  edit("catalogue.ts", (text) => text.replace(`"${secret}"`, `"${typo}"`));
  expect(issuesLoading()).toEqual([
    { file: shown("catalogue.ts"), path: `PRODUCTION_SERVICES.${reader.name}.secrets[0]`, message: expect.stringMatching(`unknown secret "${typo}"`) },
    { file: shown("secrets.ts"), path: `APPLICATION_SECRETS.${secret}`, message: expect.stringMatching(/no service reads it/) },
  ]);
});

it("reports a data store kind misspelt in the catalogue once, against catalogue.ts", () => {
  edit("catalogue.ts", (text) => text.replace(/uses: \["database"/, 'uses: ["databse"'));
  const issues = issuesLoading();
  expect(issues).toHaveLength(1);
  expect(issues[0]).toMatchObject({ file: shown("catalogue.ts"), message: expect.stringMatching(/unknown data store "databse"/) });
  expect(issues[0]!.path).toMatch(/^PRODUCTION_SERVICES\.[a-z0-9]+\.uses\[0\]$/);
});

it("keeps the committed JSON Schema of releases.json current", () => {
  expect(readFileSync(RELEASES_SCHEMA_FILE, "utf8")).toBe(releasesJsonSchemaText());
  expect(JSON.parse(readFileSync(join(ROOT, "environments", "releases.json"), "utf8")).$schema).toBe("./releases.schema.json");
});
