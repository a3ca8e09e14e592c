import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES, type RuleContext } from "../../../tooling/apply-rules";
import type { FixtureCase } from "./fixture-kit";
import { FIXTURES } from "./fixtures";

const STACK = "fixture-stack";

function run(ruleId: string, fixture: FixtureCase) {
  const rule = RULES.find(({ id }) => id === ruleId)!;
  const stacks = new Map([...Object.entries(fixture.otherStacks ?? {}), [STACK, fixture.json]]);
  const context: RuleContext = { environment: fixture.environment, pinnedImageTags: fixture.pinnedImageTags ?? [], stacks };
  return rule.check({ stackName: STACK, json: fixture.json, context });
}

describe("apply-time rule pack", () => {
  test("has at least 20 rules, with unique ids, each citing an AWS document", () => {
    expect(RULES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(RULES.map(({ id }) => id)).size).toBe(RULES.length);
    for (const rule of RULES) expect(rule.source).toMatch(/https:\/\/docs\.aws\.amazon\.com\//);
  });

  test("every rule has a breaking and a passing fixture, and no fixture names a rule the pack lacks", () => {
    expect(Object.keys(FIXTURES).sort()).toEqual(RULES.map(({ id }) => id).sort());
  });

  test("the README lists every rule", () => {
    const readme = readFileSync(join(__dirname, "../../../tooling/apply-rules/README.md"), "utf8");
    for (const { id } of RULES) expect(readme).toContain(`\`${id}\``);
  });

  describe.each(RULES.map(({ id }) => id))("%s", (ruleId) => {
    test("reports the breaking fixture at its address", () => {
      const fixture = FIXTURES[ruleId]!;
      const findings = run(ruleId, fixture.breaks);
      expect(findings.length).toBeGreaterThan(0);
      for (const finding of findings) {
        expect(finding).toMatchObject({ rule: ruleId, address: fixture.breaks.address });
        expect(finding.message.length).toBeGreaterThan(0);
      }
    });

    test("accepts the passing fixture", () => {
      expect(run(ruleId, FIXTURES[ruleId]!.passes)).toEqual([]);
    });
  });
});
