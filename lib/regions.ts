/**
 * Short names of AWS regions, used where a name must be unique across an account's regions but
 * stay short (IAM role names are limited to 64 characters): `us-east-1` → `use1`. The table is
 * lib's own so naming does not depend on the configuration; a region the platform may deploy to
 * is still declared in environments/regions.ts.
 */
export const REGION_SHORT_NAMES: Readonly<Record<string, string>> = {
  "us-east-1": "use1",
  "us-east-2": "use2",
  "us-west-1": "usw1",
  "us-west-2": "usw2",
  "ca-central-1": "cac1",
  "eu-west-1": "euw1",
  "eu-west-2": "euw2",
  "eu-west-3": "euw3",
  "eu-central-1": "euc1",
  "eu-central-2": "euc2",
  "eu-north-1": "eun1",
  "eu-south-1": "eus1",
  "eu-south-2": "eus2",
  "ap-southeast-1": "apse1",
  "ap-southeast-2": "apse2",
  "ap-northeast-1": "apne1",
  "ap-northeast-2": "apne2",
  "ap-northeast-3": "apne3",
  "ap-south-1": "aps1",
  "sa-east-1": "sae1",
};

/** The short name of `region`; throws for a region missing from REGION_SHORT_NAMES (lib/regions.ts). */
export function regionShortName(region: string): string {
  const short = REGION_SHORT_NAMES[region];
  if (!short) throw new Error(`no short name for region "${region}": add it to REGION_SHORT_NAMES in lib/regions.ts`);
  return short;
}
