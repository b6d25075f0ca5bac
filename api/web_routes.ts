/**
 * The chat page and its assets from `web/`, found next to this module (never via the working
 * directory), so a compiled binary that embeds `web/` serves the same files.
 *
 * @module
 */
import { Hono } from "hono";
import type { AppEnv } from "./app_env.ts";

const WEB = new URL("../web/", import.meta.url);
/**
 * Same-origin everything and no inline code. `connect-src 'self'` covers the page's own
 * WebSocket (CSP Level 3 matches ws:/wss: of the same host to 'self'), so no `ws:` source lets
 * injected code talk to any other host; `form-action 'self'` keeps forms from posting elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
};

/** `GET /` and `GET /web/<file>`. */
export function webRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const serve = async (name: string) => {
    if (!/^[a-z0-9_-]+\.[a-z0-9]+$/.test(name)) return null;
    try {
      const body = await Deno.readFile(new URL(name, WEB));
      const type = TYPES[name.split(".").pop()!] ?? "application/octet-stream";
      return new Response(body, {
        headers: {
          "content-type": type,
          "cache-control": "no-cache",
          "content-security-policy": CONTENT_SECURITY_POLICY,
        },
      });
    } catch {
      return null;
    }
  };
  app.get("/", async (c) => (await serve("index.html")) ?? c.notFound());
  app.get("/web/:name", async (c) => (await serve(c.req.param("name"))) ?? c.notFound());
  return app;
}
