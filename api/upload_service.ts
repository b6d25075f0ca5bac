/**
 * Uploads in chunks: start (or resume, or answer at once with a file already stored), one
 * chunk at a time in any order and in parallel, then complete: assemble, check size and md5,
 * recognise images by content, record the file.
 *
 * Chunks are objects of their own (`uploads/<id>/<index>`), each written once: a repeated chunk
 * is read and dropped (`exclusive` put), so once every chunk is there nothing changes under a
 * `complete`, and one racing a late chunk checks exactly the bytes it keeps. The file is
 * assembled and hashed in chunk order while the chunks arrive (`upload_assembly.ts`, in a
 * worker of its own); `complete` has it finished, keeps it only if the md5 is the one
 * declared, and records it.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import { mayReadFile, type TakesPart } from "../files/file_access.ts";
import { type FileInfo, toFileInfo } from "../files/file_info.ts";
import {
  type FileStorage,
  StorageFullError,
  TooLargeError,
  TooSmallError,
} from "../files/file_storage.ts";
import {
  FILE_ID,
  type FileTable,
  newFileId,
  type StoredFile,
  type Upload,
} from "../files/file_table.ts";
import { IMAGE_HEAD_BYTES, imageInfo } from "../files/image_info.ts";
import { assembledKey } from "./upload_assembly.ts";
import { wantsThumbnail } from "../files/thumbnail.ts";
import { hashInThread, type UploadHasher } from "./upload_hasher.ts";
import {
  ApiError,
  badRequest,
  conflict,
  forbidden,
  notFound,
  tooLarge,
  unavailable,
} from "./errors.ts";
import { parseUploadStart, typeAllowed } from "./upload_request.ts";

/** What `POST /api/uploads` answers. */
export type StartAnswer =
  | { uploadId: string; chunkSize: number; received: number[] }
  | { file: FileInfo };

/** Open uploads one account may have at once (each also counts against the quota). */
export const MAX_OPEN_UPLOADS = 20;
/** How long one `complete` holds an upload; a holder that died lets go after this. */
const CLAIM_SECONDS = 600;

/** What the service needs. */
export interface UploadDeps {
  config: ResolvedConfig;
  files: FileTable;
  storage: FileStorage;
  takesPart: TakesPart;
  /** Where md5s are worked out (default: in this thread). */
  hasher?: UploadHasher;
  log: (line: string) => void;
}

const now = () => Math.floor(Date.now() / 1000);
const chunkKey = (uploadId: string, index: number) => `uploads/${uploadId}/${index}`;
const chunkCount = (u: Upload) => Math.ceil(u.size / u.chunkSize);
/** The length chunk `index` of `u` must have. */
const chunkLength = (u: Upload, index: number) =>
  index < chunkCount(u) - 1 ? u.chunkSize : u.size - (chunkCount(u) - 1) * u.chunkSize;

/** The upload routes' work. */
export class UploadService {
  readonly #deps: UploadDeps;
  readonly #hashes: UploadHasher;

  constructor(deps: UploadDeps) {
    this.#deps = deps;
    this.#hashes = deps.hasher ?? hashInThread(deps.storage, deps.log);
  }

  /** Stops the hashing (a worker, when it runs in one). */
  close(): Promise<void> {
    return this.#hashes.close();
  }

