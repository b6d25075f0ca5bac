/**
 * The commands' side of the admin endpoints: `chat status` and `chat reload` ask the running
 * server (this machine's, found through its run file, or another host's with `--url`).
 *
 * @module
 */
import type { ServerReload } from "./server.ts";
import type { ServerStatus } from "./server_status.ts";

/** Where a server answers and the token it takes. */
export interface AdminTarget {
  url: string;
  token: string;
}

/** The endpoint answered with an error, or could not be reached. */
export class AdminRequestError extends Error {
  constructor(readonly status: number | null, message: string) {
    super(message);
    this.name = "AdminRequestError";
  }
}

async function call<T>(target: AdminTarget, path: string, method: string, timeoutMs: number) {
  let response: Response;
  try {
    response = await fetch(new URL(path, target.url), {
      method,
      headers: { authorization: `Bearer ${target.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = (error as Error)?.name === "TimeoutError"
      ? `no answer within ${timeoutMs / 1000} s`
      : String((error as Error)?.message ?? error);
    throw new AdminRequestError(null, `cannot reach ${target.url}: ${reason}`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: reported below
  }
  if (!response.ok) {
    const message = (body as { error?: { message?: string } })?.error?.message ??
      text.slice(0, 200);
    throw new AdminRequestError(
      response.status,
      `${target.url} answered ${response.status}: ${message}`,
    );
  }
  if (body === null) {
    throw new AdminRequestError(response.status, `${target.url}: not a JSON answer`);
  }
  return body as T;
}

/** `GET /api/admin/status`. */
export function fetchStatus(target: AdminTarget, timeoutMs = 5000): Promise<ServerStatus> {
  return call<ServerStatus>(target, "/api/admin/status", "GET", timeoutMs);
}

/** `POST /api/admin/reload` (the worker's restart takes a moment). */
export function requestReload(target: AdminTarget, timeoutMs = 30_000): Promise<ServerReload> {
  return call<ServerReload>(target, "/api/admin/reload", "POST", timeoutMs);
}
