/**
 * The file table port: the record of every stored file (who uploaded it, its name, size, type,
 * md5 and where its bytes are), the uploads still under way, and the chats each file was sent
 * into (which decide who may download it). MySQL (`file_table_mysql.ts`) and SQLite
 * (`file_table_sqlite.ts`) implement it; `file_table_contract.ts` is the contract.
 *
 * Contract: `startUpload` and `addFile` check the owner's quota and count of open uploads in
 * the same atomic step as the insert, so parallel starts cannot pass the quota together;
 * `claimUpload` gives an upload to one assembly at a time; `finishUpload` records the file and
 * removes the upload together.
 *
 * @module
 */

/** A stored file. */
export interface StoredFile {
  /** Server-chosen, 32 hex digits. */
  id: string;
  /** The uploader's accountid. */
  owner: string;
  /** The name people see (see `file_name.ts`); never part of a path. */
  name: string;
  size: number;
  /** The type served: the content's for images, the declared one (cleaned) otherwise. */
  mime: string;
  /** 32 lower-case hex digits. */
  md5: string;
  /** Where the bytes are (a {@link FileStorage} key); files with the same bytes may share one. */
  storageKey: string;
  /** Images only (read from the header); null otherwise. */
  width: number | null;
  height: number | null;
  /** A smaller copy for large images, when one was made. */
  thumbnailKey: string | null;
  /** Unix seconds. */
  time: number;
}

/** An upload under way. */
export interface Upload {
  /** Server-chosen, 32 hex digits. */
  id: string;
  owner: string;
  name: string;
  /** The size declared at the start: what must arrive. */
  size: number;
  /** The declared type (cleaned). */
  mime: string;
  /** The declared md5: what the assembled bytes must hash to. */
  md5: string;
  /** Chunk size fixed at the start (a later change of the setting does not break it). */
  chunkSize: number;
  /** Unix seconds of the start and of the last chunk received. */
  created: number;
  touched: number;
}

/** What bounds one account's uploads. */
export interface UploadLimits {
  /** Bytes of files and open uploads together. */
  quotaBytes: number;
  /** Open uploads at once. */
  maxOpen: number;
}

/** Why {@link FileTable.startUpload} did not start. */
export type StartRefusal = "over_quota" | "too_many";

/** Files and uploads. */
export interface FileTable {
  /** Records a new upload, unless it would pass the owner's limits (nothing stored then). */
  startUpload(upload: Upload, limits: UploadLimits): Promise<StartRefusal | null>;
  findUpload(id: string): Promise<Upload | null>;
  /** The owner's open upload of this name, size and md5 (the one to resume), if any. */
  findResumable(owner: string, name: string, size: number, md5: string): Promise<Upload | null>;
  /**
   * Notes that a chunk arrived (unfinished uploads are removed after a time without one); false
   * when the upload is gone (completed or removed).
   */
  touchUpload(id: string, time: number): Promise<boolean>;
  /**
   * Gives the upload to one assembly until `until` (unix seconds): false when another one holds
   * it (and `now` is before its end) or the upload is gone.
   */
  claimUpload(id: string, now: number, until: number): Promise<boolean>;
  /** Ends a claim without finishing (the assembly failed; it may be tried again). */
  releaseUpload(id: string): Promise<void>;
  /** Records `file` and removes the upload `uploadId`, in one transaction. */
  finishUpload(uploadId: string, file: StoredFile): Promise<void>;
  /** Removes an upload's record (its chunks are the caller's to remove). */
  dropUpload(id: string): Promise<void>;
  /** Uploads without a chunk since `before` (unix seconds), oldest first. */
  staleUploads(before: number, limit: number): Promise<Upload[]>;
  /** Records a file that needs no upload (an instant re-send), unless over the quota. */
  addFile(file: StoredFile, quotaBytes: number): Promise<boolean>;
  findFile(id: string): Promise<StoredFile | null>;
  findFiles(ids: string[]): Promise<Map<string, StoredFile>>;
  /** Files with these bytes (same md5 and size), newest first. */
  filesWithContent(md5: string, size: number, limit: number): Promise<StoredFile[]>;
  /** Notes that a file was sent into a chat (idempotent). */
  recordSend(fileId: string, chatid: string, time: number): Promise<void>;
  /** The chats a file was sent into, with when it first was (at most `limit`, oldest first). */
  chatsOf(fileId: string, limit: number): Promise<FileSend[]>;
}

/** A chat a file was sent into, and when (unix seconds) it first was. */
export interface FileSend {
  chatid: string;
  time: number;
}

/** A new random id: 32 hex digits (128 bits), unguessable. */
export function newFileId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `^[0-9a-f]{32}$`: the form of file and upload ids. */
export const FILE_ID = /^[0-9a-f]{32}$/;
