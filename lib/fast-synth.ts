import type { IConstruct, IValidation } from "constructs";

/**
 * The cdktf release whose internals this file and `AwsStack.prepareStack` were checked against
 * (token stack capture, `_validations`, the prepare pass). A test fails when the installed cdktf
 * differs, and another proves the bypasses change no byte of the output: rerun it after an upgrade.
 */
export const CDKTF_VERSION_CHECKED = "0.21.0";

/** `LMA_CDKTF_PATCHES=off` leaves cdktf's internals alone (used to prove the bypasses change nothing). */
export function cdktfPatchesEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LMA_CDKTF_PATCHES !== "off";
}

/**
 * cdktf captures a full, unlimited stack trace for every token it creates (thousands per stack),
 * only to say where a token came from if it later fails to resolve; capturing and formatting them
 * is about a third of synthesis. cdktf captures into a plain `{ stack: "" }` object, never into
 * an `Error`: for exactly those, the capture is skipped (cdktf then records an empty trace). Real
 * errors keep their traces. The only loss is the "token created at" hint in a resolution error.
 * Call it from an entry point (main.ts), never from a library module.
 */
export function skipTokenStackTraces(): void {
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = (target: object, constructorOpt?: Function): void => {
    if (!(target instanceof Error) && (target as { stack?: unknown }).stack === "") return;
    capture(target, constructorOpt);
  };
}

/**
 * Some cdktf constructs (e.g. `terraform_data`) run `terraform version` during synthesis to check
 * the binary is recent enough. That makes synthesis need a terraform binary and costs a process
 * per construct; every stack declares `required_version` instead (stacks/aws-stack.ts), which
 * Terraform enforces itself at init. This removes that check from `construct`.
 */
export function withoutSynthTimeTerraformVersionCheck<T extends IConstruct>(construct: T): T {
  if (!cdktfPatchesEnabled()) return construct;
  const validations = (construct.node as unknown as { _validations?: IValidation[] })._validations;
  if (validations) {
    const kept = validations.filter((validation) => validation.constructor.name !== "ValidateTerraformVersion");
    validations.splice(0, validations.length, ...kept);
  }
  return construct;
}
