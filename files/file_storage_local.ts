/**
 * {@link FileStorage} in a local folder (by default `<data>/files`, outside anything served
 * statically). An object `k` is the file `<root>/k`; a write goes to `<root>/.partial/<random>`
 * first and is renamed (or, when exclusive, hard-linked) into place only once complete, so a
 * reader never sees half a file and a crash leaves only a partial file that
 * {@link LocalFileStorage.sweepAbandoned} removes. Keys cannot name `.partial` (a key part
 * never starts with a dot).
 *
 * Several servers may share the folder (NFS or the like) as long as rename and link are atomic
 * on it, which they are on local file systems and NFSv3+.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  type ByteRange,
  checkKey,
  type FileStorage,
  type ObjectWriter,
  type PutOptions,
  type PutResult,
  StorageFullError,
  type StoredObject,
  TooLargeError,
  TooSmallError,
} from "./file_storage.ts";

const PARTIAL = ".partial";
/** Bytes read per step when streaming a file out. */
const READ_STEP = 256 * 1024;

/** Files in a folder. */
export class LocalFileStorage implements FileStorage {
  readonly root: string;

  /** `root` is created when missing. */
  constructor(root: string) {
    if (typeof root !== "string" || root === "") {
      throw new TypeError("Cannot open file storage: the folder is empty");
    }
    this.root = resolve(root);
    Deno.mkdirSync(join(this.root, PARTIAL), { recursive: true });
  }

  async put(
    key: string,
    body: ReadableStream<Uint8Array>,
    options: PutOptions,
  ): Promise<PutResult> {
    checkKey(key);
    const target = join(this.root, key);
    const partial = join(this.root, PARTIAL, crypto.randomUUID());
    let file: Deno.FsFile | null = null;
    let size = 0;
    try {
      file = await Deno.open(partial, { write: true, createNew: true });
      const opened = file;
      await eachPiece(body, async (piece) => {
        size += piece.byteLength;
        if (size > options.maxBytes) throw new TooLargeError(options.maxBytes);
        await writeAll(opened, piece);
      });
      file.close();
      file = null;
      if (size < (options.minBytes ?? 0)) throw new TooSmallError(options.minBytes!, size);
      let stored = true;
      if (options.exclusive) {
        try {
          await inFolder(target, () => Deno.link(partial, target));
        } catch (error) {
          if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
          stored = false;
        }
        await Deno.remove(partial);
      } else {
        await inFolder(target, () => Deno.rename(partial, target));
      }
      return { size, stored };
    } catch (error) {
      try {
        file?.close();
      } catch { /* closed */ }
      await Deno.remove(partial).catch(() => {});
      throw isDiskFull(error) ? new StorageFullError(error) : error;
    }
  }

