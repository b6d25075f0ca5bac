/**
 * A client of the upload API for tests and the benchmark: start, chunks (in any order, several
 * at once), complete, over any `fetch` (a real server's, or the in-process app's).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Frame } from "./ws_client.ts";

/** A fetch relative to a server: `(path, init) => Response`. */
export type ServerFetch = (path: string, init?: RequestInit) => Promise<Response>;

/** The `fetch` of a server at `url`. */
export function fetchAt(url: string): ServerFetch {
  return (path, init) => fetch(url + path, init);
}

/** MD5 of bytes, hex. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** `n` bytes that differ everywhere (a counter mixed with `seed`), not compressible. */
export function testBytes(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** An answer with its JSON body (null when empty or not JSON). */
export interface JsonAnswer {
  status: number;
  body: Frame | null;
  headers: Headers;
}

async function json(response: Response): Promise<JsonAnswer> {
  const text = await response.text();
  let body: Frame | null = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  return { status: response.status, body, headers: response.headers };
}

/** The upload API as one account. */
export class UploadClient {
  constructor(readonly fetch: ServerFetch, readonly token: string) {}

  #headers(extra: Record<string, string> = {}) {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  /** `POST /api/uploads`. */
  async start(body: unknown): Promise<JsonAnswer> {
    return json(
      await this.fetch("/api/uploads", {
        method: "POST",
        headers: this.#headers({ "content-type": "application/json" }),
        body: JSON.stringify(body),
      }),
    );
  }

  /** `PUT /api/uploads/:id/chunks/:index` with `bytes` (or a stream). */
  async chunk(
    uploadId: string,
    index: number | string,
    bytes: Uint8Array | ReadableStream<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<JsonAnswer> {
    const init: RequestInit & { duplex?: string } = {
      method: "PUT",
      headers: this.#headers({ "content-type": "application/octet-stream" }),
      body: bytes as BodyInit,
      signal,
    };
    if (bytes instanceof ReadableStream) init.duplex = "half";
    return json(await this.fetch(`/api/uploads/${uploadId}/chunks/${index}`, init));
  }

  /** `POST /api/uploads/:id/complete`. */
  async complete(uploadId: string): Promise<JsonAnswer> {
    return json(
      await this.fetch(`/api/uploads/${uploadId}/complete`, {
        method: "POST",
        headers: this.#headers(),
      }),
    );
  }

  /** `GET` of a file's URL; the body as bytes. */
  async download(url: string, headers: Record<string, string> = {}) {
    const response = await this.fetch(url, { headers: this.#headers(headers) });
    return {
      status: response.status,
      headers: response.headers,
      bytes: new Uint8Array(await response.arrayBuffer()),
    };
  }

  /**
   * Uploads `bytes` whole: start, then every chunk not yet received, `parallel` at a time in
   * `order` (default: a shuffle), then complete. Returns the `File`.
   */
  async upload(
    bytes: Uint8Array,
    options: { name?: string; mime?: string; parallel?: number; order?: number[] } = {},
  ): Promise<Frame> {
    const started = await this.start({
      name: options.name ?? "data.bin",
      size: bytes.length,
      mime: options.mime ?? "application/octet-stream",
      md5: md5Hex(bytes),
    });
    if (started.status !== 200) throw new Error(`start: ${JSON.stringify(started.body)}`);
    if (started.body!.file) return started.body!.file;
    const { uploadId, chunkSize, received } = started.body!;
    await this.sendChunks(uploadId, chunkSize, bytes, received, options);
    const done = await this.complete(uploadId);
    if (done.status !== 200) throw new Error(`complete: ${JSON.stringify(done.body)}`);
    return done.body!.file;
  }

  /** Sends the chunks of `bytes` not in `received`. */
  async sendChunks(
    uploadId: string,
    chunkSize: number,
    bytes: Uint8Array,
    received: number[],
    options: { parallel?: number; order?: number[] } = {},
  ): Promise<void> {
    const count = Math.ceil(bytes.length / chunkSize);
    const order = (options.order ?? shuffled(count)).filter((i) => !received.includes(i));
    let next = 0;
    const lane = async () => {
      while (next < order.length) {
        const index = order[next++];
        const part = bytes.subarray(index * chunkSize, (index + 1) * chunkSize);
        const answer = await this.chunk(uploadId, index, part);
        if (answer.status !== 204) {
          throw new Error(`chunk ${index}: ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.parallel ?? 3 }, lane));
  }
}

/** 0..n-1 in a random order. */
export function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
