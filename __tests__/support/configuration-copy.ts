import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./app-command";

/** What the app is built from, and the build itself (so a copy pays only for incremental builds). */
const APP_SOURCES = ["main.ts", "lib", "environments", "modules", "stacks", "scripts", "tsconfig.json", "tsconfig.build.json", "cdktf.json", "package.json", "dist"];

/**
 * A copy of the repository, edited the way a person would edit it: `configuration` copies what an
 * environment file needs (environments/, lib/, cdktf.json) for the app to load through
 * `LMA_ENVIRONMENTS_DIR`; `app` copies everything the app is built from, to run the app there.
 * node_modules is linked, never copied.
 */
export class ConfigurationCopy {
  readonly root = mkdtempSync(join(tmpdir(), "lma-copy-"));
  readonly environments = join(this.root, "environments");

  constructor(scope: "configuration" | "app" = "configuration") {
    const entries = scope === "app" ? APP_SOURCES : ["environments", "lib", "cdktf.json"];
    for (const entry of entries.filter((name) => existsSync(join(ROOT, name)))) cpSync(join(ROOT, entry), join(this.root, entry), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(this.root, "node_modules"));
  }

  has(file: string): boolean {
    return existsSync(join(this.root, file));
  }

  read(file: string): string {
    return readFileSync(join(this.root, file), "utf8");
  }

  write(file: string, text: string): void {
    writeFileSync(join(this.root, file), text);
  }

  /** Replaces the first occurrence of `from` in `file`; fails when the file no longer contains it. */
  replace(file: string, from: string | RegExp, to: string): void {
    const text = this.read(file);
    if (typeof from === "string" ? !text.includes(from) : !from.test(text)) throw new Error(`${file} no longer contains ${String(from)}`);
    this.write(file, text.replace(from, to));
  }

  /** cdktf.json's context, as the cdktf CLI passes it to the app. */
  context(): Record<string, unknown> {
    return JSON.parse(this.read("cdktf.json")).context;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
