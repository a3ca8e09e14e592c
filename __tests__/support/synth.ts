import { Testing } from "cdktf";
import { dev } from "../../environments/dev";
import { production } from "../../environments/production";
import { staging } from "../../environments/staging";
import type { EnvironmentConfig } from "../../environments/types";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { RegionalStack } from "../../stacks/regional-stack";

export const ENVIRONMENTS = { dev, staging, production } as const;

/** The synthesized Terraform JSON of a stack. */
export interface SynthesizedStack {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly terraform: Record<string, unknown>;
  readonly output?: Record<string, { value: unknown }>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Synthesizes one regional stack of an environment (region by index, primary first). */
export function synthRegional(environment: EnvironmentConfig, regionIndex = 0): { stack: RegionalStack; json: SynthesizedStack; text: string } {
  const app = Testing.app();
  const stack = new RegionalStack(app, environment, environment.regions[regionIndex]!);
  const text = Testing.synth(stack);
  return { stack, json: JSON.parse(text) as SynthesizedStack, text };
}

export function synthBootstrap(environment: EnvironmentConfig): { stack: BootstrapStack; json: SynthesizedStack; text: string } {
  const app = Testing.app();
  const stack = new BootstrapStack(app, environment);
  const text = Testing.synth(stack);
  return { stack, json: JSON.parse(text) as SynthesizedStack, text };
}

/** All resources of one Terraform type, by logical name ({} when there are none). */
export function resourcesOf(json: SynthesizedStack, type: string): Record<string, Record<string, unknown>> {
  return json.resource[type] ?? {};
}

/** The resources of one type as a list. */
export function listOf(json: SynthesizedStack, type: string): Record<string, unknown>[] {
  return Object.values(resourcesOf(json, type));
}

/** Every resource in the stack as [type, name, body]. */
export function allResources(json: SynthesizedStack): [string, string, Record<string, unknown>][] {
  return Object.entries(json.resource).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => [type, name, body] as [string, string, Record<string, unknown>]),
  );
}

/** Parses an IAM policy rendered as a JSON string in the synthesized output. */
export function policyOf(value: unknown): { Statement: Record<string, unknown>[] } {
  if (typeof value !== "string") throw new Error(`expected a policy JSON string, got ${JSON.stringify(value)}`);
  return JSON.parse(value);
}
