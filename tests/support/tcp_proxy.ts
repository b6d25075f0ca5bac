/**
 * A TCP proxy a test owns, put in front of MariaDB or Redis to make it unreachable on demand:
 * `cut()` drops every live connection and refuses new ones until `restore()`.
 *
 * @module
 */

/** A running proxy. */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** Closes every live connection and refuses (accepts and closes at once) new ones. */
  cut(): void;
  /** Forwards new connections again. */
  restore(): void;
  /** Stops listening, closes everything and waits for every pump to end. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, an ephemeral port, and forwards to `targetHost:targetPort`. */
export function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): TcpProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const live = new Set<() => void>();
  const tasks = new Set<Promise<void>>();
  let refusing = false;
  let closed = false;

  const track = (task: Promise<void>) => {
    tasks.add(task);
    task.finally(() => tasks.delete(task));
  };

  const forward = async (client: Deno.Conn) => {
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: targetHost, port: targetPort });
    } catch {
      client.close();
      return;
    }
    let done = false;
    const closeBoth = () => {
      if (done) return;
      done = true;
      live.delete(closeBoth);
      for (const conn of [client, server]) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
    };
    live.add(closeBoth);
    if (refusing || closed) closeBoth();
    await Promise.all([pump(client, server, closeBoth), pump(server, client, closeBoth)]);
  };

  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        if (refusing || closed) conn.close();
        else track(forward(conn));
      }
    } catch {
      // the listener was closed
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    cut() {
      refusing = true;
      for (const closeBoth of [...live]) closeBoth();
    },
    restore() {
      refusing = false;
    },
    async close() {
      closed = true;
      listener.close();
      await accepting;
      for (const closeBoth of [...live]) closeBoth();
      while (tasks.size > 0) await Promise.all([...tasks]);
    },
  };
}

/** Copies `from` to `to` until either side ends, then closes both. */
async function pump(from: Deno.Conn, to: Deno.Conn, closeBoth: () => void): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    while (true) {
      const n = await from.read(buffer);
      if (n === null) break;
      let written = 0;
      while (written < n) written += await to.write(buffer.subarray(written, n));
    }
  } catch {
    // a side was closed (cut, or the peer went away)
  } finally {
    closeBoth();
  }
}
