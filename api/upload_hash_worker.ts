/**
 * The Web Worker that assembles and hashes uploads (see `upload_hasher.ts`): its own view of
 * the local storage folder (named by the first message, `open`), and the same
 * {@link UploadAssembly} as the in-thread one.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { LocalFileStorage } from "../files/file_storage_local.ts";
import { StorageFullError } from "../files/file_storage.ts";
import type { HashCommand, HashReply } from "./upload_hasher.ts";
import { UploadAssembly } from "./upload_assembly.ts";
import { makeThumbnail } from "../files/thumbnail.ts";

const reply = (message: HashReply) => self.postMessage(message);
let storage: LocalFileStorage | null = null;
let assembly: UploadAssembly | null = null;

self.onmessage = async (event: MessageEvent<HashCommand>) => {
  const command = event.data;
  if (command.type === "open") {
    storage = new LocalFileStorage(command.root);
    assembly = new UploadAssembly(storage, (line) => reply({ type: "log", line }));
    return;
  }
  // Messages are handled in order: `open` always came first.
  if (!storage || !assembly) throw new Error("Cannot assemble uploads: no storage folder given");
  if (command.type === "advance") assembly.advance(command.upload);
  else if (command.type === "forget") assembly.forget(command.uploadId);
  else if (command.type === "thumbnail") {
    const { request } = command;
    try {
      reply({ type: "thumbnailed", request, key: await makeThumbnail(storage, command.file) });
    } catch (error) {
      reply({ type: "failed", request, message: (error as Error).message, full: false });
    }
  } else {
    const { request } = command;
    try {
      reply({
        type: "finished",
        request,
        assembled: await assembly.finish(command.upload, command.md5),
      });
    } catch (error) {
      const full = error instanceof StorageFullError;
      reply({ type: "failed", request, message: (error as Error).message, full });
    }
  }
};
