/**
 * The listener alone, in a child process, with caps set far above its descriptor limit so a
 * flood makes `accept` itself fail with EMFILE (the real server's caps prevent that). Prints
 * `listening on PORT`, then every log line; answers every request with "ok".
 *
 * Usage: `deno run -A tests/support/bare_listener.ts` under `ulimit -n N`.
 *
 * @module
 */
import { listen } from "../../api/listener.ts";

const listener = listen({
  host: "127.0.0.1",
  port: 0,
  handler: () => new Response("ok"),
  headerTimeoutSeconds: 60,
  idleTimeoutSeconds: 60,
  caps: { total: 1_000_000, perAddress: 1_000_000, exempt: [] },
  log: (line) => console.log(line),
});
console.log(`listening on ${listener.port}`);
Deno.addSignalListener("SIGTERM", async () => {
  await listener.close();
  Deno.exit(0);
});
