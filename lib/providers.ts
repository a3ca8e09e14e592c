import { Aspects, type IAspect, type TerraformProvider, TerraformResource } from "cdktf";
import type { IConstruct } from "constructs";

class UseProvider implements IAspect {
  constructor(private readonly provider: TerraformProvider) {}

  visit(node: IConstruct): void {
    if (node instanceof TerraformResource && node.provider === undefined) node.provider = this.provider;
  }
}

/**
 * Makes every resource under `scope` use `provider` (e.g. another region's aliased provider)
 * unless it already names one, so modules need no provider plumbing to be placed in a region.
 */
export function useProvider(scope: IConstruct, provider: TerraformProvider): void {
  Aspects.of(scope).add(new UseProvider(provider));
}
