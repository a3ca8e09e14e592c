/**
 * The JSON Schema of releases.json, generated from `releasesFileSchema` (environments/schema.ts)
 * so editors complete and check the pins. Regenerate after changing the schema:
 * `npx tsx environments/releases-schema.ts` (a test fails while the committed file is stale).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { releasesFileSchema } from "./schema";

export const RELEASES_SCHEMA_FILE = join(__dirname, "releases.schema.json");

export function releasesJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(releasesFileSchema, { io: "input" }), null, 2)}\n`;
}

if (require.main === module) writeFileSync(RELEASES_SCHEMA_FILE, releasesJsonSchemaText());
