/**
 * Who owns an account-wide service: `create` (this project creates it), `adopt` (it exists; a
 * Terraform `import` block brings it under this project) or `external` (an organisation's
 * delegated administrator or Control Tower manages it; nothing is declared). README.md,
 * "Account-wide services".
 */
export type AccountServiceMode = "create" | "adopt" | "external";

/**
 * Declares the resource `create` makes for `create` and `adopt`; with `adopt`, also its import
 * from `importId` (cdktf's `importFrom` writes the `import` block). `what` names the service in
 * the error when an adoption has no id.
 */
export function declareOwned<T extends { importFrom(id: string): void }>(
  mode: AccountServiceMode,
  importId: string | undefined,
  what: string,
  create: () => T,
): T | undefined {
  if (mode === "external") return undefined;
  const resource = create();
  if (mode === "adopt") {
    if (!importId) throw new Error(`${what}: adopting it needs the existing one's id`);
    resource.importFrom(importId);
  }
  return resource;
}