  async create(key: string): Promise<ObjectWriter> {
    checkKey(key);
    const target = join(this.root, key);
    const partial = join(this.root, PARTIAL, crypto.randomUUID());
    const file = await Deno.open(partial, { write: true, createNew: true });
    let open = true;
    const drop = async () => {
      if (open) file.close();
      open = false;
      await Deno.remove(partial).catch(() => {});
    };
    return {
      // Synchronous: this writer fills a file being assembled, which the server does in a
      // worker thread of its own; there a blocking write to the page cache is cheaper than a
      // trip through the runtime's thread pool (measured: about half the assembly's time).
      write(bytes) {
        try {
          let at = 0;
          while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
          return Promise.resolve();
        } catch (error) {
          return drop().then(() => {
            throw isDiskFull(error) ? new StorageFullError(error) : error;
          });
        }
      },
      async finish() {
        file.close();
        open = false;
        try {
          await inFolder(target, () => Deno.link(partial, target));
          return true;
        } catch (error) {
          if (error instanceof Deno.errors.AlreadyExists) return false;
          throw isDiskFull(error) ? new StorageFullError(error) : error;
        } finally {
          await Deno.remove(partial).catch(() => {});
        }
      },
      abort: drop,
    };
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject | null> {
    checkKey(key);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(join(this.root, key), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
    const { size } = await file.stat();
    // A whole file as the runtime's own stream: the HTTP server then reads it from the file
    // itself, in Rust, with no buffers made (and left for the garbage collector) in JavaScript.
    if (!range) return { body: file.readable, size };
    const start = range?.start ?? 0;
    let left = range ? range.end - start + 1 : size;
    if (start > 0) await file.seek(start, Deno.SeekMode.Start);
    let open = true;
    const done = () => {
      if (open) file.close();
      open = false;
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          if (left <= 0) {
            done();
            controller.close();
            return;
          }
          const buffer = new Uint8Array(Math.min(READ_STEP, left));
          const n = await file.read(buffer);
          if (n === null) {
            done();
            controller.close();
            return;
          }
          left -= n;
          controller.enqueue(buffer.subarray(0, n));
        } catch (error) {
          done();
          controller.error(error);
        }
      },
      cancel: done,
    });
    return { body, size };
  }

  async list(prefix: string): Promise<{ key: string; size: number }[]> {
    checkKey(prefix, true);
    const found: { key: string; size: number }[] = [];
    const walk = async (relative: string) => {
      let entries: Deno.DirEntry[];
      try {
        entries = await Array.fromAsync(Deno.readDir(join(this.root, relative)));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return;
        throw error;
      }
      for (const entry of entries) {
        const key = `${relative}${entry.name}`;
        if (entry.isDirectory) await walk(`${key}/`);
        else if (entry.isFile) {
          const info = await Deno.stat(join(this.root, key)).catch(() => null);
          if (info) found.push({ key, size: info.size });
        }
      }
    };
    await walk(prefix);
    return found.sort((a, b) => a.key < b.key ? -1 : 1);
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await Deno.remove(join(this.root, key)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  async deletePrefix(prefix: string): Promise<void> {
    checkKey(prefix, true);
    await Deno.remove(join(this.root, prefix), { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  async sweepAbandoned(olderThanMs: number): Promise<number> {
    const folder = join(this.root, PARTIAL);
    const before = Date.now() - olderThanMs;
    let removed = 0;
    for await (const entry of Deno.readDir(folder)) {
      const path = join(folder, entry.name);
      const info = await Deno.stat(path).catch(() => null);
      if (info?.mtime && info.mtime.getTime() < before) {
        await Deno.remove(path).then(() => removed++, () => {});
      }
    }
    return removed;
  }
}

/**
 * Calls `write` for each piece of `body`, in order. A byte stream (an HTTP request's body) is
 * read into one buffer used again and again, so streaming a large body to disk leaves nothing
 * behind per piece for the garbage collector; RSS stays flat instead of growing by the body's
 * size until the next collection. Any other stream is read piece by piece.
 */
async function eachPiece(
  body: ReadableStream<Uint8Array>,
  write: (piece: Uint8Array) => Promise<void>,
): Promise<void> {
  let reader: ReadableStreamBYOBReader | null = null;
  try {
    reader = body.getReader({ mode: "byob" });
  } catch {
    // not a byte stream
  }
  if (!reader) {
    for await (const piece of body) await write(piece);
    return;
  }
  let buffer = new ArrayBuffer(READ_STEP);
  try {
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) return;
      await write(value);
      buffer = value.buffer as ArrayBuffer;
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/** Runs `place` (a link or rename to `target`), making `target`'s folder first if missing. */
async function inFolder(target: string, place: () => Promise<void>): Promise<void> {
  try {
    await place();
  } catch (error) {
    // The folder exists for all but an upload's first chunk: made only when it is missing.
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    await Deno.mkdir(dirname(target), { recursive: true });
    await place();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await file.write(bytes.subarray(at));
}

/** ENOSPC (no room) and EDQUOT (a disk quota): the storage cannot take more. */
function isDiskFull(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "ENOSPC" || e?.code === "EDQUOT" ||
    /No space left on device|Disk quota exceeded|os error (28|122)\b/.test(e?.message ?? "");
}
