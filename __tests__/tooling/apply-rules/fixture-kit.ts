import type { RuleContext, StackJson } from "../../../tooling/apply-rules";

/** The logical name every fixture gives the resource under test. */
export const SUBJECT = "subject";

export interface FixtureCase {
  readonly json: StackJson;
  /** Other stacks of the same synthesis (the stack under test is added under `stackName`). */
  readonly otherStacks?: Readonly<Record<string, StackJson>>;
  readonly environment?: RuleContext["environment"];
  readonly pinnedImageTags?: readonly string[];
}

export interface RuleFixture {
  readonly breaks: FixtureCase & { readonly address: string };
  readonly passes: FixtureCase;
}

export const ACCOUNT = "111122223333";

/** A stack whose default provider is in `region` and restricted to the fixture account. */
export function stack(resource: NonNullable<StackJson["resource"]>, extra: Partial<StackJson> = {}, region = "us-east-1"): StackJson {
  return { provider: { aws: [{ region, allowed_account_ids: [ACCOUNT] }] }, resource, ...extra };
}

/** A stack holding one resource of `type` named SUBJECT (plus any `others`). */
export function one(type: string, body: Record<string, unknown>, others: NonNullable<StackJson["resource"]> = {}): StackJson {
  return stack({ ...others, [type]: { ...(others[type] ?? {}), [SUBJECT]: body } });
}

/** A breaking/passing pair that differs only in the subject's body. */
export function pair(type: string, broken: Record<string, unknown>, fixed: Record<string, unknown>, others: NonNullable<StackJson["resource"]> = {}): RuleFixture {
  return { breaks: { json: one(type, broken, others), address: `${type}.${SUBJECT}` }, passes: { json: one(type, fixed, others) } };
}

export const policy = (...Statement: Record<string, unknown>[]): string => JSON.stringify({ Version: "2012-10-17", Statement });
