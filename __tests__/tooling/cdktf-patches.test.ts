import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { CDKTF_VERSION_CHECKED } from "../../lib/fast-synth";
import { synthesizedStackNames, undeclaredReferences } from "../../tooling/stack-json";
import { type AppRun, ROOT, runAppCommand } from "../support/app-command";
import { stackJson, stackNames } from "../support/synth";

/**
 * lib/fast-synth.ts and `AwsStack.prepareStack` bypass cdktf internals for speed. They are safe
 * only as long as they change no byte of the output and no stack refers to another; both are
 * proven here, against the cdktf release they were checked with.
 */
const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

describe("the cdktf release", () => {
  it("is pinned exactly, installed as pinned, and is the one the bypasses were checked against", () => {
    expect(packageJson.dependencies.cdktf).toBe(CDKTF_VERSION_CHECKED);
    expect(packageJson.devDependencies["cdktf-cli"]).toBe(CDKTF_VERSION_CHECKED);
    expect(require("cdktf/package.json").version).toBe(CDKTF_VERSION_CHECKED);
  });
});

describe("synthesis without the bypasses (LMA_CDKTF_PATCHES=off)", () => {
  let run: AppRun;
  beforeAll(async () => {
    run = await runAppCommand({ LMA_CDKTF_PATCHES: "off" });
  }, 180_000);
  afterAll(() => rmSync(join(run.outdir, ".."), { recursive: true, force: true }));

  it("writes the same stacks, byte for byte, as the app with them", () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(synthesizedStackNames(run.outdir)).toEqual(stackNames());
    for (const name of stackNames()) {
      const unpatched = readFileSync(join(run.outdir, "stacks", name, "cdk.tf.json"));
      const patched = readFileSync(join(process.env.LMA_SYNTH_OUT!, "stacks", name, "cdk.tf.json"));
      expect({ name, identical: unpatched.equals(patched) }).toEqual({ name, identical: true });
    }
  });
});

describe("references within a stack", () => {
  it.each(stackNames())("%s refers only to what it declares", (name) => {
    expect(undeclaredReferences(stackJson(name))).toEqual([]);
  });

  it("a reference to another stack, left unresolved when the prepare pass is skipped, is found", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "lma-cross-stack-")), stackTraces: false });
    const producer = new TerraformStack(app, "producer");
    const consumer = new TerraformStack(app, "consumer");
    consumer.prepareStack = () => undefined; // what AwsStack does
    const bucket = new S3Bucket(producer, "documents", { bucket: "documents" });
    new S3BucketVersioningA(consumer, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    const json = JSON.parse(JSON.stringify(consumer.toTerraform()));
    expect(undeclaredReferences(json)).toEqual(["resource.aws_s3_bucket_versioning.versioning.bucket: aws_s3_bucket.documents.id"]);
  });

  it("reads variables, locals, data sources and escaped IAM variables correctly", () => {
    const json = {
      terraform: {},
      variable: { size: {} },
      locals: { prefix: "lma" },
      data: { aws_region: { current: {} } },
      resource: {
        aws_kms_key: { key: { description: "${local.prefix}-${var.size}-${data.aws_region.current.name}" } },
        aws_iam_policy: { mfa: { policy: '{"Resource":"arn:aws:iam::1:user/$${aws:username}"}', name: '${replace("a.b", ".", "-")}' } },
        aws_s3_bucket: { logs: { bucket: "${aws_kms_key.key.arn}-${data.aws_region.other.name}-${var.missing}" } },
      },
    };
    expect(undeclaredReferences(json)).toEqual([
      "resource.aws_s3_bucket.logs.bucket: data.aws_region.other",
      "resource.aws_s3_bucket.logs.bucket: var.missing",
    ]);
  });
});
