import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareOutputs, formatComparison } from "../../tooling/compare-synth";

/** A cdktf output directory holding the given stacks, as `cdktf synth` lays it out. */
function outputWith(stacks: Record<string, unknown>): string {
  const outdir = mkdtempSync(join(tmpdir(), "lma-compare-test-"));
  const manifest: Record<string, { name: string; synthesizedStackPath: string }> = {};
  for (const [name, json] of Object.entries(stacks)) {
    mkdirSync(join(outdir, "stacks", name), { recursive: true });
    writeFileSync(join(outdir, "stacks", name, "cdk.tf.json"), JSON.stringify(json));
    manifest[name] = { name, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(join(outdir, "manifest.json"), JSON.stringify({ stacks: manifest }));
  return outdir;
}

const before = outputWith({
  kept: {
    terraform: { backend: { s3: { bucket: "state" } } },
    provider: { aws: [{ region: "us-east-1" }, { region: "eu-west-1", alias: "eu-west-1" }] },
    resource: {
      aws_s3_bucket: { logs: { bucket: "logs", "//": { metadata: { path: "old/path" } } }, gone: { bucket: "gone" } },
      aws_s3_bucket_versioning: { logs: { versioning_configuration: [{ status: "Enabled" }] } },
    },
  },
  dropped: { resource: {} },
});
const after = outputWith({
  kept: {
    terraform: { backend: { s3: { bucket: "state" } } },
    provider: { aws: [{ region: "us-east-1" }, { region: "eu-west-1", alias: "eu-west-1" }] },
    resource: {
      aws_s3_bucket: { logs: { bucket: "logs", "//": { metadata: { path: "new/path" } } }, added: { bucket: "added" } },
      aws_s3_bucket_versioning: { logs: { versioning_configuration: [{ status: "Suspended" }] } },
    },
  },
  new: { resource: {} },
});

afterAll(() => {
  for (const dir of [before, after]) rmSync(dir, { recursive: true, force: true });
});

it("lists stacks and blocks added and removed, and changed attributes by path", () => {
  expect(compareOutputs(before, after)).toEqual({
    addedStacks: ["new"],
    removedStacks: ["dropped"],
    stacks: [
      {
        stack: "kept",
        added: ["aws_s3_bucket.added"],
        removed: ["aws_s3_bucket.gone"],
        changed: [
          { address: "aws_s3_bucket_versioning.logs", attributes: [{ attribute: "versioning_configuration[0].status", before: '"Enabled"', after: '"Suspended"' }] },
        ],
      },
    ],
  });
});

it("ignores cdktf's construct-path metadata unless asked", () => {
  const withMetadata = compareOutputs(before, after, { metadata: true }).stacks[0]!.changed.map((change) => change.address);
  expect(withMetadata).toContain("aws_s3_bucket.logs");
  expect(formatComparison(compareOutputs(before, after))).toContain("~ aws_s3_bucket_versioning.logs");
});

it("finds no difference between a synthesis and itself", () => {
  expect(formatComparison(compareOutputs(process.env.LMA_SYNTH_OUT!, process.env.LMA_SYNTH_OUT!))).toBe("no differences");
});

it("follows a JSON document inside a string, such as an IAM policy", () => {
  const policy = (action: string) => JSON.stringify({ Statement: [{ Sid: "Read", Action: action }] });
  const old = outputWith({ stack: { resource: { aws_iam_policy: { read: { policy: policy("s3:GetObject") } } } } });
  const now = outputWith({ stack: { resource: { aws_iam_policy: { read: { policy: policy("s3:*") } } } } });
  expect(compareOutputs(old, now).stacks[0]!.changed).toEqual([
    { address: "aws_iam_policy.read", attributes: [{ attribute: "policy:Statement[0].Action", before: '"s3:GetObject"', after: '"s3:*"' }] },
  ]);
  for (const dir of [old, now]) rmSync(dir, { recursive: true, force: true });
});
