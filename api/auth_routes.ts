/**
 * `POST /api/login`, `POST /api/logout`, `GET /api/me`.
 *
 * @module
 */
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { DirectoryUnavailableError } from "../store/directory.ts";
import { hashPassword } from "../store/password.ts";
import { checkCredentials } from "./credentials.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { ApiError, badRequest, notFound, unavailable } from "./errors.ts";
import { loginAttempt } from "./login_attempt.ts";
import { requestClientAddress } from "./request_address.ts";
import { requireSession, secureCookie, SESSION_COOKIE } from "./session_middleware.ts";

/** The authentication routes. */
export function authRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { backend } = deps;

  app.post("/login", async (c) => {
    const body = await c.req.json().catch(() => null) as Record<string, unknown> | null;
    if (!body || typeof body.accountid !== "string" || typeof body.password !== "string") {
      throw badRequest(`body must be {"accountid":"...","password":"..."}`);
    }
    const { accountid, password } = body as { accountid: string; password: string };
    const result = (name: string) => deps.metrics?.logins.inc({ result: name });
    const directoryError = (error: DirectoryUnavailableError, outcome: string) => {
      deps.metrics?.directoryErrors.inc({ during: error.during });
      deps.log(`login of ${accountid.slice(0, 40)}: ${error.message}; ${outcome}`, "warn");
    };
    const attempt = loginAttempt(
      accountid,
      requestClientAddress(c, deps.config.http.trustedProxies),
    );
    try {
      // Counted before the password is checked (a check takes ~80 ms): guesses sent in
      // parallel cannot all pass a count that would only be made afterwards.
      const reservation = await backend.loginLimiter.reserve(attempt);
      if (!reservation.allowed) {
        result("rate_limited");
        c.header("Retry-After", String(reservation.retryAfterSeconds));
        throw new ApiError(429, "rate_limited", "too many failed logins; wait and retry");
      }
      const check = await checkCredentials(
        {
          users: backend.users,
          directory: deps.directory,
          settings: deps.config.directory,
          onDirectoryError: (error) => directoryError(error, "local account checked instead"),
        },
        accountid,
        password,
      );
      if (!check.ok) {
        result("bad_credentials");
        throw new ApiError(401, "bad_credentials", "wrong account or password");
      }
      const { user } = check;
      // Said only to whoever knows the password; the attempt still counts as a failure.
      if (user.disabled) {
        result("disabled");
        throw new ApiError(403, "forbidden", "this account is disabled");
      }
      if (check.via === "local" && check.needsRehash) {
        await backend.users.setPassword(user.accountid, await hashPassword(password));
      }
      await backend.loginLimiter.succeeded(attempt);
      // The stored spelling: account lookups ignore case (MySQL's collation), identities do not.
      const token = await backend.sessions.create(user.accountid);
      setCookie(c, SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "Lax",
        secure: secureCookie(c, deps.config),
        path: "/",
        maxAge: deps.config.session.ttlSeconds,
      });
      result("ok");
      const { passwordHash: _, disabled: __, ...publicUser } = user;
      return c.json({ user: publicUser, token });
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (error instanceof DirectoryUnavailableError) {
        result("directory_unavailable");
        directoryError(error, "login refused");
        throw unavailable("the company directory cannot be reached; try again in a moment");
      }
      result("unavailable");
      deps.log(`login failed on a store: ${error}`, "warn");
      throw unavailable("login is unavailable; retry later");
    }
  });

  app.post("/logout", requireSession(deps), async (c) => {
    await backend.sessions.destroy(c.get("token"));
    // This node's sockets of the session close at once; other nodes hear it from the store.
    deps.gateway.endSessions([c.get("sessionKey")]);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: secureCookie(c, deps.config) });
    return c.body(null, 204);
  });

  app.get("/me", requireSession(deps), async (c) => {
    const user = await backend.users.find(c.get("accountid"));
    if (!user) throw notFound("your account no longer exists");
    return c.json({ user });
  });

  return app;
}
