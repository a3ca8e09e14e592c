import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { type TerraformProvider, TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import { tagComponent } from "../../lib/tags";

export interface DnsValidatedCertificateProps {
  /** The certificate's main name, e.g. `api.lma.example.com`. */
  readonly domainName: string;
  /** @default none */
  readonly subjectAlternativeNames?: readonly string[];
  /** The public hosted zone that holds the validation records (the environment's `dns.hostedZoneId`). */
  readonly hostedZoneId: string;
  /**
   * Where the certificate lives: CloudFront only accepts certificates from us-east-1, so a stack
   * in another region passes its us-east-1 provider. Route 53 is global and uses the stack's.
   * @default the stack's default provider
   */
  readonly provider?: TerraformProvider;
}

/**
 * A public ACM certificate validated through DNS records in the environment's hosted zone, so it
 * renews itself as long as the records stay. The validation resource waits for issuance; listeners
 * and distributions take `certificateArn` from it and so never get an unissued certificate.
 *
 * Both regions of an environment ask for a certificate of the same API name, and ACM asks for the
 * same validation record for the same name in one account, so the record is written with
 * `allow_overwrite`: either stack can (re)create it, neither fails on the other's copy.
 */
export class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly validation: AcmCertificateValidation;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    tagComponent(this, "edge");
    this.certificate = new AcmCertificate(this, "certificate", {
      provider: props.provider,
      domainName: props.domainName,
      subjectAlternativeNames: props.subjectAlternativeNames?.length ? [...props.subjectAlternativeNames] : undefined,
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      options: { certificateTransparencyLoggingPreference: "ENABLED" },
      // A replacement must be issued before the listener lets go of the old one.
      lifecycle: { createBeforeDestroy: true },
    });
    // One record per name; the names are known at plan time, so the for_each keys are too.
    const options = TerraformIterator.fromComplexList(this.certificate.domainValidationOptions, "domain_name");
    const records = new Route53Record(this, "validation-record", {
      forEach: options,
      zoneId: props.hostedZoneId,
      name: options.getString("resource_record_name"),
      type: options.getString("resource_record_type"),
      records: [options.getString("resource_record_value")],
      ttl: 300,
      allowOverwrite: true,
    });
    this.validation = new AcmCertificateValidation(this, "validation", {
      provider: props.provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(records).pluckProperty("fqdn")),
    });
  }

  /** The ARN of the issued certificate (known only once validation has completed). */
  get certificateArn(): string {
    return this.validation.certificateArn;
  }
}
