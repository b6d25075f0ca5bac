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
  const reader = source.getReader();
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
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          settle();
          controller.close();
          return;
        }
        received += value.byteLength;
        arm();
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
  return {
    request: new Request(request, { body, duplex: "half" } as RequestInit),
    settle,
  };
}
