/**
 * What the MySQL and SQLite file tables share: the columns of `webchat_file` and
 * `webchat_upload` and their mapping to {@link StoredFile} and {@link Upload}.
 *
 * @module
 */
import type { StoredFile, Upload } from "./file_table.ts";

/** `webchat_file`'s columns, in the order of {@link fileValues}. */
export const FILE_COLUMNS =
  "id, owner, name, size, mime, md5, storage_key, width, height, thumbnail_key, time";

/** `webchat_upload`'s columns, in the order of {@link uploadValues} (the claim comes apart). */
export const UPLOAD_COLUMNS = "id, owner, name, size, mime, md5, chunk_size, created, touched";

/** A file's values in {@link FILE_COLUMNS} order. */
export function fileValues(f: StoredFile): (string | number | null)[] {
  return [
    f.id,
    f.owner,
    f.name,
    f.size,
    f.mime,
    f.md5,
    f.storageKey,
    f.width,
    f.height,
    f.thumbnailKey,
    f.time,
  ];
}

/** An upload's values in {@link UPLOAD_COLUMNS} order. */
export function uploadValues(u: Upload): (string | number)[] {
  return [u.id, u.owner, u.name, u.size, u.mime, u.md5, u.chunkSize, u.created, u.touched];
}

const utf8 = new TextDecoder();
const text = (v: unknown) => v instanceof Uint8Array ? utf8.decode(v) : String(v);
const intOrNull = (v: unknown) => v === null || v === undefined ? null : Number(v);

/** A row read with {@link FILE_COLUMNS}. */
export function fileFromRow(row: Record<string, unknown>): StoredFile {
  return {
    id: String(row.id),
    owner: String(row.owner),
    name: text(row.name),
    size: Number(row.size),
    mime: String(row.mime),
    md5: String(row.md5),
    storageKey: String(row.storage_key),
    width: intOrNull(row.width),
    height: intOrNull(row.height),
    thumbnailKey: row.thumbnail_key === null ? null : String(row.thumbnail_key),
    time: Number(row.time),
  };
}

/** A row read with {@link UPLOAD_COLUMNS}. */
export function uploadFromRow(row: Record<string, unknown>): Upload {
  return {
    id: String(row.id),
    owner: String(row.owner),
    name: text(row.name),
    size: Number(row.size),
    mime: String(row.mime),
    md5: String(row.md5),
    chunkSize: Number(row.chunk_size),
    created: Number(row.created),
    touched: Number(row.touched),
  };
}

/**
 * The owner's bytes (files and open uploads) plus `?` stay within `?`: the condition of a
 * quota-checked insert, with its values (owner, owner, adding, quota).
 */
export const WITHIN_QUOTA = `(SELECT COALESCE(SUM(size), 0) FROM webchat_file WHERE owner = ?)
  + (SELECT COALESCE(SUM(size), 0) FROM webchat_upload WHERE owner = ?) + ? <= ?`;
