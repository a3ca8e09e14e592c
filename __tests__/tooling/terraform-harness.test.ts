import { offlineTransform, placeholderFor } from "../../tooling/terraform-harness";
import { stackJson, stackNames } from "../support/synth";

type Declarations = Record<string, { default?: unknown; type?: string; sensitive?: boolean }>;

describe("offline transformation", () => {
  it("gives every variable declared without a default a placeholder, in every synthesized stack, and keeps declared defaults", () => {
    let placeholders = 0;
    for (const name of stackNames()) {
      const original = stackJson(name) as unknown as { variable?: Declarations };
      const { json, changes } = offlineTransform(original as unknown as Record<string, unknown>);
      const declared = original.variable ?? {};
      const transformed = (json.variable ?? {}) as Declarations;
      for (const [variable, declaration] of Object.entries(declared)) {
        const expected = "default" in declaration ? declaration.default : placeholderFor(variable, declaration.type);
        expect([name, variable, transformed[variable]!.default]).toEqual([name, variable, expected]);
        if ("default" in declaration) continue;
        placeholders++;
        expect(changes).toContain(`variable.${variable}: offline placeholder ${declaration.sensitive ? "(sensitive) " : ""}as default`);
      }
    }
    // The AWS stacks take PagerDuty's endpoints as inputs, so the transformation has work to do.
    expect(placeholders).toBeGreaterThan(0);
  });

  it("leaves the synthesized stack unchanged", () => {
    const stack = { variable: { origin_verify_header: { type: "string", sensitive: true } } };
    offlineTransform(stack);
    expect(stack.variable.origin_verify_header).not.toHaveProperty("default");
  });

  it.each([
    ["string", "OfflinePlaceholderx".padEnd(32, "0")],
    [undefined, "OfflinePlaceholderx".padEnd(32, "0")],
    ["number", 0],
    ["bool", false],
    ["list(string)", []],
    ["set(number)", []],
    ["map(string)", {}],
    ["object({ a = string })", {}],
  ])("a placeholder of type %s", (type, value) => {
    expect(placeholderFor("x", type)).toEqual(value);
  });
});
