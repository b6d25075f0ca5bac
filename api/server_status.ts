/**
 * What `GET /api/admin/status` answers and `chat status` shows: the process, its connections,
 * the queue (see `queue_state.ts`) and the stores.
 *
 * @module
 */
import type { QueueState } from "./queue_state.ts";

/** The process, as the server knows itself. */
export interface ProcessInfo {
  pid: number;
  version: string;
  /** Unix seconds. */
  startedAt: number;
  /** The address it listens on. */
  url: string;
  nodeId: string;
  /** "host:port": its row in `queue_deamon_status`. */
  nodeName: string;
  backend: "production" | "embedded";
  deno: string;
}

/** The answer of the status endpoint. */
export interface ServerStatus {
  process: ProcessInfo & { uptimeSeconds: number };
  connections: {
    /** Open WebSockets on this node. */
    webSockets: number;
    /** Open HTTP connections on this node (upgraded ones not counted). */
    http: number;
    /** Accounts with a logged-in socket on this node. */
    accountsHere: number;
    /** Accounts online on any node. */
    accountsOnline: number;
  };
  queue: QueueState;
  /** Each store: "ok" or what is wrong. */
  stores: Record<string, string>;
}
