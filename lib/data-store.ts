import type { Connections, IConnectable } from "../modules/security-group";
import type { Grant, IGrantee } from "./grants";

/**
 * A client of a data store: one ECS service or Lambda function. `name` is its short name (the
 * database user it connects as, the queue it consumes); the roles are what grants attach to.
 */
export interface DataStoreClient {
  readonly name: string;
  /** The application identity (IAM-authenticated stores grant to it). */
  readonly taskRole: IGrantee;
  /** The identity that injects secrets at start (ECS task execution role); absent for Lambda. */
  readonly executionRole?: IGrantee;
  /** The client's security group; the store admits it on its port. */
  readonly connectable?: IConnectable;
}

/** What a bound client needs to know: plain endpoints, and secrets injected by reference. */
export interface DataStoreBinding {
  /** Environment variables (endpoints, names; never secret values). */
  readonly environment: Readonly<Record<string, string>>;
  /** Environment variable → Secrets Manager ARN (or `arn:…:json-key::` reference), injected at start. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The IAM grants the binding made. */
  readonly grants: readonly Grant[];
}

/**
 * The contract every data store (database, cache, search domain, broker, documents bucket)
 * implements, so a service's `uses` is wired in one loop: `bind` opens the network path
 * (`connections`, when the store lives in the VPC), grants what the client may do (IAM, or read of
 * the secret where the engine has no IAM auth) and returns what the client needs to know.
 */
export interface IDataStore {
  /** The store's kind as services name it in `uses`, e.g. `database`. */
  readonly storeKind: string;
  /** The store's security group; undefined for stores reached through a VPC endpoint (S3). */
  readonly connections?: Connections;
  bind(client: DataStoreClient): DataStoreBinding;
}
