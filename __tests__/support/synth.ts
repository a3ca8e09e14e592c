import { Testing } from "cdktf";
import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import type { EnvironmentConfig } from "../../environments/types";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { RegionalStack } from "../../stacks/regional-stack";
import { readStackJson, type SynthesizedStack, synthesizedStackNames } from "../../tooling/stack-json";

export { allResources, listOf, policyOf, resourcesOf, type SynthesizedStack } from "../../tooling/stack-json";

export const ENVIRONMENTS = { dev, staging, production } as const;

/**
 * Where the jest global setup (support/global-setup.ts) wrote its one synthesis of the whole app,
 * through the cdktf.json app command. Stack-level tests read it; nothing else synthesizes a whole
 * stack of the committed configuration again.
 */
function synthesisDir(): string | undefined {
  if (process.env.LMA_SYNTH_ERROR) throw new Error(`the app failed to synthesize in the jest global setup:\n${process.env.LMA_SYNTH_ERROR}`);
  return process.env.LMA_SYNTH_OUT;
}

/** The names of the stacks the app synthesized, sorted. */
export function stackNames(): string[] {
  const dir = synthesisDir();
  if (!dir) throw new Error("no synthesis: run the tests through jest (its global setup synthesizes the app)");
  return synthesizedStackNames(dir);
}

/** The synthesized Terraform JSON of one stack of the app, as `cdktf synth` wrote it (metadata included). */
export function stackJson(name: string): SynthesizedStack {
  const dir = synthesisDir();
  if (!dir) throw new Error("no synthesis: run the tests through jest (its global setup synthesizes the app)");
  return readStackJson(dir, name);
}

const cleaned = new Map<string, { json: SynthesizedStack; text: string }>();

/**
 * A stack of the app as `Testing.synth` would render it (cdktf's "//" metadata removed, keys
 * sorted), read from the one synthesis when `environment` is the committed configuration, else
 * synthesized here (a test's modified copy of an environment).
 */
function fromSynthesisOr(name: string, environment: EnvironmentConfig, synthesize: () => string): { json: SynthesizedStack; text: string } {
  const committed = ENVIRONMENTS[environment.name as keyof typeof ENVIRONMENTS] === environment;
  const dir = committed ? synthesisDir() : undefined;
  if (!dir) {
    const text = synthesize();
    return { json: JSON.parse(text) as SynthesizedStack, text };
  }
  let entry = cleaned.get(name);
  if (!entry) {
    const json = withoutMetadata(readStackJson(dir, name)) as SynthesizedStack;
    entry = { json, text: JSON.stringify(json, null, 2) };
    cleaned.set(name, entry);
  }
  return { json: structuredClone(entry.json), text: entry.text };
}

function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "//")
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, item]) => [key, withoutMetadata(item)]),
  );
}

/** One regional stack of an environment (region by index, primary first). */
export function synthRegional(environment: EnvironmentConfig, regionIndex = 0): { json: SynthesizedStack; text: string } {
  const region = environment.regions[regionIndex]!;
  return fromSynthesisOr(`lma-${environment.name}-${region.region}`, environment, () => Testing.synth(new RegionalStack(Testing.app(), environment, region)));
}

/** The bootstrap stack of an environment. */
export function synthBootstrap(environment: EnvironmentConfig): { json: SynthesizedStack; text: string } {
  return fromSynthesisOr(`lma-${environment.name}-bootstrap`, environment, () => Testing.synth(new BootstrapStack(Testing.app(), environment)));
}
