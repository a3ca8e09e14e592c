import releases from "../../environments/releases.json";
import type { AppContext } from "../../lib/app-context";
import { PromotionError, promote, type ReleaseFile } from "../../lib/promotion";

const context: AppContext = {
  environments: ["dev", "staging", "production"],
  promotionOrder: ["dev", "staging", "production"],
  manualApprovalBefore: ["production"],
};
const now = new Date("2026-11-21T10:00:00.123Z");
const file = releases as ReleaseFile;

describe("promote", () => {
  it("gives staging exactly what dev runs, recording where it came from", () => {
    const result = promote(file, context, { target: "staging", now });
    expect(result.staging).toEqual({
      version: file.dev!.version,
      functions: file.dev!.functions,
      promotion: { from: "dev", at: "2026-11-21T10:00:00Z" },
    });
    expect(result.dev).toBe(file.dev);
    expect(result.production).toBe(file.production);
  });

  it("refuses production without a manual approval, and records the approval when given", () => {
    expect(() => promote(file, context, { target: "production", now })).toThrow(
      new PromotionError('promoting to "production" needs a manual approval: pass --approved-by <change or approver id>'),
    );
    const result = promote(file, context, { target: "production", approvedBy: "CAB-4711", now });
    expect(result.production).toMatchObject({ version: file.staging!.version, promotion: { from: "staging", approvedBy: "CAB-4711" } });
  });

  it("has nothing to promote into the first environment, or into one not in the order", () => {
    expect(() => promote(file, context, { target: "dev", now })).toThrow(/first in the promotion order/);
    expect(() => promote(file, context, { target: "qa", now })).toThrow(/not in cdktf.json context.promotionOrder/);
  });
});
