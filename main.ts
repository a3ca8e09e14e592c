import { App, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { loadEnvironments } from "./environments";
import { observabilityFor } from "./environments/observability";
import type { EnvironmentConfig } from "./environments/types";
import { ConfigValidationError } from "./environments/validate";
import { readAppContext } from "./lib/app-context";
import { cdktfPatchesEnabled, skipTokenStackTraces } from "./lib/fast-synth";
import { AwsStack } from "./stacks/aws-stack";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { ObservabilityStack } from "./stacks/observability-stack";
import { RegionalStack } from "./stacks/regional-stack";

/** A stack the app can build, known by name before it is constructed (so a selection costs nothing). */
export interface PlannedStack {
  readonly name: string;
  readonly environment: string;
  build(scope: Construct): TerraformStack;
}

/**
 * Per environment: a bootstrap stack for its remote state, one regional stack per region, and the
 * observability stack (Datadog, PagerDuty). environments/observability.ts is validated here, while
 * planning, so a problem in it stops the app before any stack is built, as an environment file's does.
 */
export function planStacks(environments: readonly EnvironmentConfig[]): PlannedStack[] {
  return environments.flatMap((config) => {
    const observability = observabilityFor(config);
    return [
      { name: BootstrapStack.stackName(config.name), environment: config.name, build: (scope: Construct) => new BootstrapStack(scope, config) },
      ...config.regions.map((region) => ({
        name: RegionalStack.stackName(config.name, region.region),
        environment: config.name,
        build: (scope: Construct) => new RegionalStack(scope, config, region),
      })),
      {
        name: ObservabilityStack.stackName(config.name),
        environment: config.name,
        build: (scope: Construct) => new ObservabilityStack(scope, config, observability),
      },
    ];
  });
}

/** A selection (`LMA_STACKS`, `LMA_ENVIRONMENTS`) naming something the app does not have. */
export class StackSelectionError extends Error {}

/**
 * What to synthesize: every stack, or those named in `LMA_STACKS` (comma-separated stack names),
 * or every stack of the environments in `LMA_ENVIRONMENTS`. Every environment is still loaded and
 * validated (cross-environment rules such as CIDR overlaps need them all); only construction,
 * the cost of synthesis, is limited to the selection.
 */
export function selectStacks(planned: readonly PlannedStack[], env: NodeJS.ProcessEnv = process.env): PlannedStack[] {
  const list = (value: string | undefined) => (value ?? "").split(",").map((item) => item.trim()).filter(Boolean);
  const stacks = list(env.LMA_STACKS);
  const environments = list(env.LMA_ENVIRONMENTS);
  const unknown = (variable: string, names: string[], known: string[]) => {
    const missing = names.filter((name) => !known.includes(name));
    if (missing.length > 0) {
      throw new StackSelectionError(`${variable}: unknown ${missing.join(", ")} (known: ${[...new Set(known)].join(", ")})`);
    }
  };
  unknown("LMA_STACKS", stacks, planned.map((stack) => stack.name));
  unknown("LMA_ENVIRONMENTS", environments, planned.map((stack) => stack.environment));
  if (stacks.length === 0 && environments.length === 0) return [...planned];
  return planned.filter((stack) => stacks.includes(stack.name) || environments.includes(stack.environment));
}

/**
 * Builds the stacks of every environment declared in cdktf.json (or the selection, see
 * {@link selectStacks}). Configuration is validated first; an invalid one throws before any stack
 * exists, so nothing is written.
 */
export function buildApp(options: { outdir?: string; env?: NodeJS.ProcessEnv } = {}): App {
  const { context, issues } = readAppContext();
  const environments = loadEnvironments(context, undefined, issues);
  const selected = selectStacks(planStacks(environments.map(({ config }) => config)), options.env);
  // Stack traces in construct metadata are for debugging cdktf itself; they cost time and bytes.
  const app = new App({ outdir: options.outdir, stackTraces: false });
  for (const stack of selected) stack.build(app);
  return app;
}

/**
 * The cdktf internals lib/fast-synth.ts and `AwsStack.prepareStack` bypass, back to cdktf's own
 * behaviour, when `LMA_CDKTF_PATCHES=off` (the test that proves the bypasses change no byte).
 */
function applyCdktfPatchSwitch(): void {
  if (cdktfPatchesEnabled()) skipTokenStackTraces();
  else (AwsStack.prototype as TerraformStack).prepareStack = TerraformStack.prototype.prepareStack;
}

/** The app's entry point (scripts/run-app.js, `tsx main.ts`): a refused configuration or selection exits 1. */
export function synthesizeApp(): void {
  applyCdktfPatchSwitch();
  try {
    buildApp().synth();
  } catch (error) {
    if (!(error instanceof ConfigValidationError || error instanceof StackSelectionError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

if (require.main === module) synthesizeApp();
