import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { listen, type ListenOptions } from "./listener.ts";

/** A listener on a free port of 127.0.0.1 with short clocks; the test overrides what it tests. */
function serve(options: Partial<ListenOptions> = {}) {
  const logs: string[] = [];
  const listener = listen({
    host: "127.0.0.1",
    port: 0,
    handler: () => new Response("ok"),
    headerTimeoutSeconds: 0.3,
    idleTimeoutSeconds: 0.3,
    caps: { total: 100, perAddress: 100, exempt: [] },
    log: (line) => logs.push(line),
    ...options,
  });
  return { listener, logs };
}

function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

const text = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds until the server closes `conn`, or null when it is still open after `ms`. */
async function closedWithin(conn: Deno.Conn, ms: number): Promise<number | null> {
  const start = performance.now();
  const buffer = new Uint8Array(4096);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"open">((resolve) => timer = setTimeout(() => resolve("open"), ms));
  try {
    while (true) {
      const n = await Promise.race([conn.read(buffer), timeout]);
      if (n === "open") return null;
      if (n === null) return performance.now() - start;
    }
  } catch {
    return performance.now() - start; // reset by the server
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

/** Sends one GET and reads its whole answer (the handlers here answer with a short body). */
async function get(conn: Deno.Conn, path = "/"): Promise<string> {
  await conn.write(text.encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
  const buffer = new Uint8Array(4096);
  let answer = "";
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`closed after ${JSON.stringify(answer)}`);
    answer += new TextDecoder().decode(buffer.subarray(0, n));
    const head = answer.indexOf("\r\n\r\n");
    const length = /content-length: (\d+)/i.exec(answer);
    if (head >= 0 && length && answer.length >= head + 4 + Number(length[1])) return answer;
  }
}

Deno.test("a connection that never sends a request is closed at the header timeout", async () => {
  const { listener } = serve();
  try {
    const after = await closedWithin(await connect(listener.port), 3000);
    assert(after !== null && after >= 250 && after < 1500, `closed after ${after} ms`);
  } finally {
    await listener.close();
  }
});

Deno.test("a request head dribbled a line at a time is closed at the header timeout", async () => {
  const { listener } = serve();
  const conn = await connect(listener.port);
  let dribbling = true;
  const dribble = (async () => {
    try {
      await conn.write(text.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      for (let i = 0; dribbling && i < 30; i++) {
        await sleep(100);
        await conn.write(text.encode(`X-Line-${i}: still coming\r\n`));
      }
    } catch { /* closed by the server, as it should */ }
  })();
  try {
    const after = await closedWithin(conn, 3000);
    assert(after !== null && after >= 250 && after < 1500, `closed after ${after} ms`);
  } finally {
    dribbling = false;
    await dribble;
    await listener.close();
  }
});

Deno.test("a kept-alive connection is closed when idle past the idle timeout", async () => {
  const { listener } = serve({ idleTimeoutSeconds: 0.4 });
  try {
    const conn = await connect(listener.port);
    assert((await get(conn)).startsWith("HTTP/1.1 200"));
    await sleep(250);
    // 250 ms idle is within the idle timeout, and past the first head the header clock is off.
    assert((await get(conn)).endsWith("ok"));
    const after = await closedWithin(conn, 3000);
    assert(after !== null && after >= 350 && after < 1500, `closed after ${after} ms`);
  } finally {
    await listener.close();
  }
});

Deno.test("a body that trickles in is cut; one sent at a modest pace is read", async () => {
  const { listener } = serve({
    handler: async (request) => new Response(String((await request.text()).length)),
  });
  /** Sends a POST of `total` bytes in `step`-byte pieces every 100 ms. */
  const post = async (conn: Deno.Conn, total: number, step: number) => {
    await conn.write(
      text.encode(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${total}\r\n\r\n`),
    );
    try {
      for (let sent = 0; sent < total; sent += step) {
        await conn.write(text.encode("x".repeat(Math.min(step, total - sent))));
        await sleep(100);
      }
    } catch { /* cut by the server */ }
  };
  try {
    // 50 bytes/s: far below 500 bytes/s, cut once the 300 ms allowance is spent.
    const trickle = await connect(listener.port);
    const trickling = post(trickle, 5000, 5);
    const after = await closedWithin(trickle, 3000);
    assert(after !== null && after >= 250 && after < 1500, `trickle cut after ${after} ms`);
    await trickling;
    // 2,000 bytes/s for a second: longer than the allowance, but never behind the rate.
    const steady = await connect(listener.port);
    void post(steady, 2000, 200);
    const answer = new TextDecoder().decode(await readAll(steady));
    assert(answer.startsWith("HTTP/1.1 200") && answer.endsWith("2000"), answer);
  } finally {
    await listener.close();
  }
});

/** Reads until the server closes (the listener closes idle connections after its idle clock). */
async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  while (true) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  conn.close();
  return new Uint8Array(chunks.flatMap((c) => [...c]));
}

Deno.test("an answer slower than both clocks is not cut", async () => {
  const { listener } = serve({
    handler: async () => {
      await sleep(700);
      return new Response("slow but whole");
    },
  });
  try {
    const conn = await connect(listener.port);
    assert((await get(conn)).endsWith("slow but whole"));
    conn.close();
  } finally {
    await listener.close();
  }
});

Deno.test("a WebSocket leaves the clocks behind; the handler sees the peer's address", async () => {
  const { listener } = serve({
    handler: (request, info) => {
      if (request.headers.get("upgrade") !== "websocket") {
        return new Response(info.remoteAddr.hostname);
      }
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(`echo ${event.data}`);
      return response;
    },
  });
  try {
    const address = await fetch(`http://127.0.0.1:${listener.port}/`);
    assertEquals(await address.text(), "127.0.0.1");
    const ws = new WebSocket(`ws://127.0.0.1:${listener.port}/ws`);
    await new Promise((resolve) => ws.onopen = resolve);
    const closed = new Promise((resolve) => ws.onclose = resolve);
    await sleep(900); // three header timeouts and three idle timeouts
    assertEquals(ws.readyState, WebSocket.OPEN);
    ws.send("hi");
    const echo = await new Promise((resolve) => ws.onmessage = (event) => resolve(event.data));
    assertEquals(echo, "echo hi");
    assertEquals(listener.open, 0, "an upgraded connection is no longer an HTTP connection");
    ws.close();
    await closed;
  } finally {
    await listener.close();
  }
});

Deno.test("past the per-address cap a connection is closed at once, and that is logged", async () => {
  const { listener, logs } = serve({
    headerTimeoutSeconds: 5,
    caps: { total: 100, perAddress: 2, exempt: [] },
  });
  const held = [await connect(listener.port), await connect(listener.port)];
  try {
    const after = await closedWithin(await connect(listener.port), 3000);
    assert(after !== null && after < 200, `the third was closed after ${after} ms`);
    assertEquals(listener.open, 2);
    assert(
      logs.some((l) => /refused 1 connection\(s\): 0 at the cap .*, 1 over 2/.test(l)),
      logs.join("\n"),
    );
    held.pop()!.close();
    while (listener.open > 1) await sleep(10);
    const again = await connect(listener.port);
    held.push(again);
    assert((await get(again)).endsWith("ok"), "a freed slot is usable again");
  } finally {
    for (const conn of held) conn.close();
    await listener.close();
  }
});

Deno.test("close lets answers in flight finish, drops idle connections, and is bounded", async () => {
  const release = Promise.withResolvers<void>();
  const { listener } = serve({
    headerTimeoutSeconds: 5,
    drainMs: 500,
    handler: async (request) => {
      if (new URL(request.url).pathname === "/hang") await release.promise;
      else await sleep(200);
      return new Response("finished");
    },
  });
  const busy = await connect(listener.port);
  const hanging = await connect(listener.port);
  const idle = await connect(listener.port);
  try {
    const answer = get(busy);
    void hanging.write(text.encode("GET /hang HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    await sleep(50);
    const start = performance.now();
    const closing = listener.close();
    const idleClosed = await closedWithin(idle, 1000);
    assert(idleClosed !== null && idleClosed < 100, `idle closed after ${idleClosed} ms`);
    assert((await answer).endsWith("finished"), "the answer in flight was cut");
    await closing;
    const took = performance.now() - start;
    assert(took >= 450 && took < 1000, `close took ${took} ms with a hanging handler`);
    assert((await closedWithin(hanging, 1000)) !== null, "the hanging connection stayed open");
    await assertRefused(listener.port);
  } finally {
    release.resolve();
    busy.close();
  }
});

Deno.test("a port in use is named in the error; port 0 reports the port it got", () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    let message = "";
    try {
      serve({ port });
    } catch (error) {
      message = (error as Error).message;
    }
    assertEquals(message, `Cannot listen on 127.0.0.1:${port}: port ${port} is in use`);
  } finally {
    taken.close();
  }
});

async function assertRefused(port: number) {
  try {
    const conn = await connect(port);
    conn.close();
  } catch (error) {
    assert(error instanceof Deno.errors.ConnectionRefused, String(error));
    return;
  }
  throw new Error(`port ${port} still accepts after close`);
}
