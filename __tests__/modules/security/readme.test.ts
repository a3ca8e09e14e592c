import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_MANAGED_RULE_GROUPS,
  GUARDDUTY_FEATURES,
  MANAGED_CONFIG_RULES,
  SECURITY_HUB_STANDARDS,
} from "../../../modules/security";

const readme = readFileSync(join(__dirname, "../../../modules/security/README.md"), "utf8");

describe("modules/security/README.md documents every control", () => {
  it.each(MANAGED_CONFIG_RULES.map((rule) => [rule.identifier, rule] as const))("Config rule %s, with its mappings", (identifier, rule) => {
    const row = readme.split("\n").find((line) => line.includes(`\`${identifier}\``));
    expect(row).toBeDefined();
    for (const mapping of [rule.cis, rule.pci, rule.securityHub]) if (mapping) expect(row).toContain(mapping);
  });

  it.each(GUARDDUTY_FEATURES.map((feature) => feature.name))("GuardDuty feature %s", (name) => {
    expect(readme).toContain(`\`${name}\``);
  });

  it.each(Object.values(SECURITY_HUB_STANDARDS))("Security Hub standard %s", (path) => {
    expect(readme).toContain(path);
  });

  it.each(DEFAULT_MANAGED_RULE_GROUPS.map((group) => group.name))("WAF rule group %s", (name) => {
    expect(readme).toContain(`\`${name}\``);
  });
});
