/**
 * {@link FileTable} on the embedded database: the same three tables as MySQL's
 * (`webchat_file`, `webchat_upload`, `webchat_file_chat`), STRICT, created when missing by
 * {@link SqliteFileTable.ensureSchema}. SQLite has one writer at a time, so the quota check
 * inside the insert is atomic as it is.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { immediate, settle } from "../store/sqlite_db.ts";
import type {
  FileSend,
  FileTable,
  StartRefusal,
  StoredFile,
  Upload,
  UploadLimits,
} from "./file_table.ts";
import {
  FILE_COLUMNS,
  fileFromRow,
  fileValues,
  UPLOAD_COLUMNS,
  uploadFromRow,
  uploadValues,
  WITHIN_QUOTA,
} from "./file_table_sql.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webchat_file (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  mime TEXT NOT NULL,
  md5 TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  width INTEGER,
  height INTEGER,
  thumbnail_key TEXT,
  time INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS webchat_file_content ON webchat_file (md5, size);
CREATE INDEX IF NOT EXISTS webchat_file_owner ON webchat_file (owner);
CREATE TABLE IF NOT EXISTS webchat_upload (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  mime TEXT NOT NULL,
  md5 TEXT NOT NULL,
  chunk_size INTEGER NOT NULL,
  claimed_until INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  touched INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS webchat_upload_owner ON webchat_upload (owner);
CREATE INDEX IF NOT EXISTS webchat_upload_touched ON webchat_upload (touched);
CREATE TABLE IF NOT EXISTS webchat_file_chat (
  file_id TEXT NOT NULL,
  chatid TEXT NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (file_id, chatid)
) STRICT;
`;

/** Files in SQLite. Call {@link SqliteFileTable.ensureSchema} once per database file. */
export class SqliteFileTable implements FileTable {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Creates the three tables when missing. */
  ensureSchema(): void {
    immediate(this.#db, () => this.#db.exec(SCHEMA));
  }

  startUpload(upload: Upload, limits: UploadLimits): Promise<StartRefusal | null> {
    return settle(() => {
      const result = this.#db.prepare(
        `INSERT INTO webchat_upload (${UPLOAD_COLUMNS})
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
         WHERE ${WITHIN_QUOTA} AND (SELECT COUNT(*) FROM webchat_upload WHERE owner = ?) < ?`,
      ).run(
        ...uploadValues(upload),
        upload.owner,
        upload.owner,
        upload.size,
        limits.quotaBytes,
        upload.owner,
        limits.maxOpen,
      );
      if (Number(result.changes) === 1) return null;
      const row = this.#db.prepare(`SELECT COUNT(*) AS n FROM webchat_upload WHERE owner = ?`)
        .get(upload.owner);
      return Number(row?.n) >= limits.maxOpen ? "too_many" : "over_quota";
    });
  }

  findUpload(id: string): Promise<Upload | null> {
    return settle(() => {
      const row = this.#db.prepare(`SELECT ${UPLOAD_COLUMNS} FROM webchat_upload WHERE id = ?`)
        .get(id);
      return row ? uploadFromRow(row) : null;
    });
  }

  findResumable(owner: string, name: string, size: number, md5: string) {
    return settle(() => {
      const row = this.#db.prepare(
        `SELECT ${UPLOAD_COLUMNS} FROM webchat_upload
         WHERE owner = ? AND size = ? AND md5 = ? AND name = ? ORDER BY created DESC LIMIT 1`,
      ).get(owner, size, md5, name);
      return row ? uploadFromRow(row) : null;
    });
  }

  touchUpload(id: string, time: number): Promise<boolean> {
    return settle(() =>
      Number(
        this.#db.prepare(`UPDATE webchat_upload SET touched = ? WHERE id = ?`).run(time, id)
          .changes,
      ) === 1
    );
  }

  claimUpload(id: string, now: number, until: number): Promise<boolean> {
    return settle(() => {
      const result = this.#db.prepare(
        `UPDATE webchat_upload SET claimed_until = ? WHERE id = ? AND claimed_until <= ?`,
      ).run(until, id, now);
      return Number(result.changes) === 1;
    });
  }

  releaseUpload(id: string): Promise<void> {
    return settle(() => {
      this.#db.prepare(`UPDATE webchat_upload SET claimed_until = 0 WHERE id = ?`).run(id);
    });
  }

  finishUpload(uploadId: string, file: StoredFile): Promise<void> {
    return settle(() =>
      immediate(this.#db, () => {
        this.#db.prepare(
          `INSERT INTO webchat_file (${FILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(...fileValues(file));
        this.#db.prepare(`DELETE FROM webchat_upload WHERE id = ?`).run(uploadId);
      })
    );
  }

  dropUpload(id: string): Promise<void> {
    return settle(() => {
      this.#db.prepare(`DELETE FROM webchat_upload WHERE id = ?`).run(id);
    });
  }

  staleUploads(before: number, limit: number): Promise<Upload[]> {
    return settle(() =>
      this.#db.prepare(
        `SELECT ${UPLOAD_COLUMNS} FROM webchat_upload WHERE touched < ? ORDER BY touched LIMIT ?`,
      ).all(before, limit).map(uploadFromRow)
    );
  }

  addFile(file: StoredFile, quotaBytes: number): Promise<boolean> {
    return settle(() => {
      const result = this.#db.prepare(
        `INSERT INTO webchat_file (${FILE_COLUMNS})
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${WITHIN_QUOTA}`,
      ).run(...fileValues(file), file.owner, file.owner, file.size, quotaBytes);
      return Number(result.changes) === 1;
    });
  }

  findFile(id: string): Promise<StoredFile | null> {
    return settle(() => {
      const row = this.#db.prepare(`SELECT ${FILE_COLUMNS} FROM webchat_file WHERE id = ?`)
        .get(id);
      return row ? fileFromRow(row) : null;
    });
  }

  findFiles(ids: string[]): Promise<Map<string, StoredFile>> {
    return settle(() => {
      const found = new Map<string, StoredFile>();
      const wanted = [...new Set(ids)];
      if (wanted.length === 0) return found;
      // The whole list as one bound value (json_each): no SQL built from input.
      const rows = this.#db.prepare(
        `SELECT ${FILE_COLUMNS} FROM webchat_file WHERE id IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify(wanted));
      for (const row of rows) found.set(String(row.id), fileFromRow(row));
      return found;
    });
  }

  filesWithContent(md5: string, size: number, limit: number): Promise<StoredFile[]> {
    return settle(() =>
      this.#db.prepare(
        `SELECT ${FILE_COLUMNS} FROM webchat_file WHERE md5 = ? AND size = ?
         ORDER BY time DESC, id LIMIT ?`,
      ).all(md5, size, limit).map(fileFromRow)
    );
  }

  recordSend(fileId: string, chatid: string, time: number): Promise<void> {
    return settle(() => {
      this.#db.prepare(
        `INSERT INTO webchat_file_chat (file_id, chatid, time) VALUES (?, ?, ?)
         ON CONFLICT (file_id, chatid) DO NOTHING`,
      ).run(fileId, chatid, time);
    });
  }

  chatsOf(fileId: string, limit: number): Promise<FileSend[]> {
    return settle(() =>
      this.#db.prepare(
        `SELECT chatid, time FROM webchat_file_chat WHERE file_id = ? ORDER BY time, chatid LIMIT ?`,
      ).all(fileId, limit).map((row) => ({ chatid: String(row.chatid), time: Number(row.time) }))
    );
  }
}
