/**
 * What one webChat process counts for `/metrics`: the counters the gateway, the routes and the
 * archive worker's host add to as things happen, and the gauges read when Prometheus scrapes
 * (connections, online accounts, the queue, the archive lag, memory).
 *
 * One instance per server, handed to the parts that count (no module-global registry), so two
 * servers in one test process count apart.
 *
 * @module
 */
import { VERSION } from "./version.ts";
import { Counter, Gauge, Histogram, type Labels, Registry } from "./prometheus.ts";

/** The queue's state as a scrape needs it (a subset of `api/queue_state.ts`'s answer). */
export interface ScrapedQueue {
  worker: string;
  pending: number;
  inFlight: number;
  parked: number;
  archiveLag: number;
}

/** What the gauges read, given by the server once its parts exist. */
export interface MetricSources {
  webSockets(): number;
  httpConnections(): number;
  /** Accounts with a logged-in socket on this node. */
  onlineHere(): number;
  /** Accounts online on any node. */
  onlineAll(): Promise<number>;
  /** Live nodes of the installation this node knows of, itself included (1 when alone). */
  nodes?(): number;
  queue(): Promise<ScrapedQueue>;
}

const WORKER_STATES = ["alive", "stalled", "restarting", "stopped", "not running"];

/** The counters and gauges of one server. */
export class ChatMetrics {
  readonly registry = new Registry();
  readonly startedAt = Date.now() / 1000;
  readonly webSocketsOpened = this.#counter(
    "webchat_websocket_connections_total",
    "WebSocket connections accepted",
  );
  readonly webSocketsRefused = this.#counter(
    "webchat_websocket_refused_total",
    "WebSocket connections closed at once, by reason (capacity, account, shutdown)",
  );
  readonly logins = this.#counter(
    "webchat_logins_total",
    "POST /api/login answers by result (ok, bad_credentials, rate_limited, disabled, unavailable, " +
      "directory_unavailable)",
  );
  readonly directoryErrors = this.#counter(
    "webchat_directory_errors_total",
    "Calls to the company directory that failed, by step (connect, tls, bind, search)",
  );
  readonly framesIn = this.#counter(
    "webchat_frames_in_total",
    "WebSocket frames received, by type (invalid: not a frame the protocol knows)",
  );
  readonly framesOut = this.#counter("webchat_frames_out_total", "WebSocket frames sent");
  readonly messagesIn = this.#counter(
    "webchat_messages_in_total",
    "Messages accepted and queued (say frames acknowledged, repeats of a cid not counted)",
  );
  readonly messagesOut = this.#counter(
    "webchat_messages_out_total",
    "Messages delivered: say frames sent to participants' connections",
  );
  readonly nodeDeliveries = this.#counter(
    "webchat_node_deliveries_total",
    "Deliveries handed to other nodes (out) and from them (in), one per node and delivery",
  );
  readonly nodeCatchUps = this.#counter(
    "webchat_node_catchups_total",
    "Times this node's link to the others came back and its clients were told to catch up",
  );
  readonly errors = this.#counter(
    "webchat_errors_total",
    "Errors answered, by code and by where (ws: error frames, http: error responses)",
  );
  readonly httpResponses = this.#counter(
    "webchat_http_responses_total",
    "HTTP answers by status code",
  );
  readonly archived = this.#counter(
    "webchat_archived_messages_total",
    "Messages this node's archive worker stored and acknowledged",
  );
  readonly batchSize = this.registry.add(
    new Histogram("webchat_archive_batch_size", "Messages per archived batch", [
      1,
      5,
      10,
      50,
      100,
      250,
      500,
      1000,
      5000,
    ]),
  );
  readonly batchSeconds = this.registry.add(
    new Histogram(
      "webchat_archive_batch_seconds",
      "Time from taking a batch to acknowledging it (archive insert, recent index, ack)",
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
  );

  #counter(name: string, help: string): Counter {
    return this.registry.add(new Counter(name, help));
  }

  /** Counts an error answered with `code` over `via`. */
  error(code: string, via: "ws" | "http"): void {
    this.errors.inc({ code, via });
  }

  /** Records one archived batch. */
  batch(size: number, seconds: number): void {
    this.archived.inc(undefined, size);
    this.batchSize.observe(size);
    this.batchSeconds.observe(seconds);
  }

  /**
   * Registers the gauges read at scrape time. The queue is asked once per scrape, however
   * many gauges show a part of it.
   */
  watch(sources: MetricSources): void {
    let queued: { at: number; state: Promise<ScrapedQueue> } | undefined;
    const queue = () => {
      if (!queued || Date.now() - queued.at > 500) {
        queued = { at: Date.now(), state: sources.queue() };
      }
      return queued.state;
    };
    const gauge = (name: string, help: string, collect: ConstructorParameters<typeof Gauge>[2]) =>
      this.registry.add(new Gauge(name, help, collect));
    gauge(
      "webchat_build_info",
      "Version of this server (always 1)",
      () => [[{ version: VERSION }, 1]],
    );
    gauge("process_start_time_seconds", "Start of the process, unix seconds", () => this.startedAt);
    gauge("process_resident_memory_bytes", "Resident memory", () => Deno.memoryUsage().rss);
    gauge(
      "webchat_js_heap_used_bytes",
      "JavaScript heap in use",
      () => Deno.memoryUsage().heapUsed,
    );
    gauge(
      "webchat_js_heap_total_bytes",
      "JavaScript heap reserved",
      () => Deno.memoryUsage().heapTotal,
    );
    gauge("process_open_fds", "Open file descriptors", openDescriptors);
    gauge("webchat_websockets_open", "Open WebSocket connections", () => sources.webSockets());
    gauge(
      "webchat_http_connections_open",
      "Open HTTP connections (upgraded ones not counted)",
      () => sources.httpConnections(),
    );
    gauge(
      "webchat_nodes",
      "Live nodes of the installation this node knows of, itself included",
      () => sources.nodes?.() ?? 1,
    );
    gauge("webchat_accounts_online", "Accounts online: on this node, on all nodes", async () => [
      [{ scope: "node" }, sources.onlineHere()],
      [{ scope: "all" }, await sources.onlineAll()],
    ]);
    gauge(
      "webchat_queue_pending",
      "Messages waiting for the archive worker",
      async () => (await queue()).pending,
    );
    gauge(
      "webchat_queue_in_flight",
      "Messages taken by a worker, not yet acknowledged",
      async () => (await queue()).inFlight,
    );
    gauge(
      "webchat_queue_parked",
      "Messages the archive refused, kept aside",
      async () => (await queue()).parked,
    );
    gauge(
      "webchat_archive_lag_seconds",
      "How long the oldest message not yet archived has waited",
      async () => (await queue()).archiveLag,
    );
    gauge(
      "webchat_worker_state",
      "The archive worker's state (1 for the current one)",
      async () => {
        const state = (await queue()).worker;
        return WORKER_STATES.map((s): [Labels, number] => [{ state: s }, s === state ? 1 : 0]);
      },
    );
  }

  /** The exposition text. */
  render(): Promise<string> {
    return this.registry.render();
  }
}

/** Open descriptors of this process (Linux); NaN where `/proc` cannot tell. */
function openDescriptors(): number {
  try {
    let count = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) count++;
    return count;
  } catch {
    return NaN;
  }
}
