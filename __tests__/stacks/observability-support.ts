import { Testing } from "cdktf";
import { type ObservabilityInput, observability, observabilityFor } from "../../environments/observability";
import type { EnvironmentConfig } from "../../environments/types";
import { ObservabilityStack } from "../../stacks/observability-stack";
import type { SynthesizedStack } from "../support/synth";

/** Synthesizes the observability stack of an environment, with the committed or a given configuration. */
export function synthObservability(environment: EnvironmentConfig, input: ObservabilityInput = observability) {
  const app = Testing.app();
  const config = observabilityFor(environment, input);
  const stack = new ObservabilityStack(app, environment, config);
  const text = Testing.synth(stack);
  return { stack, config, text, json: JSON.parse(text) as SynthesizedStack };
}
