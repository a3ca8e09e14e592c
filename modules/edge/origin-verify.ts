import { TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";

/** The header CloudFront adds to every request to the API origin, and the ALB side requires. */
export const ORIGIN_VERIFY_HEADER = "X-Origin-Verify";

/**
 * The Terraform variable holding the header's value (`TF_VAR_origin_verify_header`): sensitive,
 * no default, so the value never appears in cdk.tf.json. The pipeline supplies it from its secret
 * store, the same value to every regional stack of an environment (CloudFront sends one value to
 * whichever region answers).
 */
export const ORIGIN_VERIFY_VARIABLE = "origin_verify_header";

export interface OriginVerifyHeader {
  readonly name: string;
  /** A token resolving to the variable. */
  readonly value: string;
}

/** The stack's one origin-verify variable, declared on first use. */
export function originVerifyHeader(scope: Construct): OriginVerifyHeader {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(ORIGIN_VERIFY_VARIABLE);
  const variable =
    existing instanceof TerraformVariable
      ? existing
      : new TerraformVariable(stack, ORIGIN_VERIFY_VARIABLE, {
          type: "string",
          sensitive: true,
          nullable: false,
          description: `Secret value of the ${ORIGIN_VERIFY_HEADER} header CloudFront sends to the API origin; the same in every region of the environment`,
          // ALB header conditions compare case-insensitively and read `*` and `?` as wildcards (5 per
          // rule at most): letters and digits only keep the comparison exact and the rule valid.
          validation: [
            {
              condition: `\${can(regex("^[A-Za-z0-9]{32,128}$", var.${ORIGIN_VERIFY_VARIABLE}))}`,
              errorMessage: `${ORIGIN_VERIFY_VARIABLE} must be 32 to 128 letters and digits (ALB header conditions are case-insensitive and treat * and ? as wildcards).`,
            },
          ],
        });
  // The name the pipeline sets (TF_VAR_<name>), not one derived from the construct path.
  variable.overrideLogicalId(ORIGIN_VERIFY_VARIABLE);
  return { name: ORIGIN_VERIFY_HEADER, value: variable.stringValue };
}
