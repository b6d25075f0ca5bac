/**
 * The in-process tier: the Hono app of `api/app.ts` over the embedded backend on a temporary
 * data folder, answered through `app.request()`, with no port, no socket and no worker. The
 * gateway is built as `api/server.ts` builds it but never started (no heartbeat timer).
 *
 * @module
 */
import { testUser } from "./fixtures.ts";
import type { Hono } from "hono";
import { createApp } from "../../api/app.ts";
import type { AppEnv } from "../../api/app_env.ts";
import { defaultConfig, type ResolvedConfig } from "../../config/mod.ts";
import { Gateway } from "../../gateway/gateway.ts";
import { Hub } from "../../gateway/hub.ts";
import { TypingGate } from "../../gateway/typing.ts";
import { ChatMetrics } from "../../ops/chat_metrics.ts";
import { type ChatMessage, newMid } from "../../queue/message.ts";
import type { Backend } from "../../store/backend.ts";
import { openEmbeddedBackend } from "../../store/backend_embedded.ts";
import { hashPassword } from "../../store/password.ts";
import type { Frame } from "./ws_client.ts";

/** Where `app.request` pretends to be served: the origin the Origin check sees as its own. */
export const APP_ORIGIN = "http://127.0.0.1:8080";
/** The password of every account {@link AppHarness.addUser} makes. */
export const APP_PASSWORD = "right-password";

/** One scrypt hash for every test account of the process: hashing is the slow part. */
let sharedHash: Promise<string> | undefined;

/** An answer, with its JSON body parsed (null when empty). */
export interface AppAnswer {
  status: number;
  headers: Headers;
  body: Frame | null;
}

/** Options of {@link AppHarness.request}. */
export interface AppRequestInit extends RequestInit {
  /** Sent as `Authorization: Bearer …`. */
  token?: string;
  /** The client address the server sees (`remoteAddr` of `Deno.serve`); default 127.0.0.1. */
  address?: string;
  /** A JSON body (sets the content type). */
  json?: unknown;
}

/** The app and its backend for one test. */
export interface AppHarness {
  app: Hono<AppEnv>;
  backend: Backend;
  config: ResolvedConfig;
  /** Lines the app logged. */
  logs: string[];
  request(path: string, init?: AppRequestInit): Promise<AppAnswer>;
  /** The app's raw answer to a request from 127.0.0.1 (for streams and binary bodies). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Adds an account whose password is {@link APP_PASSWORD}. */
  addUser(accountid: string, username?: string): Promise<void>;
  /** A session straight from the store (no scrypt): its token. */
  session(accountid: string): Promise<string>;
  /** Queues, archives and indexes a text message, as the gateway and the worker do. */
  say(chatid: string, fromuser: string, text: string): Promise<ChatMessage>;
  /** Closes the backend and removes the data folder. */
  close(): Promise<void>;
}

/** Opens a harness; always `await h.close()` in a `finally`. */
export async function openAppHarness(
  configure: (config: ResolvedConfig) => void = () => {},
): Promise<AppHarness> {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-app-" });
  const config = { ...defaultConfig(), dataDir, redisUrl: null, mysqlUrl: null };
  configure(config);
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const backend = await openEmbeddedBackend(config, "app-test", log);
  // Every store of the backend, as the gateway's context names them.
  const gateway = new Gateway({
    ...backend,
    config,
    hub: new Hub(),
    typing: new TypingGate(),
    log,
  });
  // Counters only (no gauges watched): enough for `/metrics` access and format checks.
  const app = createApp({ config, backend, gateway, log, metrics: new ChatMetrics() });
  sharedHash ??= hashPassword(APP_PASSWORD);

  return {
    app,
    backend,
    config,
    logs,
    async request(path, init = {}) {
      const { token, address = "127.0.0.1", json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set("authorization", `Bearer ${token}`);
      if (json !== undefined) headers.set("content-type", "application/json");
      const body = json === undefined ? rest.body : JSON.stringify(json);
      const info: Deno.ServeHandlerInfo<Deno.NetAddr> = {
        remoteAddr: { transport: "tcp", hostname: address, port: 40_000 },
        completed: Promise.resolve(),
      };
      const response = await app.request(`${APP_ORIGIN}${path}`, { ...rest, headers, body }, info);
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text ? JSON.parse(text) : null,
      };
    },
    fetch: async (path, init = {}) => {
      const info: Deno.ServeHandlerInfo<Deno.NetAddr> = {
        remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40_000 },
        completed: Promise.resolve(),
      };
      return await app.request(`${APP_ORIGIN}${path}`, init, info);
    },
    async addUser(accountid, username = accountid.toUpperCase()) {
      await backend.users.add(testUser(accountid, username), await sharedHash!);
    },
    session: (accountid) => backend.sessions.create(accountid),
    async say(chatid, fromuser, text) {
      const result = await backend.producer.enqueue({
        mid: newMid(),
        chatid,
        fromuser,
        message: text,
        type: 0,
        fileId: "",
        time: Math.floor(Date.now() / 1000),
        cid: "",
        members: chatid.split("--"),
      });
      if (result.duplicate) throw new Error("a harness message has no cid, so no duplicate");
      const message = result.message;
      await backend.archive.saveMessages([message]);
      await backend.recent.record([message]);
      return message;
    },
    async close() {
      await gateway.close();
      await backend.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
