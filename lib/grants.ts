import { DefaultTokenResolver, StringConcat, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";
import type { PolicyStatement } from "./iam";

/**
 * The one way permissions move between constructs, in the spirit of aws-cdk-lib's `iam.Grant`:
 * a resource (bucket, database, key, queue…) builds the exact statements a grantee needs and
 * hands them to `Grant.addToPrincipal`; the grantee (an IAM role) owns the policy they land in.
 *
 * Statements merge by `Sid`: granting the same statement twice is a no-op, and the same Sid with
 * different content throws at synthesis (IAM would otherwise keep one and drop the other).
 */
export interface IGrantee extends IConstruct {
  /** The role's name (policies attach by name). */
  readonly roleName: string;
  /** The role's ARN (trust policies, key policies and task definitions name it). */
  readonly roleArn: string;
  /** Adds statements to the grantee's identity policy; see `mergeStatements` for the rules. */
  addToPrincipalPolicy(statements: readonly PolicyStatement[]): void;
}

/** What a grant produced: the grantee and the statements it now has because of this grant. */
export class Grant {
  private constructor(
    readonly grantee: IGrantee,
    readonly statements: readonly PolicyStatement[],
  ) {}

  /** Adds `statements` to `grantee`'s identity policy. Every statement must carry a `Sid`. */
  static addToPrincipal(grantee: IGrantee, statements: readonly PolicyStatement[]): Grant {
    for (const statement of statements) {
      if (!statement.Sid) throw new Error(`a granted statement needs a Sid (granting ${JSON.stringify(statement.Action)} to ${grantee.node.path})`);
    }
    grantee.addToPrincipalPolicy(statements);
    return new Grant(grantee, statements);
  }

  /** Several grants as one (e.g. a database's IAM connect plus its log read). */
  static combine(grantee: IGrantee, grants: readonly Grant[]): Grant {
    return new Grant(
      grantee,
      grants.flatMap((grant) => grant.statements),
    );
  }
}

/** Canonical JSON of a statement (keys sorted) so equal content compares equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * A statement with its tokens resolved to Terraform expressions: each read of a resource attribute
 * is a new token, so two grants naming the same key's ARN only compare equal once resolved.
 */
function resolved(statement: PolicyStatement, scope: IConstruct): unknown {
  return Tokenization.resolve(statement, { scope, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/**
 * Merges `added` into `existing` in place: a statement whose Sid is already present with the
 * same content is skipped; the same Sid with different content throws, naming `owner`. Tokens
 * are compared as the references they resolve to in `scope` (the policy's owner).
 */
export function mergeStatements(existing: PolicyStatement[], added: readonly PolicyStatement[], owner: string, scope?: IConstruct): void {
  const content = (statement: PolicyStatement) => canonical(scope ? resolved(statement, scope) : statement);
  for (const statement of added) {
    const same = statement.Sid === undefined ? undefined : existing.find((candidate) => candidate.Sid === statement.Sid);
    if (!same) {
      existing.push(statement);
      continue;
    }
    if (content(same) !== content(statement)) {
      throw new Error(
        `${owner}: statement Sid "${statement.Sid}" is granted twice with different content:\n  ${content(same)}\n  ${content(statement)}`,
      );
    }
  }
}
