/**
 * Where uploads are assembled and hashed ({@link UploadAssembly}): in a Web Worker of its own
 * (`upload_hash_worker.ts`, what the server runs: hashing and writing take about as long as
 * receiving the bytes, and on another core they cost the upload little), or in the calling
 * thread (tests of the app alone, which start no worker).
 *
 * @module
 */
import type { FileStorage } from "../files/file_storage.ts";
import { StorageFullError } from "../files/file_storage.ts";
import { type Assembled, type AssembledUpload, UploadAssembly } from "./upload_assembly.ts";
import { makeThumbnail, type ThumbnailSource } from "../files/thumbnail.ts";

/** The assembly, wherever it runs. */
export interface UploadHasher {
  /** Takes what follows of `upload`'s chunks, in the background. */
  advance(upload: AssembledUpload): void;
  /** Takes the rest (all stored) and keeps the file if its md5 is `md5`; forgets the upload. */
  finish(upload: AssembledUpload, md5: string): Promise<Assembled>;
  forget(uploadId: string): void;
  /** Makes the thumbnail of a stored image, when it gets one (see `files/thumbnail.ts`). */
  thumbnail(file: ThumbnailSource): Promise<string | null>;
  close(): Promise<void>;
}

/** Messages to the worker. */
export type HashCommand =
  | { type: "open"; root: string }
  | { type: "advance"; upload: AssembledUpload }
  | { type: "finish"; upload: AssembledUpload; md5: string; request: number }
  | { type: "forget"; uploadId: string }
  | { type: "thumbnail"; file: ThumbnailSource; request: number };

/** Messages from the worker. */
export type HashReply =
  | { type: "finished"; request: number; assembled: Assembled }
  | { type: "thumbnailed"; request: number; key: string | null }
  | { type: "failed"; request: number; message: string; full: boolean }
  | { type: "log"; line: string };

/** Assembly in this thread. */
export function hashInThread(storage: FileStorage, log: (line: string) => void): UploadHasher {
  const assembly = new UploadAssembly(storage, log);
  return {
    advance: (upload) => assembly.advance(upload),
    finish: (upload, md5) => assembly.finish(upload, md5),
    forget: (uploadId) => assembly.forget(uploadId),
    thumbnail: (file) => makeThumbnail(storage, file),
    close: () => Promise.resolve(),
  };
}

/** Assembly in a Web Worker over the local storage folder `root`. */
export function hashInWorker(root: string, log: (line: string) => void): UploadHasher {
  // The folder goes in the first message, not in the module's URL: a compiled binary finds
  // its embedded modules by their plain URLs.
  const worker = new Worker(new URL("./upload_hash_worker.ts", import.meta.url).href, {
    type: "module",
  });
  worker.postMessage({ type: "open", root } satisfies HashCommand);
  // deno-lint-ignore no-explicit-any
  const waiting = new Map<number, PromiseWithResolvers<any>>();
  let requests = 0;
  let closed = false;
  worker.onmessage = (event: MessageEvent<HashReply>) => {
    const reply = event.data;
    if (reply.type === "log") return log(reply.line);
    const answer = waiting.get(reply.request);
    waiting.delete(reply.request);
    if (reply.type === "finished") answer?.resolve(reply.assembled);
    else if (reply.type === "thumbnailed") answer?.resolve(reply.key);
    else {answer?.reject(
        reply.full ? new StorageFullError(reply.message) : new Error(reply.message),
      );}
  };
  worker.onerror = (event) => {
    event.preventDefault();
    log(`uploads: the hashing worker failed: ${event.message}`);
    for (const answer of waiting.values()) answer.reject(new Error("the hashing worker failed"));
    waiting.clear();
  };
  const send = (command: HashCommand) => {
    if (!closed) worker.postMessage(command);
  };
  const ask = <T>(command: (request: number) => HashCommand): Promise<T> => {
    if (closed) return Promise.reject(new Error("Cannot assemble: the server is stopping"));
    const request = ++requests;
    const answer = Promise.withResolvers<T>();
    waiting.set(request, answer);
    send(command(request));
    return answer.promise;
  };
  return {
    advance: (upload) => send({ type: "advance", upload }),
    finish: (upload, md5) =>
      ask<Assembled>((request) => ({ type: "finish", upload, md5, request })),
    thumbnail: (file) => ask<string | null>((request) => ({ type: "thumbnail", file, request })),
    forget: (uploadId) => send({ type: "forget", uploadId }),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      worker.terminate();
      for (const answer of waiting.values()) answer.reject(new Error("the server is stopping"));
      waiting.clear();
      return Promise.resolve();
    },
  };
}
