/**
 * The benchmark's baseline: a bare WebSocket relay with webChat's frames and none of its work
 * (no session, no stores, no queue, no archive), in its own process like the real server. What
 * it reaches in the same run is the ceiling the machine and the load generator allow at that
 * moment, so the real server's figures can be read as a ratio on a busy shared machine.
 *
 * `deno run -A tests/bench/relay_server.ts [--loop-lag]` prints `BENCH_SERVER_LISTENING <url> <ms>`; `/ws?token=A`
 * is account A (no check). `login` → `init`; `say` → `ack` to the sender, then the `say` frame
 * to every connection of both participants, or of every member of a group; `groupset` keeps a
 * group's member list in memory and tells its members; `ping` → `pong`. Ends when stdin closes.
 * As the bare broadcast server of the group benchmark it does what any WebSocket broadcast does
 * (one JSON text, one `send` per socket) and nothing webChat does (no membership check, no
 * queue, no unread counts, no slices).
 *
 * @module
 */

import { reportLoopLag } from "./loop_lag.ts";

// `--loop-lag`: report the event loop's lag (the group benchmark reads it).
if (Deno.args.includes("--loop-lag")) reportLoopLag();

const byAccount = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();
const groups = new Map<string, string[]>();

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) =>
    console.log(`BENCH_SERVER_LISTENING http://127.0.0.1:${port} ${performance.now().toFixed(1)}`),
}, (request) => {
  const url = new URL(request.url);
  const account = url.searchParams.get("token");
  if (url.pathname !== "/ws" || !account) return new Response("not found", { status: 404 });
  const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
  socket.onmessage = (event) => {
    // deno-lint-ignore no-explicit-any
    let frame: any;
    try {
      frame = JSON.parse(String(event.data));
    } catch {
      return socket.send(JSON.stringify({ type: "error", info: "bad_request", msg: "not JSON" }));
    }
    if (frame.type === "login") {
      let set = byAccount.get(account);
      if (!set) byAccount.set(account, set = new Set());
      set.add(socket);
      socket.send(JSON.stringify({ type: "init", user: { accountid: account }, online: [] }));
    } else if (frame.type === "say") {
      const chatid = String(frame.chatid);
      const seq = (seqs.get(chatid) ?? 0) + 1;
      seqs.set(chatid, seq);
      const mid = crypto.randomUUID();
      const time = Math.floor(Date.now() / 1000);
      socket.send(JSON.stringify({ type: "ack", cid: frame.cid, chatid, mid, seq, time }));
      const text = JSON.stringify({
        type: "say",
        chatid,
        fromuser: account,
        message: frame.content,
        msgType: "text",
        time,
        mid,
        seq,
        cid: frame.cid,
      });
      const members = chatid.includes("--") ? new Set(chatid.split("--")) : groups.get(chatid);
      for (const member of members ?? []) {
        for (const peer of byAccount.get(member) ?? []) {
          if (peer.readyState === WebSocket.OPEN) peer.send(text);
        }
      }
    } else if (frame.type === "groupset") {
      const members = [...new Set([account, ...frame.members])];
      groups.set(String(frame.chatid), members);
      const text = JSON.stringify({ type: "groupset", chatid: frame.chatid, members });
      for (const member of members) {
        for (const peer of byAccount.get(member) ?? []) peer.send(text);
      }
    } else if (frame.type === "ping") {
      socket.send('{"type":"pong"}');
    }
  };
  socket.onclose = () => {
    const set = byAccount.get(account);
    set?.delete(socket);
    if (set?.size === 0) byAccount.delete(account);
  };
  return response;
});

(async () => {
  try {
    for await (const _ of Deno.stdin.readable) {
      // EOF: the parent is done (or gone)
    }
  } catch { /* same as EOF */ }
  const timer = setTimeout(() => Deno.exit(0), 5000);
  await server.shutdown().catch(() => {});
  clearTimeout(timer);
  console.log("BENCH_SERVER_STOPPED");
  Deno.exit(0);
})();
