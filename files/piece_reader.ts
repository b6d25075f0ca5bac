/**
 * Reads a known length of a stream into buffers the caller gives, so a loop over a large file
 * uses one buffer again and again instead of leaving one per piece for the garbage collector.
 *
 * @module
 */

/**
 * Reads `length` bytes of a stream into buffers given by the caller: straight into them from a
 * byte stream, copied from any other (the rest of a piece is kept for the next read).
 */
export class PieceReader {
  readonly #byob: ReadableStreamBYOBReader | null;
  readonly #plain: ReadableStreamDefaultReader<Uint8Array> | null;
  #rest: Uint8Array | null = null;
  /** Bytes still to read. */
  left: number;

  constructor(stream: ReadableStream<Uint8Array>, length: number) {
    let byob: ReadableStreamBYOBReader | null = null;
    try {
      byob = stream.getReader({ mode: "byob" });
    } catch {
      // not a byte stream
    }
    this.#byob = byob;
    this.#plain = byob ? null : stream.getReader();
    this.left = length;
  }

  /** Some bytes (at least one), read into (the moved buffer of) `target`. */
  async readInto(target: Uint8Array): Promise<Uint8Array> {
    const room = target.subarray(0, Math.min(target.byteLength, this.left));
    let value: Uint8Array;
    if (this.#byob) {
      const read = await this.#byob.read(room);
      if (read.done || read.value.byteLength === 0) throw new Error("a chunk ended early");
      value = read.value;
    } else {
      let piece = this.#rest;
      this.#rest = null;
      if (!piece) {
        const read = await this.#plain!.read();
        if (read.done) throw new Error("a chunk ended early");
        piece = read.value;
      }
      const n = Math.min(piece.byteLength, room.byteLength);
      room.set(piece.subarray(0, n));
      if (n < piece.byteLength) this.#rest = piece.subarray(n);
      value = room.subarray(0, n);
    }
    this.left -= value.byteLength;
    return value;
  }

  cancel(reason: unknown): Promise<void> {
    return (this.#byob ?? this.#plain)!.cancel(reason);
  }
}
