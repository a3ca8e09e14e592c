import { App } from "cdktf";
import { loadEnvironments } from "./environments";
import { ConfigValidationError } from "./environments/validate";
import { readAppContext } from "./lib/app-context";
import { skipTokenStackTraces } from "./lib/fast-synth";
import { BootstrapStack } from "./stacks/bootstrap-stack";
import { RegionalStack } from "./stacks/regional-stack";

/**
 * Builds every stack of every environment declared in cdktf.json: per environment, a bootstrap
 * stack for its remote state and one regional stack per region. Configuration is validated
 * first; an invalid one throws before any stack exists, so nothing is written.
 */
export function buildApp(options: { outdir?: string } = {}): App {
  const { context, issues } = readAppContext();
  const environments = loadEnvironments(context, undefined, issues);
  // Stack traces in construct metadata are for debugging cdktf itself; they cost time and bytes.
  const app = new App({ outdir: options.outdir, stackTraces: false });
  for (const { config } of environments) {
    new BootstrapStack(app, config);
    for (const region of config.regions) new RegionalStack(app, config, region);
  }
  return app;
}

if (require.main === module) {
  skipTokenStackTraces();
  try {
    buildApp().synth();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
