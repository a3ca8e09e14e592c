import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrReplicationConfiguration } from "@cdktf/provider-aws/lib/ecr-replication-configuration";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";
import type { KmsKey } from "../kms-key";
import { serviceNames } from "./names";

/**
 * ECR's tag wildcard for the platform's release tags (`YYYY.MM.DD-N`, written by the release
 * pipeline and pinned in the release pins, `releases.json`).
 */
export const RELEASE_TAG_PATTERN = "20*.*.*-*";

export interface ImageRepositoryProps {
  /** The environment's naming convention in this region. */
  readonly naming: Naming;
  /** Repository name, e.g. `lma-production/loan`. */
  readonly name: string;
  /** Encrypts the image layers at rest. */
  readonly kmsKey: KmsKey;
  /**
   * Release images kept, newest pushes first (`compute.releaseImagesKept`): at least the number of
   * releases any environment may still pin, since a pinned image must never expire.
   * @default 30
   */
  readonly releaseImagesKept?: number;
  /**
   * Days an untagged image (pushed by digest, or left behind by a deleted tag) is kept after its push.
   * @default 90
   */
  readonly untaggedRetentionDays?: number;
  /** @default RELEASE_TAG_PATTERN */
  readonly releaseTagPattern?: string;
  /**
   * Terraform refuses to destroy the repository (and the images running services pull).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * An ECR repository for one service: immutable tags (a release tag always means the same image),
 * scan on push, KMS encryption, and a lifecycle that never selects by age an image a release can
 * pin: the newest `releaseImagesKept` release-tagged images are kept by count, untagged images
 * expire `untaggedRetentionDays` after their push, and any other tag is never expired by a rule
 * (no ECR selection can say "tagged but not a release" without also selecting releases).
 */
export class ImageRepository extends Construct {
  readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ImageRepositoryProps) {
    super(scope, id);
    const releasesKept = props.releaseImagesKept ?? 30;
    const untaggedDays = props.untaggedRetentionDays ?? 90;
    this.repository = new EcrRepository(this, "repository", {
      name: props.name,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.kmsKey.arn }],
      forceDelete: false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Keep the newest ${releasesKept} release images`,
            selection: {
              tagStatus: "tagged",
              tagPatternList: [props.releaseTagPattern ?? RELEASE_TAG_PATTERN],
              countType: "imageCountMoreThan",
              countNumber: releasesKept,
            },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `Expire untagged images ${untaggedDays} days after their push`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }

  get arn(): string {
    return this.repository.arn;
  }

  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, known at synthesis (no state needed). */
  static uri(naming: Naming, name: string): string {
    return `${naming.accountId}.dkr.ecr.${naming.region}.amazonaws.com/${name}`;
  }
}

export interface RegistryReplicationProps {
  readonly naming: Naming;
  /** Regions that receive a copy of every image pushed under `repositoryPrefix`. */
  readonly destinations: readonly string[];
  /** @default `lma-<environment>` (this environment's repositories only) */
  readonly repositoryPrefix?: string;
}

/**
 * The registry's replication configuration (one per registry and region, so only the primary
 * region's stack declares it): images pushed in the primary are copied to the standby region,
 * where that region's stack owns the namesake repositories (same names, its own KMS key), so
 * the standby runs from local images while the primary region is down.
 */
export class RegistryReplication extends Construct {
  readonly configuration: EcrReplicationConfiguration;

  constructor(scope: Construct, id: string, props: RegistryReplicationProps) {
    super(scope, id);
    this.configuration = new EcrReplicationConfiguration(this, "configuration", {
      replicationConfiguration: {
        rule: [
          {
            destination: props.destinations.map((region) => ({ region, registryId: props.naming.accountId })),
            repositoryFilter: [{ filter: props.repositoryPrefix ?? props.naming.prefix, filterType: "PREFIX_MATCH" }],
          },
        ],
      },
    });
  }
}

export interface ServiceRepositorySettings {
  readonly naming: Naming;
  readonly kmsKey: KmsKey;
  /** @default ImageRepository's */
  readonly untaggedRetentionDays?: number;
  /** @default ImageRepository's */
  readonly releaseImagesKept?: number;
  readonly preventDestroy: boolean;
}

/**
 * A service's image repository at `<platform>/<service>/repository`, the path `ServicePlatform`
 * gives it: a stack that declares repositories before its services (a standby's foundation, which
 * must exist before the primary replicates images into it) gets the same addresses.
 */
export function declareServiceRepository(platform: Construct, service: string, settings: ServiceRepositorySettings): ImageRepository {
  const scope = (platform.node.tryFindChild(service) as Construct | undefined) ?? new Construct(platform, service);
  return new ImageRepository(scope, "repository", {
    naming: settings.naming,
    name: serviceNames(settings.naming, service).repository,
    kmsKey: settings.kmsKey,
    untaggedRetentionDays: settings.untaggedRetentionDays,
    releaseImagesKept: settings.releaseImagesKept,
    preventDestroy: settings.preventDestroy,
  });
}
