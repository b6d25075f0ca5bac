/**
 * `/metrics`: scraped before and after traffic on a real server (Redis + MySQL, its archive
 * worker running), the counters move by what happened; and who may read it (the allow-list,
 * the token, a proxy the server does not trust).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { openAppHarness } from "./support/app_harness.ts";
import { eventually, startTestServer } from "./support/chat_server.ts";

/** The exposition as series → value (comments and HELP/TYPE lines left out). */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert(match, `not an exposition line: ${line}`);
    series.set(match[1], Number(match[2]));
  }
  return series;
}

async function scrape(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/metrics`, { headers });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type"), text };
}

Deno.test("/metrics scraped before and after traffic: the counters move", async () => {
  const t = await startTestServer({ configure: (c) => c.limits.sendBurst = 100 });
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const before = await scrape(t.url);
    assertEquals(before.status, 200, before.text);
    assertEquals(before.type, "text/plain; version=0.0.4; charset=utf-8");
    const b = parse(before.text);
    assertEquals(b.get("webchat_websockets_open"), 0);
    assertEquals(b.get("webchat_messages_in_total"), 0);
    assert(b.get("process_resident_memory_bytes")! > 0);
    assertEquals(b.get('webchat_worker_state{state="alive"}'), 1);

    await t.api(null, "/api/login", {
      method: "POST",
      body: JSON.stringify({ accountid: "alice", password: "wrong" }),
    });
    const ws = await t.connect("alice", await t.login("alice"));
    for (let i = 0; i < 3; i++) {
      ws.send({ type: "say", chatid: "alice--bob", content: `m${i}`, cid: `c${i}` });
      await ws.next((f) => f.type === "ack" && f.cid === `c${i}`);
    }
    ws.sendText("not json");
    await ws.next((f) => f.type === "error");
    const after = await eventually(
      async () => {
        const series = parse((await scrape(t.url)).text);
        return series.get("webchat_archived_messages_total") === 3 ? series : null;
      },
      10_000,
      "3 archived",
    );
    const moved = (name: string) => (after.get(name) ?? 0) - (b.get(name) ?? 0);
    assertEquals(moved('webchat_logins_total{result="ok"}'), 1);
    assertEquals(moved('webchat_logins_total{result="bad_credentials"}'), 1);
    assertEquals(moved('webchat_errors_total{code="bad_credentials",via="http"}'), 1);
    assertEquals(moved('webchat_errors_total{code="bad_request",via="ws"}'), 1);
    assertEquals(moved('webchat_frames_in_total{type="say"}'), 3);
    assertEquals(moved('webchat_frames_in_total{type="invalid"}'), 1);
    assertEquals(moved("webchat_messages_in_total"), 3);
    // Each message went to alice's one connection (bob is offline).
    assertEquals(moved("webchat_messages_out_total"), 3);
    // init, 3 acks, 3 says, 1 error at least.
    assert(moved("webchat_frames_out_total") >= 8);
    assertEquals(after.get("webchat_websockets_open"), 1);
    assertEquals(moved("webchat_websocket_connections_total"), 1);
    assertEquals(after.get('webchat_accounts_online{scope="node"}'), 1);
    assertEquals(after.get("webchat_queue_pending"), 0);
    // Nothing waits once the batch is acknowledged (a moment after it is counted): no lag,
    // nothing in flight or parked.
    await eventually(
      async () => {
        const series = parse((await scrape(t.url)).text);
        const names = ["archive_lag_seconds", "queue_in_flight", "queue_parked"];
        return names.every((name) => series.get(`webchat_${name}`) === 0) ? true : null;
      },
      10_000,
      "no lag, nothing in flight",
    );
    assert(after.get("webchat_archive_batch_size_count")! >= 1);
    assert(after.get("webchat_archive_batch_seconds_count")! >= 1);
    assertEquals(after.get("webchat_archive_batch_size_sum"), 3);
    assert(moved('webchat_http_responses_total{status="200"}') >= 2);
    await ws.close();
  } finally {
    await t.close();
  }
});

Deno.test("/metrics: queue depth and archive lag grow while the archive worker is away", async () => {
  const t = await startTestServer({ worker: false });
  try {
    await t.addUser("alice");
    await t.addUser("bob");
    const ws = await t.connect("alice", await t.login("alice"));
    ws.send({ type: "say", chatid: "alice--bob", content: "waits", cid: "w" });
    await ws.next((f) => f.type === "ack" && f.cid === "w");
    const waited = await eventually(
      async () => {
        const series = parse((await scrape(t.url)).text);
        return series.get("webchat_archive_lag_seconds")! >= 2 ? series : null;
      },
      10_000,
      "a lag of 2 s",
    );
    assertEquals(waited.get("webchat_queue_pending"), 1);
    await ws.close();
  } finally {
    await t.close();
  }
});

Deno.test("/metrics: open to metrics.allow or with the token; never through an unknown proxy", async () => {
  const token = "metrics-token-0123456789";
  const h = await openAppHarness((c) => {
    c.metrics = { token, allow: ["127.0.0.1", "10.0.0.0/8"] };
    c.http.trustedProxies = ["192.168.1.1"];
  });
  try {
    const get = async (address: string, headers: Record<string, string> = {}) => {
      const response = await h.app.request("http://127.0.0.1:8080/metrics", { headers }, {
        remoteAddr: { transport: "tcp", hostname: address, port: 40_000 },
        completed: Promise.resolve(),
      } as Deno.ServeHandlerInfo<Deno.NetAddr>);
      await response.body?.cancel();
      return response.status;
    };
    assertEquals(await get("127.0.0.1"), 200);
    assertEquals(await get("10.9.8.7"), 200);
    assertEquals(await get("203.0.113.5"), 403);
    assertEquals(await get("203.0.113.5", { authorization: `Bearer ${token}` }), 200);
    assertEquals(await get("203.0.113.5", { authorization: `Bearer ${token}x` }), 403);
    // A proxy on this host that the server was not told to trust: everybody would look local.
    assertEquals(await get("127.0.0.1", { "x-forwarded-for": "203.0.113.5" }), 403);
    // Through the trusted proxy, the client behind it is what counts.
    assertEquals(await get("192.168.1.1", { "x-forwarded-for": "10.1.1.1" }), 200);
    assertEquals(await get("192.168.1.1", { "x-forwarded-for": "203.0.113.5" }), 403);
    const body = await (await h.app.request("http://127.0.0.1:8080/metrics", {
      headers: { authorization: `Bearer ${token}` },
    })).text();
    assert(/^# TYPE webchat_logins_total counter$/m.test(body), body);
  } finally {
    await h.close();
  }
});
