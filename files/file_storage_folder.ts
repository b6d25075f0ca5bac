/**
 * Where uploaded files live: `files.dir`, else `files` in the data folder (beside the embedded
 * database, never inside `web/`, so nothing uploaded is ever served as a page or a script).
 *
 * @module
 */
import { join } from "node:path";
import type { ResolvedConfig } from "../config/mod.ts";

/** The storage folder of a configuration. */
export function fileStorageFolder(config: ResolvedConfig): string {
  return config.files.dir ?? join(config.dataDir, "files");
}
