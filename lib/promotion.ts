import type { ReleasePins } from "../environments/types";
import type { AppContext } from "./app-context";

/** environments/releases.json: `$schema` (kept first when present), then the pins per environment. */
export type ReleaseFile = { readonly $schema?: string } & { readonly [environment: string]: ReleasePins | string | undefined };

/** What the target environment can run: the services and functions its configuration declares. */
export interface TargetCatalogue {
  readonly services: readonly string[];
  readonly functions: readonly string[];
}

export interface PromotionRequest {
  readonly target: string;
  /** The environment the pins come from; must be the target's predecessor in the promotion order. */
  readonly from?: string;
  /** Who approved it; required for environments listed in `manualApprovalBefore`. */
  readonly approvedBy?: string;
  readonly now: Date;
  /** When given, pins for services or functions the target does not declare are refused. */
  readonly catalogue?: TargetCatalogue;
}

export class PromotionError extends Error {}

const FILE = "environments/releases.json";

export function pinsOf(releases: ReleaseFile, environment: string): ReleasePins | undefined {
  const pins = releases[environment];
  return typeof pins === "object" ? pins : undefined;
}

/** Release versions are `YYYY.MM.DD-N`: compared part by part, numerically. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[^0-9]+/).filter(Boolean).map(Number);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (diff !== 0) return Math.sign(diff);
  }
  return a.localeCompare(b);
}

function refuseUnknownPins(pins: ReleasePins, request: PromotionRequest, source: string): void {
  const { catalogue, target } = request;
  if (!catalogue) return;
  const unknown = [
    ...Object.keys(pins.images ?? {}).filter((s) => !catalogue.services.includes(s)).map((s) => `image "${s}" (not a service of ${target})`),
    ...Object.keys(pins.functions).filter((f) => !catalogue.functions.includes(f)).map((f) => `function "${f}" (not a function of ${target})`),
  ];
  if (unknown.length > 0) {
    throw new PromotionError(`${FILE}: ${source} pins ${unknown.join(", ")}; add them to environments/${target}.ts first or remove the pins from ${source}`);
  }
}

/**
 * Moves the release pins one step along cdktf.json's promotion order: the target receives
 * exactly what its predecessor runs (image tags and function versions), with a record of where
 * they came from. Refused: a source other than the predecessor (skipping a stage, or going
 * backwards), a release older than the one the target runs, pins the target does not know, and
 * a manual-approval environment without an approver.
 */
export function promote(releases: ReleaseFile, context: AppContext, request: PromotionRequest): ReleaseFile {
  const order = context.promotionOrder;
  const position = order.indexOf(request.target);
  if (position < 0) throw new PromotionError(`"${request.target}" is not in cdktf.json context.promotionOrder (${order.join(" → ")})`);
  if (position === 0) throw new PromotionError(`"${request.target}" is first in the promotion order; nothing promotes into it`);
  const source = order[position - 1]!;
  if (request.from !== undefined && request.from !== source) {
    const fromPosition = order.indexOf(request.from);
    const why =
      fromPosition < 0 ? `"${request.from}" is not in the promotion order` : fromPosition > position ? "that goes backwards" : fromPosition === position ? "that is the target itself" : `that skips ${order.slice(fromPosition + 1, position).join(", ")}`;
    throw new PromotionError(`${request.target} is promoted from ${source} only (cdktf.json context.promotionOrder ${order.join(" → ")}); --from ${request.from}: ${why}`);
  }
  const pins = pinsOf(releases, source);
  if (!pins) throw new PromotionError(`${FILE} has no pins for "${source}"`);
  const current = pinsOf(releases, request.target);
  if (current && compareVersions(pins.version, current.version) < 0) {
    throw new PromotionError(`${request.target} runs release ${current.version}, newer than ${source}'s ${pins.version}: promoting would go backwards`);
  }
  refuseUnknownPins(pins, request, source);
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

/** `old → new` per pin that changes (release, each image, each function); unchanged pins are left out. */
export function releaseDiff(before: ReleasePins | undefined, after: ReleasePins): string[] {
  const line = (label: string, from: string | undefined, to: string | undefined) => (from === to ? [] : [`${label}: ${from ?? "(none)"} → ${to ?? "(removed)"}`]);
  const keyed = (label: string, from: Readonly<Record<string, string>> = {}, to: Readonly<Record<string, string>> = {}) =>
    [...new Set([...Object.keys(from), ...Object.keys(to)])].sort().flatMap((key) => line(`${label} ${key}`, from[key], to[key]));
  return [
    ...line("release", before?.version, after.version),
    ...keyed("image", before?.images, after.images),
    ...keyed("function", before?.functions, after.functions),
  ];
}

/** releases.json as the project writes it: 2-space JSON, key order kept (`$schema` first), final newline. */
export function formatReleaseFile(releases: ReleaseFile): string {
  return `${JSON.stringify(releases, null, 2)}\n`;
}
