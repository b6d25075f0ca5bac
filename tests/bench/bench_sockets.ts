/**
 * Opening and closing the benchmark's WebSockets; once logged in, their frames go to
 * socket_traffic.ts.
 *
 * @module
 */
import { waitFor } from "./bounded_waits.ts";
import { type BenchSocket, handleFrame, type Role, traffic } from "./socket_traffic.ts";

/** Opens `/ws`, sends `login`, resolves on `init`. */
export function openSocket(
  baseUrl: string,
  token: string,
  accountid: string,
  role: Role,
  pair: number,
): Promise<BenchSocket> {
  const url = baseUrl.replace(/^http/, "ws") + `/ws?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const socket: BenchSocket = { ws, accountid, role, pair };
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => fail(new Error(`${accountid}: no init within 60 s`)), 60_000);
    const fail = (error: Error) => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      try {
        ws.close();
      } catch { /* closing */ }
      reject(error);
    };
    ws.onopen = () => ws.send(JSON.stringify({ type: "login", clientName: accountid }));
    ws.onerror = (event) => fail(new Error(`${accountid}: ${(event as ErrorEvent).message}`));
    ws.onclose = (event) => {
      if (!ready) fail(new Error(`${accountid}: closed ${event.code} ${event.reason}`));
      else if (!traffic.shuttingDown) {
        traffic.closedUnexpectedly.push(`${accountid}: ${event.code} ${event.reason}`);
      }
    };
    ws.onmessage = (event) => {
      const data = String(event.data);
      if (!ready) {
        if (data.startsWith('{"type":"init"')) {
          ready = true;
          clearTimeout(timer);
          resolve(socket);
        } else if (data.startsWith('{"type":"error"')) {
          fail(new Error(`${accountid}: login refused: ${data.slice(0, 300)}`));
        }
        return;
      }
      handleFrame(socket, data);
    };
  });
}

/** Closes every open socket (code 1000) and waits up to 15 s for them to close. */
export async function closeSockets(sockets: BenchSocket[]): Promise<void> {
  const open = sockets.filter((s) => s && s.ws.readyState <= WebSocket.OPEN);
  const closed = open.map((s) =>
    new Promise<void>((resolve) => {
      if (s.ws.readyState === WebSocket.CLOSED) return resolve();
      s.ws.addEventListener("close", () => resolve());
      try {
        s.ws.close(1000, "bench done");
      } catch {
        resolve();
      }
    })
  );
  await waitFor(Promise.all(closed), 15_000, "closing sockets").catch((error) =>
    console.error(`${error.message ?? error}`)
  );
}
