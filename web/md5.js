// @ts-check
/**
 * MD5 (RFC 1321), fed piece by piece: the upload API asks for the hex MD5 of the whole file
 * before its first chunk (it checks the bytes against it at the end and answers an instant
 * re-send for a file it holds already), and Web Crypto has no MD5. The file is read in slices,
 * so a 100 MiB file never sits in memory at once.
 *
 * @module
 */

/** Left rotations per round step. */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
/** The sine table: floor(|sin(i + 1)| × 2^32). */
const K = Int32Array.from(
  { length: 64 },
  (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32),
);

export class Md5 {
  #h = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  #block = new Uint8Array(64);
  #used = 0;
  #bytes = 0;
  #words = new Int32Array(16);

  /** Adds bytes. @param {Uint8Array} bytes */
  update(bytes) {
    this.#bytes += bytes.length;
    let i = 0;
    if (this.#used > 0) {
      const take = Math.min(64 - this.#used, bytes.length);
      this.#block.set(bytes.subarray(0, take), this.#used);
      this.#used += take;
      i = take;
      if (this.#used < 64) return this;
      this.#compress(this.#block, 0);
      this.#used = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.#compress(bytes, i);
    this.#block.set(bytes.subarray(i), 0);
    this.#used = bytes.length - i;
    return this;
  }

  /** The hex digest of everything added (the object is spent afterwards). */
  hex() {
    const bits = this.#bytes * 8;
    const tail = new Uint8Array(this.#used < 56 ? 64 - this.#used : 128 - this.#used);
    tail[0] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, bits >>> 0, true);
    view.setUint32(tail.length - 4, Math.floor(bits / 2 ** 32), true);
    const length = this.#bytes;
    this.update(tail);
    this.#bytes = length;
    const out = new DataView(new ArrayBuffer(16));
    for (let i = 0; i < 4; i++) out.setInt32(i * 4, this.#h[i], true);
    return [...new Uint8Array(out.buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** @param {Uint8Array} bytes @param {number} at */
  #compress(bytes, at) {
    const m = this.#words;
    for (let j = 0; j < 16; j++) {
      const p = at + j * 4;
      m[j] = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
    }
    let [a, b, c, d] = this.#h;
    for (let i = 0; i < 64; i++) {
      let f, g;
      if (i < 16) [f, g] = [(b & c) | (~b & d), i];
      else if (i < 32) [f, g] = [(d & b) | (~d & c), (5 * i + 1) % 16];
      else if (i < 48) [f, g] = [b ^ c ^ d, (3 * i + 5) % 16];
      else [f, g] = [c ^ (b | ~d), (7 * i) % 16];
      const s = SHIFTS[(i >> 4) * 4 + (i & 3)];
      const x = (a + f + K[i] + m[g]) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    const h = this.#h;
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
  }
}

/**
 * The hex MD5 of a file (a `Blob`), read 4 MiB at a time.
 * @param {Blob} blob
 * @param {(done: number) => void} [onProgress] bytes hashed so far
 * @param {() => boolean} [stopped] checked between slices: true gives up (rejects)
 */
export async function md5OfBlob(blob, onProgress, stopped) {
  const md5 = new Md5();
  const SLICE = 4 << 20;
  for (let at = 0; at < blob.size; at += SLICE) {
    if (stopped?.()) throw new DOMException("stopped", "AbortError");
    md5.update(new Uint8Array(await blob.slice(at, at + SLICE).arrayBuffer()));
    onProgress?.(Math.min(blob.size, at + SLICE));
  }
  return md5.hex();
}
