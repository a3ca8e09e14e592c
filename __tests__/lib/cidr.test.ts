import { cidrContains, cidrsOverlap, cidrSubnet, formatCidr, parseCidr } from "../../lib/cidr";
import { defaultSubnetPlan } from "../../lib/subnets";

const cidr = (text: string) => parseCidr(text)!;

describe("CIDR arithmetic", () => {
  it("parses only network addresses", () => {
    expect(formatCidr(cidr("10.0.0.0/16"))).toBe("10.0.0.0/16");
    expect(parseCidr("10.0.1.0/16")).toBeUndefined();
    expect(parseCidr("10.0.0.256/24")).toBeUndefined();
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("10.0.0.0")).toBeUndefined();
  });

  it("matches Terraform's cidrsubnet", () => {
    expect(cidrSubnet("10.0.0.0/16", 8, 2)).toBe("10.0.2.0/24");
    expect(cidrSubnet("10.0.0.0/16", 4, 3)).toBe("10.0.48.0/20");
    expect(cidrSubnet("172.16.0.0/12", 4, 15)).toBe("172.31.0.0/16");
    expect(() => cidrSubnet("10.0.0.0/16", 4, 16)).toThrow(/does not fit/);
  });

  it("knows containment and overlap", () => {
    expect(cidrContains(cidr("10.0.0.0/16"), cidr("10.0.255.0/24"))).toBe(true);
    expect(cidrContains(cidr("10.0.0.0/16"), cidr("10.1.0.0/24"))).toBe(false);
    expect(cidrContains(cidr("10.0.0.0/24"), cidr("10.0.0.0/16"))).toBe(false);
    expect(cidrsOverlap(cidr("10.0.0.0/16"), cidr("10.0.128.0/17"))).toBe(true);
    expect(cidrsOverlap(cidr("10.0.0.0/17"), cidr("10.0.128.0/17"))).toBe(false);
  });

  it("plans non-overlapping tiers inside the VPC for up to four AZs", () => {
    const plan = defaultSubnetPlan("10.20.0.0/16", 4);
    const all = [...plan.public, ...plan.app, ...plan.data].map(cidr);
    for (const [index, subnet] of all.entries()) {
      expect(cidrContains(cidr("10.20.0.0/16"), subnet)).toBe(true);
      for (const other of all.slice(index + 1)) expect(cidrsOverlap(subnet, other)).toBe(false);
    }
  });
});
