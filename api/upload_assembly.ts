/**
 * Uploads assembled while their chunks arrive: whenever the next chunk in order is stored, it
 * is read back (from the page cache, moments after it was written), hashed, and appended to
 * the file being assembled (`files/<xx>/<upload id>`, invisible until finished). `complete`
 * then finds the md5 worked out and the file written, instead of reading and copying the
 * whole upload on the request's clock. One buffer per upload is used again and again, so
 * nothing is left per piece for the garbage collector.
 *
 * The state lives in this thread only; it is a shortcut, never the truth: a `finish` without
 * it (the server restarted, another node took the chunks) reads every chunk then. Chunks never
 * change once stored, and only this code writes the file, so the bytes hashed are the bytes
 * kept. {@link UploadHasher} runs this in a Web Worker of its own (another core than the one
 * receiving the chunks) or in the calling thread.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import type { FileStorage, ObjectWriter } from "../files/file_storage.ts";
import { PieceReader } from "../files/piece_reader.ts";

/** What the assembly needs to know of an upload: its chunks' keys and lengths follow. */
export interface AssembledUpload {
  id: string;
  size: number;
  chunkSize: number;
}

/** Where an upload's file is assembled (and stays: the file's storage key). */
export function assembledKey(uploadId: string): string {
  return `files/${uploadId.slice(0, 2)}/${uploadId}`;
}

/** What {@link UploadAssembly.finish} found. */
export interface Assembled {
  md5: string;
  /** The file was made visible under {@link assembledKey} (the md5 was the one expected). */
  stored: boolean;
}

/** Uploads assembled at once (each holds an open file); past it the oldest starts over. */
const MAX_STATES = 200;
/** Bytes read per step. */
const STEP = 256 * 1024;

const count = (u: AssembledUpload) => Math.ceil(u.size / u.chunkSize);
const lengthOf = (u: AssembledUpload, index: number) =>
  index < count(u) - 1 ? u.chunkSize : u.size - (count(u) - 1) * u.chunkSize;

interface State {
  hash: Hash;
  writer: ObjectWriter;
  buffer: ArrayBuffer;
  /** The next chunk to take. */
  next: number;
  running: Promise<void> | null;
  /** Asked to go on after the run under way. */
  again: boolean;
}

/** Assembly of uploads under way, in this thread. */
export class UploadAssembly {
  readonly #storage: FileStorage;
  readonly #states = new Map<string, Promise<State>>();
  readonly #log: (line: string) => void;

  constructor(storage: FileStorage, log: (line: string) => void) {
    this.#storage = storage;
    this.#log = log;
  }

  /** Takes, in the background, the chunks after those taken, as far as they are stored. */
  advance(upload: AssembledUpload): void {
    void this.#state(upload).then((state) => this.#run(upload, state)).catch((error) => {
      // Started over by `finish` (a disk full now may have room then).
      this.#log(`uploads: assembling ${upload.id} paused: ${(error as Error).message}`);
      this.forget(upload.id);
    });
  }

  /**
   * Takes every remaining chunk (all are stored), and makes the file visible if its md5 is
   * `expected`; drops it otherwise. The upload's state is gone after.
   */
  async finish(upload: AssembledUpload, expected: string): Promise<Assembled> {
    let state = await this.#state(upload);
    while (state.running) await state.running;
    // A run that failed forgot the state: start over from the first chunk.
    if (this.#states.get(upload.id) === undefined) state = await this.#state(upload);
    this.#states.delete(upload.id);
    try {
      while (state.next < count(upload)) {
        if (!(await this.#take(upload, state))) {
          throw new Error(`chunk ${state.next} of upload ${upload.id} is missing`);
        }
      }
    } catch (error) {
      await state.writer.abort();
      throw error;
    }
    const md5 = state.hash.digest("hex");
    if (md5 !== expected) {
      await state.writer.abort();
      return { md5, stored: false };
    }
    // A file there already is this upload's, finished by an earlier `complete` whose record
    // failed: the same bytes.
    await state.writer.finish();
    return { md5, stored: true };
  }

  /** Forgets an upload (removed, or to be started over). */
  forget(uploadId: string): void {
    const state = this.#states.get(uploadId);
    this.#states.delete(uploadId);
    void state?.then(async (s) => {
      while (s.running) await s.running.catch(() => {});
      await s.writer.abort();
    }).catch(() => {});
  }

  #state(upload: AssembledUpload): Promise<State> {
    let state = this.#states.get(upload.id);
    if (!state) {
      if (this.#states.size >= MAX_STATES) this.forget(this.#states.keys().next().value!);
      state = this.#storage.create(assembledKey(upload.id)).then((writer) => ({
        hash: createHash("md5"),
        writer,
        buffer: new ArrayBuffer(STEP),
        next: 0,
        running: null,
        again: false,
      }));
      this.#states.set(upload.id, state);
      state.catch(() => this.#states.delete(upload.id));
    }
    return state;
  }

  async #run(upload: AssembledUpload, state: State): Promise<void> {
    if (state.running) {
      state.again = true;
      return;
    }
    const run = async () => {
      do {
        state.again = false;
        while (state.next < count(upload) && await this.#take(upload, state)) { /* next */ }
      } while (state.again && state.next < count(upload));
    };
    state.running = run().finally(() => state.running = null);
    await state.running;
  }

  /** Hashes and appends chunk `state.next` when it is stored whole; false when it is not (yet). */
  async #take(upload: AssembledUpload, state: State): Promise<boolean> {
    const length = lengthOf(upload, state.next);
    const object = await this.#storage.get(`uploads/${upload.id}/${state.next}`);
    if (!object) return false;
    if (object.size !== length) {
      await object.body.cancel();
      return false;
    }
    const reader = new PieceReader(object.body, length);
    try {
      while (reader.left > 0) {
        const piece = await reader.readInto(new Uint8Array(state.buffer));
        state.hash.update(piece);
        await state.writer.write(piece);
        state.buffer = piece.buffer as ArrayBuffer;
      }
    } finally {
      await reader.cancel("read").catch(() => {});
    }
    state.next++;
    return true;
  }
}
