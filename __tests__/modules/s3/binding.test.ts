import type { IDataStore } from "../../../lib/data-store";
import { SecureBucket } from "../../../modules/s3";
import { exposeBinding, output, policyOf, synthDataStore } from "./data-store-fixture";

describe("SecureBucket.bind (the documents store)", () => {
  const { json, built } = synthDataStore((fixture) => {
    const key = fixture.key("data");
    const store = new SecureBucket(fixture.scope, "documents", { naming: fixture.naming, component: "documents", kmsKey: key });
    const client = fixture.client("document");
    const binding = store.bind(client);
    exposeBinding(fixture, store, client, binding);
    fixture.expose("bucket", store.name);
    fixture.expose("read_write", store.readWriteStatements());
    // Read and read-write of one bucket to one role: distinct Sids where the content differs.
    store.grantRead(client.taskRole);
    return { store, binding };
  });

  it("is the store services name by its component, with no security group (S3 is reached through the gateway endpoint)", () => {
    expect(built.store.storeKind).toBe(built.store.component);
    expect((built.store as IDataStore).connections).toBeUndefined();
  });

  it("tells the client the bucket as <COMPONENT>_BUCKET", () => {
    expect(output(json, "environment")).toEqual({ DOCUMENTS_BUCKET: output(json, "bucket") });
    expect(output(json, "secrets")).toEqual({});
  });

  it("grants read-write (objects and the key through S3) to the task role", () => {
    expect(output(json, "granted")).toEqual(output(json, "read_write"));
    const policy = policyOf(json, "task_role");
    expect(policy).toEqual(expect.arrayContaining(output(json, "read_write")));
  });

  it("a read grant on top adds only its own key statement, whose Sid differs from read-write's", () => {
    const policy = policyOf(json, "task_role");
    const sids = policy.map((statement) => statement.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    expect(policy.length - output(json, "read_write").length).toBe(1);
  });
});
