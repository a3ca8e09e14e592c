import type { ReleasePins } from "../environments/types";
import type { AppContext } from "./app-context";

export type ReleaseFile = Record<string, ReleasePins>;

export interface PromotionRequest {
  readonly target: string;
  /** Who approved it; required for environments listed in `manualApprovalBefore`. */
  readonly approvedBy?: string;
  readonly now: Date;
}

export class PromotionError extends Error {}

/**
 * Moves the release pins one step along cdktf.json's promotion order: the target receives
 * exactly what its predecessor runs (image tags and function versions), with a record of where
 * they came from. Skipping an environment is impossible by construction.
 */
export function promote(releases: ReleaseFile, context: AppContext, request: PromotionRequest): ReleaseFile {
  const position = context.promotionOrder.indexOf(request.target);
  if (position < 0) {
    throw new PromotionError(`"${request.target}" is not in cdktf.json context.promotionOrder (${context.promotionOrder.join(" → ")})`);
  }
  if (position === 0) throw new PromotionError(`"${request.target}" is first in the promotion order; nothing promotes into it`);
  const source = context.promotionOrder[position - 1]!;
  const pins = releases[source];
  if (!pins) throw new PromotionError(`environments/releases.json has no pins for "${source}"`);
  if (context.manualApprovalBefore.includes(request.target) && !request.approvedBy?.trim()) {
    throw new PromotionError(`promoting to "${request.target}" needs a manual approval: pass --approved-by <change or approver id>`);
  }
  const promoted: ReleasePins = {
    version: pins.version,
    ...(pins.images ? { images: { ...pins.images } } : {}),
    functions: { ...pins.functions },
    promotion: {
      from: source,
      at: request.now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(request.approvedBy ? { approvedBy: request.approvedBy.trim() } : {}),
    },
  };
  return { ...releases, [request.target]: promoted };
}
