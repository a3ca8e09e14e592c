/**
 * Regions the platform may deploy to. Extend deliberately: each needs its ELB log-delivery account
 * (ALB access logs), a short name in lib/regions.ts (resource names) and, for a region that serves through
 * CloudFront, the id of CloudFront's origin-facing managed prefix list
 * (`com.amazonaws.global.cloudfront.origin-facing`). Prefix list ids are fixed per region, so
 * they are configuration rather than a data source that needs credentials to plan.
 */
export const KNOWN_REGIONS = {
  "us-east-1": { elbAccountId: "127311923021", cloudfrontOriginPrefixListId: "pl-3b927c52" },
  "us-east-2": { elbAccountId: "033677994240", cloudfrontOriginPrefixListId: "pl-b6a144df" },
  "us-west-2": { elbAccountId: "797873946194", cloudfrontOriginPrefixListId: "pl-82a045eb" },
  "eu-west-1": { elbAccountId: "156460612806", cloudfrontOriginPrefixListId: "pl-4fa04526" },
  "eu-west-2": { elbAccountId: "652711504416", cloudfrontOriginPrefixListId: "pl-93a247fa" },
  "eu-central-1": { elbAccountId: "054676820928", cloudfrontOriginPrefixListId: "pl-a3a144ca" },
} as const satisfies Record<string, { elbAccountId: string; cloudfrontOriginPrefixListId?: string }>;

export type AwsRegion = keyof typeof KNOWN_REGIONS;

export const REGION_NAMES = Object.keys(KNOWN_REGIONS) as [AwsRegion, ...AwsRegion[]];
