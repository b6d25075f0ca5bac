/**
 * The Hono environment of the API: what routes find on the context.
 *
 * @module
 */
import type { Log } from "../ops/log.ts";
import type { ResolvedConfig } from "../config/mod.ts";
import type { ChatMetrics } from "../ops/chat_metrics.ts";
import type { AdminHooks } from "./admin_routes.ts";
import type { Gateway } from "../gateway/gateway.ts";
import type { SupervisorReport } from "../queue/worker_supervisor.ts";
import type { Backend } from "../store/backend.ts";
import type { Directory } from "../store/directory.ts";
import type { UploadService } from "./upload_service.ts";

/** Dependencies every route may use. */
export interface AppDeps {
  config: ResolvedConfig;
  backend: Backend;
  gateway: Gateway;
  log: Log;
  /** Counters and gauges for `/metrics` (the route exists only with them). */
  metrics?: ChatMetrics;
  /** The admin endpoints' view of the server (they exist only with it). */
  admin?: AdminHooks;
  /** This node's archive worker, when it runs one (see `queue/worker_supervisor.ts`). */
  workerReport?: () => SupervisorReport | null;
  /** The company directory people log in with (`directory.url`); absent: local accounts only. */
  directory?: Directory;
  /** The upload service (the server's, whose sweeper runs); built from the backend if absent. */
  uploads?: UploadService;
}

/**
 * Hono generics: `accountid`, `token` and `sessionKey` (the token's hash, what the stores and
 * open WebSockets know a session by) are set by the session middleware.
 */
export interface AppEnv {
  Variables: { accountid: string; token: string; sessionKey: string };
}
