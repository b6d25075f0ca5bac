/**
 * The copiers of what the files issue added: the records of stored files (`webchat_file`), the
 * chats each was sent into (`webchat_file_chat`, which decide who may download it), and the
 * bytes. Records are copied row for row (a record the target has is left as it is); the bytes
 * stay where they are unless `--to-files DIR` names the production servers' folder, where the
 * files and thumbnails the records name are copied (an object the target has already, with
 * the same size, is skipped; the target's writes are atomic, so a copy cut short leaves no
 * half file). Unfinished uploads are not copied: their uploaders send them again.
 *
 * @module
 */
import { resolve } from "node:path";
import { LocalFileStorage } from "../files/file_storage_local.ts";
import { FILE_COLUMNS, fileFromRow, fileValues } from "../files/file_table_sql.ts";
import type { StoredFile } from "../files/file_table.ts";
import { hasTable, PAGE, plural, rowsOf, type TableCopier } from "./table_copier.ts";

const READ_FILES = `SELECT id, owner, CAST(name AS BLOB) AS name, size, mime, md5, storage_key,
    width, height, thumbnail_key, time FROM webchat_file WHERE id > ? ORDER BY id LIMIT ?`;

/** What happened to the bytes of one page of files. */
interface BytesCopied {
  copied: number;
  there: number;
  /** Keys the source folder does not have (their records answer 404 there too). */
  missing: string[];
  /** Keys the target has with another size: left as they are. */
  differ: string[];
}

/** The size of the object `key` (a checked storage key) under `root`, or null when none. */
async function sizeOf(root: string, key: string): Promise<number | null> {
  try {
    return (await Deno.stat(`${root}/${key}`)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Copies (or, without a target folder, checks) the objects the files name. */
async function copyBytes(
  files: StoredFile[],
  from: LocalFileStorage,
  to: LocalFileStorage | null,
  done: BytesCopied,
): Promise<void> {
  const keys = new Set(files.flatMap((f) =>
    f.thumbnailKey ? [f.storageKey, f.thumbnailKey] : [
      f.storageKey,
    ]
  ));
  for (const key of keys) {
    let object;
    try {
      object = await from.get(key);
    } catch (error) {
      // A record whose key is no storage key (a damaged row) names nothing to copy.
      if (!(error instanceof TypeError)) throw error;
      object = null;
    }
    if (!object) {
      done.missing.push(key);
      continue;
    }
    if (!to) {
      await object.body.cancel();
      continue;
    }
    const there = await sizeOf(to.root, key);
    if (there !== null) {
      await object.body.cancel();
      if (there === object.size) done.there++;
      else done.differ.push(key);
      continue;
    }
    // Exclusive: a server already writing into the target keeps its own copy.
    const put = await to.put(key, object.body, {
      maxBytes: object.size,
      minBytes: object.size,
      exclusive: true,
    });
    if (put.stored) done.copied++;
    else done.there++;
  }
}

const files: TableCopier = {
  name: "files",
  count: (db) => rowsOf(db, "webchat_file"),
  async copy(db, to, progress) {
    await to.files.ensureSchema();
    if (!hasTable(db, "webchat_file")) return "files: none (this installation has no file table)";
    const read = db.prepare(READ_FILES);
    const target = to.filesTo && resolve(to.filesTo) !== resolve(to.filesFrom)
      ? new LocalFileStorage(to.filesTo)
      : null;
    let source: LocalFileStorage | null = null;
    const bytes: BytesCopied = { copied: 0, there: 0, missing: [], differ: [] };
    let copied = 0, there = 0, after = "";
    while (true) {
      const page = read.all(after, PAGE).map(fileFromRow);
      if (page.length === 0) break;
      after = page.at(-1)!.id;
      const [found] = await to.pool.query("SELECT id FROM webchat_file WHERE id IN (?)", [
        page.map((f) => f.id),
      ]);
      const taken = new Set((found as { id: string }[]).map((row) => row.id));
      const fresh = page.filter((f) => !taken.has(f.id));
      if (fresh.length > 0) {
        await to.pool.query(`INSERT INTO webchat_file (${FILE_COLUMNS}) VALUES ?`, [
          fresh.map(fileValues),
        ]);
      }
      copied += fresh.length;
      there += page.length - fresh.length;
      source ??= new LocalFileStorage(to.filesFrom);
      await copyBytes(page, source, target, bytes);
      progress(page.length);
    }
    const records = `files: ${copied} records copied, ${there} there already`;
    const where = target
      ? `; bytes copied to ${target.root}: ${bytes.copied} new, ${bytes.there} there already`
      : `; their bytes stay in ${resolve(to.filesFrom)} (start the servers with that files.dir, ` +
        "or copy its files/ and thumbnails/ where files.dir points, or run again with --to-files)";
    const missing = bytes.missing.length
      ? `; ${plural(bytes.missing.length, "object")} missing in ${resolve(to.filesFrom)} ` +
        `already (${bytes.missing.slice(0, 3).join(", ")}${bytes.missing.length > 3 ? " …" : ""})`
      : "";
    const differ = bytes.differ.length
      ? `; ${plural(bytes.differ.length, "object")} of another size in the target left as ` +
        `they are (${bytes.differ.slice(0, 3).join(", ")})`
      : "";
    return records + where + missing + differ;
  },
};

const sends: TableCopier = {
  name: "file sends",
  count: (db) => rowsOf(db, "webchat_file_chat"),
  async copy(db, to, progress) {
    if (!hasTable(db, "webchat_file_chat")) return "file sends: none";
    const read = db.prepare(
      `SELECT rowid, file_id, chatid, time FROM webchat_file_chat WHERE rowid > ?
        ORDER BY rowid LIMIT ?`,
    );
    let added = 0, rows = 0, after = 0;
    while (true) {
      const page = read.all(after, PAGE);
      if (page.length === 0) break;
      after = Number(page.at(-1)!.rowid);
      // IGNORE: a send the target has (its primary key) is skipped and not counted.
      const [result] = await to.pool.query(
        "INSERT IGNORE INTO webchat_file_chat (file_id, chatid, time) VALUES ?",
        [page.map((row) => [String(row.file_id), String(row.chatid), Number(row.time)])],
      );
      added += Number((result as { affectedRows: number }).affectedRows);
      rows += page.length;
      progress(page.length);
    }
    return `file sends: ${added} copied (who may download what), ${rows - added} there already`;
  },
};

/** Records before the chats they were sent into. */
export const fileCopiers: TableCopier[] = [files, sends];
