/**
 * The Hono environment of the API: what routes find on the context.
 *
 * @module
 */
import type { ResolvedConfig } from "../config/mod.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { Backend } from "../store/backend.ts";

/** Dependencies every route may use. */
export interface AppDeps {
  config: ResolvedConfig;
  backend: Backend;
  gateway: Gateway;
  log: (line: string) => void;
}

/**
 * Hono generics: `accountid`, `token` and `sessionKey` (the token's hash, what the stores and
 * open WebSockets know a session by) are set by the session middleware.
 */
export interface AppEnv {
  Variables: { accountid: string; token: string; sessionKey: string };
}
