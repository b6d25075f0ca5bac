/**
 * `POST /api/login`, `POST /api/logout`, `GET /api/me`.
 *
 * @module
 */
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { hashPassword, verifyPassword } from "../store/password.ts";
import { ACCOUNT_ID } from "../store/users.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { ApiError, badRequest, notFound, unavailable } from "./errors.ts";
import { requireSession, SESSION_COOKIE } from "./session_middleware.ts";

/** A hash to verify against when the account does not exist, so timing does not tell. */
const DUMMY_HASH = await hashPassword(crypto.randomUUID());

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
    const address = (c.env as Deno.ServeHandlerInfo<Deno.NetAddr> | undefined)?.remoteAddr
      ?.hostname ?? "local";
    const keys = [`acct:${accountid.slice(0, 40).toLowerCase()}:${address}`];
    try {
      if ((await Promise.all(keys.map((k) => backend.loginLimiter.blocked(k)))).some(Boolean)) {
        c.header("Retry-After", String(deps.config.login.windowSeconds));
        throw new ApiError(429, "rate_limited", "too many failed logins; wait and retry");
      }
      const user = ACCOUNT_ID.test(accountid)
        ? await backend.users.findWithPassword(accountid)
        : null;
      const check = await verifyPassword(password, user?.passwordHash || DUMMY_HASH);
      if (!user || !check.ok) {
        await Promise.all(keys.map((k) => backend.loginLimiter.fail(k)));
        throw new ApiError(401, "bad_credentials", "wrong account or password");
      }
      if (check.needsRehash) {
        await backend.users.setPassword(user.accountid, await hashPassword(password));
      }
      await Promise.all(keys.map((k) => backend.loginLimiter.reset(k)));
      // The stored spelling: account lookups ignore case (MySQL's collation), identities do not.
      const token = await backend.sessions.create(user.accountid);
      setCookie(c, SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "Lax",
        secure: new URL(c.req.url).protocol === "https:",
        path: "/",
        maxAge: deps.config.session.ttlSeconds,
      });
      const { passwordHash: _, ...publicUser } = user;
      return c.json({ user: publicUser, token });
    } catch (error) {
      if (error instanceof ApiError) throw error;
      deps.log(`login failed on a store: ${error}`);
      throw unavailable("login is unavailable; retry later");
    }
  });

  app.post("/logout", requireSession(deps), async (c) => {
    await backend.sessions.destroy(c.get("token"));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });

  app.get("/me", requireSession(deps), async (c) => {
    const user = await backend.users.find(c.get("accountid"));
    if (!user) throw notFound("your account no longer exists");
    return c.json({ user });
  });

  return app;
}