  /** `POST /api/uploads`. */
  async start(owner: string, body: unknown): Promise<StartAnswer> {
    const { config, files } = this.#deps;
    const start = parseUploadStart(body);
    if (start.size > config.files.maxBytes) {
      throw tooLarge(`the file is larger than ${config.files.maxBytes} bytes, the largest allowed`);
    }
    if (!typeAllowed(start.mime, config.files.allowedTypes)) {
      throw badRequest(`files of type ${start.mime} are not allowed here`);
    }
    if (start.chatid && !(await this.#deps.takesPart(owner, start.chatid))) {
      throw forbidden(`you are not a participant of ${start.chatid}`);
    }
    const instant = await this.#instant(owner, start.name, start.size, start.md5);
    if (instant) return { file: toFileInfo(instant) };

    const resumable = await files.findResumable(owner, start.name, start.size, start.md5);
    if (resumable) {
      return {
        uploadId: resumable.id,
        chunkSize: resumable.chunkSize,
        received: await this.#received(resumable),
      };
    }
    const time = now();
    const upload: Upload = {
      id: newFileId(),
      owner,
      name: start.name,
      size: start.size,
      mime: start.mime,
      md5: start.md5,
      chunkSize: config.files.chunkBytes,
      created: time,
      touched: time,
    };
    const refusal = await files.startUpload(upload, this.#limits());
    if (refusal === "too_many") {
      throw new ApiError(
        429,
        "rate_limited",
        `you have ${MAX_OPEN_UPLOADS} unfinished uploads; complete one or wait until it expires`,
      );
    }
    if (refusal === "over_quota") throw this.#overQuota();
    return { uploadId: upload.id, chunkSize: upload.chunkSize, received: [] };
  }

  /**
   * A stored file with these bytes that the asker may read already: theirs under this name,
   * or a new record of theirs sharing its bytes (counted against their quota).
   */
  async #instant(owner: string, name: string, size: number, md5: string) {
    const { files, takesPart } = this.#deps;
    const candidates = await files.filesWithContent(md5, size, 20);
    const same = candidates.find((f) => f.owner === owner && f.name === name);
    if (same) return same;
    for (const candidate of candidates) {
      // Knowing a file's md5 must not be enough to get it: only bytes the asker can read.
      if (!(await mayReadFile(candidate, owner, files, takesPart))) continue;
      const file: StoredFile = { ...candidate, id: newFileId(), owner, name, time: now() };
      if (!(await files.addFile(file, this.#limits().quotaBytes))) throw this.#overQuota();
      return file;
    }
    return null;
  }

  /** `PUT /api/uploads/:id/chunks/:index`: streams the body into the chunk's object. */
  async putChunk(
    owner: string,
    uploadId: string,
    indexText: string,
    body: ReadableStream<Uint8Array> | null,
    contentLength: string | undefined,
  ): Promise<void> {
    const { files, storage } = this.#deps;
    const upload = await this.#own(owner, uploadId);
    const count = chunkCount(upload);
    const index = /^\d{1,9}$/.test(indexText) ? Number(indexText) : -1;
    if (index < 0 || index >= count) {
      throw badRequest(
        count === 0
          ? "this upload is empty: it has no chunks; complete it"
          : `chunk index must be an integer from 0 to ${count - 1}`,
      );
    }
    const expected = chunkLength(upload, index);
    const declared = contentLength === undefined ? null : Number(contentLength);
    if (declared !== null && declared > expected) throw this.#wrongLength(index, expected, "more");
    if (declared !== null && declared < expected) throw this.#wrongLength(index, expected, "fewer");
    const key = chunkKey(upload.id, index);
    try {
      await storage.put(key, body ?? new Blob([]).stream(), {
        maxBytes: expected,
        minBytes: expected,
        // Written once: a repeat is read and dropped, so the assembly never sees a chunk change.
        exclusive: true,
      });
    } catch (error) {
      if (error instanceof TooLargeError) throw this.#wrongLength(index, expected, "more");
      if (error instanceof TooSmallError) throw this.#wrongLength(index, expected, "fewer");
      if (error instanceof StorageFullError) throw this.#storageFull();
      if (error instanceof ApiError) throw error;
      throw badRequest(`chunk ${index} did not arrive whole: ${(error as Error).message}`);
    }
    // Completed or removed while this chunk streamed in: its bytes belong to nothing.
    if (!(await files.touchUpload(upload.id, now()))) {
      await storage.deletePrefix(`uploads/${upload.id}/`);
      throw conflict(`upload ${upload.id} was completed or removed while chunk ${index} arrived`);
    }
    this.#hashes.advance(upload);
  }

  /** `POST /api/uploads/:id/complete`. */
  async complete(owner: string, uploadId: string): Promise<{ file: FileInfo }> {
    const { files, storage } = this.#deps;
    const upload = await this.#own(owner, uploadId);
    const time = now();
    if (!(await files.claimUpload(upload.id, time, time + CLAIM_SECONDS))) {
      throw conflict(`upload ${upload.id} is being completed already`);
    }
    const count = chunkCount(upload);
    const fileKey = assembledKey(upload.id);
    let assembled = false;
    try {
      const received = new Set(await this.#received(upload));
      const missing = [];
      for (let i = 0; i < count; i++) if (!received.has(i)) missing.push(i);
      if (missing.length > 0) {
        const shown = missing.slice(0, 20).join(", ") + (missing.length > 20 ? ", …" : "");
        throw conflict(
          `chunks missing: ${shown} (${missing.length} of ${count}); send them, then complete again`,
        );
      }
      const { md5, stored } = await this.#hashes.finish(upload, upload.md5);
      if (!stored) {
        await this.#discard(upload);
        throw badRequest(
          `md5 mismatch: the bytes received hash to ${md5}, the upload declared ${upload.md5}; ` +
            "the upload was removed: start it again",
        );
      }
      assembled = true;
      const image = imageInfo(await this.#head(fileKey, upload.size));
      // A declared image type is believed only when the content is that image.
      const mime = image?.mime ??
        (upload.mime.startsWith("image/") ? "application/octet-stream" : upload.mime);
      if (!typeAllowed(mime, this.#deps.config.files.allowedTypes)) {
        await storage.delete(fileKey);
        assembled = false;
        await this.#discard(upload);
        throw badRequest(`the file's content is of type ${mime}, which is not allowed here`);
      }
      const file: StoredFile = {
        id: newFileId(),
        owner,
        name: upload.name,
        size: upload.size,
        mime,
        md5,
        storageKey: fileKey,
        width: image?.width ?? null,
        height: image?.height ?? null,
        thumbnailKey: null,
        time: now(),
      };
      file.thumbnailKey = image ? await this.#thumbnail(file) : null;
      await files.finishUpload(upload.id, file);
      await storage.deletePrefix(`uploads/${upload.id}/`);
      return { file: toFileInfo(file) };
    } catch (error) {
      // Not recorded: the assembled file goes (a retry assembles it again).
      if (assembled) await storage.delete(fileKey).catch(() => {});
      await files.releaseUpload(upload.id).catch(() => {});
      if (error instanceof StorageFullError) throw this.#storageFull();
      throw error;
    }
  }

  /** The first bytes of a stored file (what image headers are read from). */
  async #head(key: string, size: number): Promise<Uint8Array> {
    const length = Math.min(IMAGE_HEAD_BYTES, size);
    if (length === 0) return new Uint8Array(0);
    const object = await this.#deps.storage.get(key, { start: 0, end: length - 1 });
    if (!object) throw new Error(`the assembled file ${key} is missing`);
    return new Uint8Array(await new Response(object.body).arrayBuffer());
  }

  /** Removes unfinished uploads without a chunk for `files.uploadTtlSeconds`; how many. */
  async sweep(): Promise<number> {
    const { files, storage, config } = this.#deps;
    let removed = 0;
    const before = now() - config.files.uploadTtlSeconds;
    for (;;) {
      const stale = await files.staleUploads(before, 100);
      for (const upload of stale) {
        this.#hashes.forget(upload.id);
        await storage.deletePrefix(`uploads/${upload.id}/`);
        await files.dropUpload(upload.id);
        removed++;
      }
      if (stale.length < 100) break;
    }
    // Chunks of uploads that no longer exist (a chunk that finished after its upload did).
    const orphans = new Set<string>();
    for (const { key } of await storage.list("uploads/")) orphans.add(key.split("/")[1]);
    for (const id of orphans) {
      if (FILE_ID.test(id) && !(await files.findUpload(id))) {
        await storage.deletePrefix(`uploads/${id}/`);
      }
    }
    await storage.sweepAbandoned(Math.min(3600, config.files.uploadTtlSeconds) * 1000);
    return removed;
  }

  async #own(owner: string, uploadId: string): Promise<Upload> {
    const upload = FILE_ID.test(uploadId) ? await this.#deps.files.findUpload(uploadId) : null;
    // Someone else's upload answers as one that does not exist: ids are not to be probed.
    if (!upload || upload.owner !== owner) {
      throw notFound(`no unfinished upload ${JSON.stringify(uploadId.slice(0, 40))} of yours`);
    }
    return upload;
  }

  /** Indexes of the chunks stored whole. */
  async #received(upload: Upload): Promise<number[]> {
    const listed = await this.#deps.storage.list(`uploads/${upload.id}/`);
    const received: number[] = [];
    for (const { key, size } of listed) {
      const index = Number(key.split("/")[2]);
      const valid = Number.isInteger(index) && index >= 0 && index < chunkCount(upload);
      if (valid && size === chunkLength(upload, index)) received.push(index);
    }
    return received.sort((a, b) => a - b);
  }

  async #thumbnail(file: StoredFile): Promise<string | null> {
    if (!wantsThumbnail(file)) return null;
    try {
      return await this.#hashes.thumbnail(file);
    } catch (error) {
      // Without a thumbnail the browser scales the image; the upload itself is fine.
      this.#deps.log(`thumbnail of ${file.id} failed: ${(error as Error).message}`);
      return null;
    }
  }

  async #discard(upload: Upload): Promise<void> {
    this.#hashes.forget(upload.id);
    await this.#deps.storage.deletePrefix(`uploads/${upload.id}/`);
    await this.#deps.files.dropUpload(upload.id);
  }

  #limits() {
    const quota = this.#deps.config.files.quotaBytes;
    return { quotaBytes: quota === 0 ? Number.MAX_SAFE_INTEGER : quota, maxOpen: MAX_OPEN_UPLOADS };
  }

  #overQuota() {
    return tooLarge(
      `your files and unfinished uploads would pass your quota of ` +
        `${this.#deps.config.files.quotaBytes} bytes`,
    );
  }

  #wrongLength(index: number, expected: number, which: "more" | "fewer") {
    const message = `chunk ${index} must be exactly ${expected} bytes; ${which} arrived`;
    return which === "more" ? tooLarge(message) : badRequest(message);
  }

  #storageFull() {
    return unavailable("the server's file storage is full; nothing was kept; retry later");
  }
}
