/**
 * Who is asking: the session middleware (cookie, bearer token, or `?token=` for WebSocket
 * clients) and the Origin check for browser requests that change state.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { ResolvedConfig } from "../config/mod.ts";
import { tokenKey } from "../store/sessions.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { ApiError, forbidden, unavailable } from "./errors.ts";
import { fromTrustedProxy } from "./request_address.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "chat_session";

/** The token a request carries, if any. */
export function requestToken(c: Context, allowQuery: boolean): string | null {
  const auth = c.req.header("authorization");
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim();
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) return cookie;
  return allowQuery ? c.req.query("token") ?? null : null;
}

/** Rejects a request without a live session with 401; sets `accountid`, `token`, `sessionKey`. */
export function requireSession(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = requestToken(c, c.req.path === "/ws");
    if (!token) throw new ApiError(401, "unauthorized", "log in first: no session");
    let accountid: string | null;
    try {
      accountid = await deps.backend.sessions.resolve(token);
    } catch (error) {
      deps.log(`session lookup failed: ${error}`, "warn");
      throw unavailable("sessions are unavailable; retry later");
    }
    if (!accountid) throw new ApiError(401, "unauthorized", "session expired or unknown");
    c.set("accountid", accountid);
    c.set("token", token);
    // What a WebSocket remembers of its session: the hash, never the token itself.
    c.set("sessionKey", await tokenKey(token));
    await next();
  };
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Browser requests that change state and WebSocket upgrades must come from the server's own
 * origin or a configured one. Requests without `Origin` (scripts, curl) are not from a page.
 */
export function checkOrigin(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
    if (origin !== undefined && (UNSAFE.has(c.req.method) || upgrade)) {
      const own = ownOrigin(c, deps.config);
      if (origin !== own && !deps.config.allowedOrigins.includes(origin)) {
        throw forbidden(`origin ${origin} is not allowed`);
      }
    }
    await next();
  };
}

/**
 * The server's own origin: the public URL when one is configured (behind a proxy the `Host`
 * header is the proxy's business), else the request's own, with `X-Forwarded-Proto` believed
 * only from a trusted proxy.
 */
function ownOrigin(c: Context, config: ResolvedConfig): string {
  if (config.publicUrl) return new URL(config.publicUrl).origin;
  const url = new URL(c.req.url);
  const host = c.req.header("host") ?? url.host;
  const forwarded = fromTrustedProxy(c, config.http.trustedProxies)
    ? c.req.header("x-forwarded-proto")
    : undefined;
  const proto = forwarded === "https" || forwarded === "http" ? `${forwarded}:` : url.protocol;
  return `${proto}//${host}`;
}

/**
 * The session cookie is `Secure` when people reach the server over https: the public URL says
 * so, the request itself was https, or a trusted proxy says it terminated TLS.
 */
export function secureCookie(c: Context, config: ResolvedConfig): boolean {
  if (config.publicUrl) return new URL(config.publicUrl).protocol === "https:";
  if (new URL(c.req.url).protocol === "https:") return true;
  return fromTrustedProxy(c, config.http.trustedProxies) &&
    c.req.header("x-forwarded-proto") === "https";
}
