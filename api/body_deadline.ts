/**
 * A deadline for a request's body, as the header timeout is one for its head: a client that
 * sends its body a byte at a time would otherwise hold the connection for as long as it likes,
 * past every HTTP clock. The body must arrive within an allowance plus one second per
 * `minBytesPerSecond` received (Apache's mod_reqtimeout rule), so a large upload over a slow
 * link keeps going and a trickle is cut.
 *
 * @module
 */

/** Below this rate a body is a trickle, not a slow link (a 56k modem sends 7,000 bytes/s). */
export const MIN_BODY_BYTES_PER_SECOND = 500;

/**
 * `request` with its body read through a deadline; `expire` is called (once) when the body is
 * late. Requests without a body are returned as they are.
 */
export function withBodyDeadline(
  request: Request,
  allowanceMs: number,
  expire: () => void,
  minBytesPerSecond = MIN_BODY_BYTES_PER_SECOND,
): { request: Request; settle(): void } {
  const source = request.body;
  if (!source) return { request, settle: () => {} };
  const start = performance.now();
  let received = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    const deadline = start + allowanceMs + (received / minBytesPerSecond) * 1000;
    timer = setTimeout(expire, Math.max(0, deadline - performance.now()));
  };
  const settle = () => clearTimeout(timer);
  arm();
  const body = byteStreamReader(source)
    ? passBytes(source, (n) => {
      received += n;
      arm();
    }, settle)
    : passChunks(source, (n) => {
      received += n;
      arm();
    }, settle);
  return {
    request: new Request(request, { body, duplex: "half" } as RequestInit),
    settle,
  };
}

/** Whether `stream` can be read into buffers the reader gives (a byte stream). */
function byteStreamReader(stream: ReadableStream<Uint8Array>): boolean {
  try {
    stream.getReader({ mode: "byob" }).releaseLock();
    return true;
  } catch {
    return false;
  }
}

/**
 * A byte stream over a byte stream: a reader that brings its own buffer (a chunk streamed to
 * disk reuses one) gets the bytes read straight into it, so a large upload leaves no buffer
 * per piece behind for the garbage collector.
 */
function passBytes(
  source: ReadableStream<Uint8Array>,
  counted: (bytes: number) => void,
  settle: () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader({ mode: "byob" });
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 64 * 1024,
    async pull(controller: ReadableByteStreamController) {
      const request = controller.byobRequest!;
      const view = request.view!;
      try {
        const { done, value } = await reader.read(
          new Uint8Array(view.buffer, view.byteOffset, view.byteLength),
        );
        if (done) {
          settle();
          controller.close();
          // A closed byte stream still owes the pending request an answer of 0 bytes.
          if (value) request.respondWithNewView(value);
          return;
        }
        counted(value.byteLength);
        request.respondWithNewView(value);
      } catch (error) {
        settle();
        controller.error(error);
      }
    },
    cancel(reason) {
      settle();
      return reader.cancel(reason);
    },
  });
}

/** A plain stream over any stream, piece by piece. */
function passChunks(
  source: ReadableStream<Uint8Array>,
  counted: (bytes: number) => void,
  settle: () => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          settle();
          controller.close();
          return;
        }
        counted(value.byteLength);
        controller.enqueue(value);
      } catch (error) {
        settle();
        controller.error(error);
      }
    },
    cancel(reason) {
      settle();
      return reader.cancel(reason);
    },
  });
}
