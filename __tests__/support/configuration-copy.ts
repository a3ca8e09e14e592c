import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./app-command";

/**
 * A copy of the repository's configuration (environments/, cdktf.json), edited the way a person
 * would edit it, for the app to load through `LMA_ENVIRONMENTS_DIR`. Environment files import
 * lib/ and packages, so lib/ is copied beside it and node_modules linked.
 */
export class ConfigurationCopy {
  readonly root = mkdtempSync(join(tmpdir(), "lma-config-"));
  readonly environments = join(this.root, "environments");

  constructor() {
    for (const entry of ["environments", "lib", "cdktf.json"]) cpSync(join(ROOT, entry), join(this.root, entry), { recursive: true });
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
