import { SecurityGroup as SecurityGroupResource } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import type { Naming } from "../../lib/naming";

/** A TCP port or range. */
export class Port {
  static tcp(port: number): Port {
    return new Port(port, port);
  }

  static tcpRange(from: number, to: number): Port {
    return new Port(from, to);
  }

  private constructor(
    readonly from: number,
    readonly to: number,
  ) {}

  /** Stable text for construct ids and descriptions: `443` or `5671-5672`. */
  toString(): string {
    return this.from === this.to ? `${this.from}` : `${this.from}-${this.to}`;
  }
}

/** Anything that sits behind a security group and can be allowed to talk to another. */
export interface IConnectable {
  readonly connections: Connections;
}

export interface SecurityGroupProps {
  readonly naming: Naming;
  /** Name suffix: the group is `lma-<environment>-<name>`. */
  readonly name: string;
  readonly description: string;
  readonly vpcId: string;
  /** The port peers reach this group's members on, for `allowDefaultPortFrom`. */
  readonly defaultPort?: Port;
}

/**
 * A security group with no inline rules and nothing open by default, not even egress. Rules are
 * one resource each (`aws_vpc_security_group_*_rule`, with a description), added through
 * `connections`, so modules say who may talk to whom instead of writing CIDR rules.
 */
export class SecurityGroup extends Construct implements IConnectable {
  readonly resource: SecurityGroupResource;
  readonly connections: Connections;

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    this.resource = new SecurityGroupResource(this, "group", {
      name: props.naming.name(props.name),
      description: props.description,
      vpcId: props.vpcId,
      revokeRulesOnDelete: true,
      tags: { Name: props.naming.name(props.name) },
    });
    this.connections = new Connections(this, props.name, props.defaultPort);
  }

  get id(): string {
    return this.resource.id;
  }
}

/** The rules of one security group, in the spirit of aws-cdk-lib's `ec2.Connections`. */
export class Connections {
  constructor(
    private readonly group: SecurityGroup,
    /** Short name of the group, used in rule ids and descriptions. */
    readonly name: string,
    readonly defaultPort?: Port,
  ) {}

  get securityGroupId(): string {
    return this.group.id;
  }

  /** Lets `peer` reach this group on `port`: ingress here, and the matching egress on the peer. */
  allowFrom(peer: IConnectable, port: Port, description?: string): void {
    const text = description ?? `${peer.connections.name} to ${this.name} on ${port}`;
    const id = `from-${peer.connections.name}-${port}`;
    if (this.group.node.tryFindChild(id)) return;
    new VpcSecurityGroupIngressRule(this.group, id, {
      securityGroupId: this.group.id,
      referencedSecurityGroupId: peer.connections.securityGroupId,
      ipProtocol: "tcp",
      fromPort: port.from,
      toPort: port.to,
      description: text,
    });
    peer.connections.addEgress(`to-${this.name}-${port}`, { referencedSecurityGroupId: this.group.id }, port, text);
  }

  /** `allowFrom` on this group's default port. */
  allowDefaultPortFrom(peer: IConnectable, description?: string): void {
    if (!this.defaultPort) throw new Error(`security group ${this.name} has no default port`);
    this.allowFrom(peer, this.defaultPort, description);
  }

  /** Internet ingress. Only internet-facing load balancers should need this. */
  allowFromAnyIpv4(port: Port, description: string): void {
    new VpcSecurityGroupIngressRule(this.group, `from-internet-${port}`, {
      securityGroupId: this.group.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: port.from,
      toPort: port.to,
      description,
    });
  }

  /**
   * Ingress from an AWS-managed prefix list, e.g. CloudFront's origin-facing servers: a load
   * balancer behind CloudFront admits only them, so no client can skip the distribution's web ACL.
   */
  allowFromPrefixList(name: string, prefixListId: string, port: Port, description: string): void {
    new VpcSecurityGroupIngressRule(this.group, `from-${name}-${port}`, {
      securityGroupId: this.group.id,
      prefixListId,
      ipProtocol: "tcp",
      fromPort: port.from,
      toPort: port.to,
      description,
    });
  }

  /** Ingress from a CIDR inside the VPC (e.g. interface endpoints serving every subnet). */
  allowFromCidr(cidr: string, port: Port, description: string): void {
    new VpcSecurityGroupIngressRule(this.group, `from-${cidr.replace(/[./]/g, "-")}-${port}`, {
      securityGroupId: this.group.id,
      cidrIpv4: cidr,
      ipProtocol: "tcp",
      fromPort: port.from,
      toPort: port.to,
      description,
    });
  }

  /** Egress to a CIDR (e.g. HTTPS to the internet through NAT, or to the VPC's endpoints). */
  allowToCidr(cidr: string, port: Port, description: string): void {
    this.addEgress(`to-${cidr.replace(/[./]/g, "-")}-${port}`, { cidrIpv4: cidr }, port, description);
  }

  /** Egress to an AWS-managed prefix list (the S3 and DynamoDB gateway endpoints). */
  allowToPrefixList(name: string, prefixListId: string, port: Port, description: string): void {
    this.addEgress(`to-${name}-${port}`, { prefixListId }, port, description);
  }

  private addEgress(
    id: string,
    destination: { referencedSecurityGroupId?: string; cidrIpv4?: string; prefixListId?: string },
    port: Port,
    description: string,
  ): void {
    if (this.group.node.tryFindChild(id)) return;
    new VpcSecurityGroupEgressRule(this.group, id, {
      securityGroupId: this.group.id,
      ipProtocol: "tcp",
      fromPort: port.from,
      toPort: port.to,
      description,
      ...destination,
    });
  }
}
