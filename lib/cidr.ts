/** IPv4 CIDR arithmetic, done at synthesis so the plan is validated before Terraform runs. */

export interface Cidr {
  readonly network: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined for anything malformed or not on its network boundary. */
export function parseCidr(text: string): Cidr | undefined {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const network = address - (address % blockSize(prefix));
  return network === address ? { network, prefix } : undefined;
}

export function formatCidr({ network, prefix }: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.network >= outer.network &&
    inner.network + blockSize(inner.prefix) <= outer.network + blockSize(outer.prefix)
  );
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network < b.network + blockSize(b.prefix) && b.network < a.network + blockSize(a.prefix);
}

/** Terraform's `cidrsubnet(base, newbits, netnum)`. */
export function cidrSubnet(base: string, newBits: number, netNum: number): string {
  const parsed = parseCidr(base);
  if (!parsed) throw new Error(`cidrSubnet: "${base}" is not a valid IPv4 CIDR`);
  const prefix = parsed.prefix + newBits;
  if (prefix > 32 || netNum < 0 || netNum >= 2 ** newBits) {
    throw new Error(`cidrSubnet: ${netNum} does not fit in ${newBits} new bits of ${base}`);
  }
  return formatCidr({ network: parsed.network + netNum * blockSize(prefix), prefix });
}
