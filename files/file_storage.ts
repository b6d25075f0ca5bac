/**
 * The file storage port: where the bytes of uploads, files and thumbnails live, under keys the
 * server chooses (`files/ab/<id>`, `uploads/<id>/<index>`), never under names people sent.
 * Implementations: a local folder (`file_storage_local.ts`); an object store would fit the
 * same shape.
 *
 * Contract: an object is visible only once it is complete (a reader never sees half of a
 * write), and once visible it never changes: `put` of an existing key replaces it with a new
 * object (readers of the old one keep reading the old bytes), and an `exclusive` put keeps the
 * existing one. A failed or refused put leaves nothing behind.
 *
 * @module
 */

/** Options of {@link FileStorage.put}. */
export interface PutOptions {
  /** More bytes than this: {@link TooLargeError}, nothing kept. */
  maxBytes: number;
  /** Fewer bytes than this (default 0): {@link TooSmallError}, nothing kept. */
  minBytes?: number;
  /** Keep an existing object under the key (the put then answers `stored: false`). */
  exclusive?: boolean;
}

/** What a put did. */
export interface PutResult {
  /** Bytes received. */
  size: number;
  /** False when `exclusive` found the key taken (the bytes were read and dropped). */
  stored: boolean;
}

/** A byte range, both ends inclusive (as in HTTP's `Range`). */
export interface ByteRange {
  start: number;
  end: number;
}

/** An object being read. */
export interface StoredObject {
  /** The bytes (of the range, when one was asked for). */
  body: ReadableStream<Uint8Array>;
  /** The whole object's size. */
  size: number;
}

/** Thrown when a body has more bytes than the put allows. */
export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`);
    this.name = "TooLargeError";
  }
}

/** Thrown when a body ends before the bytes a put needs. */
export class TooSmallError extends Error {
  constructor(readonly minBytes: number, readonly size: number) {
    super(`${size} bytes, fewer than ${minBytes}`);
    this.name = "TooSmallError";
  }
}

/** Thrown when the storage has no room left (the disk is full). */
export class StorageFullError extends Error {
  constructor(cause?: unknown) {
    super("the file storage is full", { cause });
    this.name = "StorageFullError";
  }
}

/** An object being written piece by piece; nobody sees it before {@link ObjectWriter.finish}. */
export interface ObjectWriter {
  /** Appends `bytes` (they may be reused once this resolves). */
  write(bytes: Uint8Array): Promise<void>;
  /** Makes the object visible under its key (kept if one is there already: `false`). */
  finish(): Promise<boolean>;
  /** Drops what was written. */
  abort(): Promise<void>;
}

/** Where file bytes are kept. */
export interface FileStorage {
  /**
   * Streams `body` into the object `key` (never holding it whole). Rejects with
   * {@link TooLargeError}, {@link StorageFullError} or the body's own error (a client that went
   * away); nothing is kept then.
   */
  put(key: string, body: ReadableStream<Uint8Array>, options: PutOptions): Promise<PutResult>;
  /**
   * Starts an object written piece by piece (an upload assembled while its chunks arrive);
   * {@link StorageFullError} from `write` when there is no room (nothing kept then).
   */
  create(key: string): Promise<ObjectWriter>;
  /** Reads an object, or the range of it; null when there is none. */
  get(key: string, range?: ByteRange): Promise<StoredObject | null>;
  /** Objects whose key starts with `prefix` (a folder, ending in "/"), with their sizes. */
  list(prefix: string): Promise<{ key: string; size: number }[]>;
  /** Removes an object; nothing happens when there is none. */
  delete(key: string): Promise<void>;
  /** Removes every object under `prefix` (ending in "/"). */
  deletePrefix(prefix: string): Promise<void>;
  /** Removes what writes cut short by a crash left behind, older than `olderThanMs`. */
  sweepAbandoned(olderThanMs: number): Promise<number>;
}

/** Keys are lower-case letters, digits, `_`, `-`, `.` in `/`-separated parts; no `..`. */
export const STORAGE_KEY = /^[a-z0-9_-]+(\/[a-z0-9_-][a-z0-9_.-]*)*$/;

/** Throws `TypeError` unless `key` is a storage key (see {@link STORAGE_KEY}). */
export function checkKey(key: string, prefix = false): void {
  const bare = prefix ? key.replace(/\/$/, "") : key;
  if (typeof key !== "string" || !STORAGE_KEY.test(bare) || (prefix && !key.endsWith("/"))) {
    throw new TypeError(`Cannot use storage key ${JSON.stringify(key)}: not a storage key`);
  }
}
