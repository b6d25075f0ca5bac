/**
 * {@link FileTable} on MySQL/MariaDB: `webchat_file` (one row per file), `webchat_upload` (one
 * row per upload under way) and `webchat_file_chat` (which chats a file was sent into). InnoDB,
 * utf8mb4; created when missing by {@link MysqlFileTable.ensureSchema}.
 *
 * The quota check is part of the insert (`INSERT … SELECT … WHERE <within quota>`): InnoDB
 * locks the owner's rows it sums, so two starts of one account at once are serialised (one of
 * them may be chosen as a deadlock victim; it is retried) and cannot pass the quota together.
 *
 * @module
 */
import type { ResultSetHeader, RowDataPacket } from "mysql2/promise";
import type { MysqlPool } from "../store/mysql_pool.ts";
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

/** The tables, for `ensureSchema` and for operators (see the README). */
export const FILE_TABLES_MYSQL = [
  `CREATE TABLE IF NOT EXISTS webchat_file (
    id char(32) NOT NULL,
    owner varchar(40) NOT NULL,
    name varchar(255) NOT NULL,
    size bigint unsigned NOT NULL,
    mime varchar(127) NOT NULL,
    md5 char(32) NOT NULL,
    storage_key varchar(100) NOT NULL,
    width int unsigned NULL,
    height int unsigned NULL,
    thumbnail_key varchar(100) NULL,
    time int unsigned NOT NULL,
    PRIMARY KEY (id),
    KEY webchat_file_content (md5, size),
    KEY webchat_file_owner (owner)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE IF NOT EXISTS webchat_upload (
    id char(32) NOT NULL,
    owner varchar(40) NOT NULL,
    name varchar(255) NOT NULL,
    size bigint unsigned NOT NULL,
    mime varchar(127) NOT NULL,
    md5 char(32) NOT NULL,
    chunk_size int unsigned NOT NULL,
    claimed_until int unsigned NOT NULL DEFAULT 0,
    created int unsigned NOT NULL,
    touched int unsigned NOT NULL,
    PRIMARY KEY (id),
    KEY webchat_upload_owner (owner),
    KEY webchat_upload_touched (touched)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE IF NOT EXISTS webchat_file_chat (
    file_id char(32) NOT NULL,
    chatid varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    time int unsigned NOT NULL,
    PRIMARY KEY (file_id, chatid)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
];

/** Tries a statement again when InnoDB chose it as a deadlock victim (a quota race). */
async function retryDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== "ER_LOCK_DEADLOCK" && code !== "ER_LOCK_WAIT_TIMEOUT")) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * Math.random()));
    }
  }
}

/** Files in MySQL. Call {@link MysqlFileTable.ensureSchema} once before use. */
export class MysqlFileTable implements FileTable {
  readonly #pool: MysqlPool;

  constructor(pool: MysqlPool) {
    this.#pool = pool;
  }

  /** Creates the three tables when missing. */
  async ensureSchema(): Promise<void> {
    for (const sql of FILE_TABLES_MYSQL) await this.#pool.query(sql);
  }

  async startUpload(upload: Upload, limits: UploadLimits): Promise<StartRefusal | null> {
    const [result] = await retryDeadlock(() =>
      this.#pool.execute<ResultSetHeader>(
        `INSERT INTO webchat_upload (${UPLOAD_COLUMNS})
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? FROM DUAL
         WHERE ${WITHIN_QUOTA} AND (SELECT COUNT(*) FROM webchat_upload WHERE owner = ?) < ?`,
        [
          ...uploadValues(upload),
          upload.owner,
          upload.owner,
          upload.size,
          limits.quotaBytes,
          upload.owner,
          limits.maxOpen,
        ],
      )
    );
    if (result.affectedRows === 1) return null;
    const [[row]] = await this.#pool.execute<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM webchat_upload WHERE owner = ?`,
      [upload.owner],
    );
    return Number(row.n) >= limits.maxOpen ? "too_many" : "over_quota";
  }

  async findUpload(id: string): Promise<Upload | null> {
    const [rows] = await this.#pool.execute<RowDataPacket[]>(
      `SELECT ${UPLOAD_COLUMNS} FROM webchat_upload WHERE id = ?`,
      [id],
    );
    return rows[0] ? uploadFromRow(rows[0]) : null;
  }

  async findResumable(owner: string, name: string, size: number, md5: string) {
    const [rows] = await this.#pool.execute<RowDataPacket[]>(
      `SELECT ${UPLOAD_COLUMNS} FROM webchat_upload
       WHERE owner = ? AND size = ? AND md5 = ? AND name = ? ORDER BY created DESC LIMIT 5`,
      [owner, size, md5, name],
    );
    // MySQL compares names case- and accent-insensitively; resume only the exact same name.
    const row = rows.find((r) => uploadFromRow(r).name === name && r.owner === owner);
    return row ? uploadFromRow(row) : null;
  }

  async touchUpload(id: string, time: number): Promise<boolean> {
    const [result] = await this.#pool.execute<ResultSetHeader>(
      `UPDATE webchat_upload SET touched = ? WHERE id = ?`,
      [time, id],
    );
    // affectedRows counts changed rows: a second touch in the same second changes none. The
    // server's summary ("Rows matched: 1  Changed: 0") says whether the row is there.
    const matched = /Rows matched: (\d+)/.exec(result.info ?? "");
    return matched ? Number(matched[1]) === 1 : result.affectedRows === 1;
  }

  async claimUpload(id: string, now: number, until: number): Promise<boolean> {
    const [result] = await this.#pool.execute<ResultSetHeader>(
      `UPDATE webchat_upload SET claimed_until = ? WHERE id = ? AND claimed_until <= ?`,
      [until, id, now],
    );
    return result.affectedRows === 1;
  }

  async releaseUpload(id: string): Promise<void> {
    await this.#pool.execute(`UPDATE webchat_upload SET claimed_until = 0 WHERE id = ?`, [id]);
  }

  async finishUpload(uploadId: string, file: StoredFile): Promise<void> {
    const connection = await this.#pool.getConnection();
    try {
      await connection.beginTransaction();
      await connection.execute(
        `INSERT INTO webchat_file (${FILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        fileValues(file),
      );
      await connection.execute(`DELETE FROM webchat_upload WHERE id = ?`, [uploadId]);
      await connection.commit();
    } catch (error) {
      await connection.rollback().catch(() => {});
      throw error;
    } finally {
      connection.release();
    }
  }

  async dropUpload(id: string): Promise<void> {
    await this.#pool.execute(`DELETE FROM webchat_upload WHERE id = ?`, [id]);
  }

  async staleUploads(before: number, limit: number): Promise<Upload[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT ${UPLOAD_COLUMNS} FROM webchat_upload WHERE touched < ? ORDER BY touched LIMIT ?`,
      [before, limit],
    );
    return rows.map(uploadFromRow);
  }

  async addFile(file: StoredFile, quotaBytes: number): Promise<boolean> {
    const [result] = await retryDeadlock(() =>
      this.#pool.execute<ResultSetHeader>(
        `INSERT INTO webchat_file (${FILE_COLUMNS})
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM DUAL WHERE ${WITHIN_QUOTA}`,
        [...fileValues(file), file.owner, file.owner, file.size, quotaBytes],
      )
    );
    return result.affectedRows === 1;
  }

  async findFile(id: string): Promise<StoredFile | null> {
    const [rows] = await this.#pool.execute<RowDataPacket[]>(
      `SELECT ${FILE_COLUMNS} FROM webchat_file WHERE id = ?`,
      [id],
    );
    return rows[0] ? fileFromRow(rows[0]) : null;
  }

  async findFiles(ids: string[]): Promise<Map<string, StoredFile>> {
    const wanted = [...new Set(ids)];
    const found = new Map<string, StoredFile>();
    if (wanted.length === 0) return found;
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT ${FILE_COLUMNS} FROM webchat_file WHERE id IN (?)`,
      [wanted],
    );
    for (const row of rows) found.set(String(row.id), fileFromRow(row));
    return found;
  }

  async filesWithContent(md5: string, size: number, limit: number): Promise<StoredFile[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT ${FILE_COLUMNS} FROM webchat_file WHERE md5 = ? AND size = ?
       ORDER BY time DESC, id LIMIT ?`,
      [md5, size, limit],
    );
    return rows.map(fileFromRow);
  }

  async recordSend(fileId: string, chatid: string, time: number): Promise<void> {
    await this.#pool.execute(
      `INSERT IGNORE INTO webchat_file_chat (file_id, chatid, time) VALUES (?, ?, ?)`,
      [fileId, chatid, time],
    );
  }

  async chatsOf(fileId: string, limit: number): Promise<FileSend[]> {
    const [rows] = await this.#pool.query<RowDataPacket[]>(
      `SELECT chatid, time FROM webchat_file_chat WHERE file_id = ? ORDER BY time, chatid LIMIT ?`,
      [fileId, limit],
    );
    return rows.map((row) => ({ chatid: String(row.chatid), time: Number(row.time) }));
  }
}
