/**
 * What arrives on the benchmark's sockets, routed by frame type: the running phase hears about
 * acks, errors and `say`s through {@linkcode PhaseHooks}; everything else is counted.
 *
 * @module
 */

/** Which end of a pair a socket is. */
export type Role = "sender" | "receiver";

/** A logged-in socket of one account. */
export interface BenchSocket {
  ws: WebSocket;
  accountid: string;
  role: Role;
  pair: number;
}

/** What the running phase wants to hear about. */
export interface PhaseHooks {
  onAck(pair: number): void;
  onError(pair: number, frame: string): void;
  onSay(cid: string, at: number): void;
}

/** Frames nobody waited for (login/logout broadcasts, errors between phases). */
const stray = { login: 0, logout: 0, errors: 0, other: 0, samples: [] as string[] };

/** Between phases: errors are counted as stray, the rest ignored. */
export const idleHooks: PhaseHooks = {
  onAck() {},
  onError(_pair, frame) {
    stray.errors++;
    if (stray.samples.length < 5) stray.samples.push(frame.slice(0, 300));
  },
  onSay() {},
};

/** The sockets' shared state: set by the phases, read by the summary. */
export const traffic = {
  /** The running phase's hooks; {@linkcode idleHooks} between phases. */
  hooks: idleHooks,
  stray,
  /** Sockets the server closed while nobody was shutting down. */
  closedUnexpectedly: [] as string[],
  /** Set once the servers are being stopped: closes are expected from then on. */
  shuttingDown: false,
  /** Ping probe on an idle socket: how quickly the server's event loop answers. */
  probe: { socket: null as WebSocket | null, sentAt: 0, rtts: [] as number[], on: false },
};

/** Routes one frame received on a logged-in socket. */
export function handleFrame(socket: BenchSocket, data: string): void {
  const { hooks, probe } = traffic;
  // Both servers write `type` first, so the prefix tells the frame without parsing it.
  if (data.startsWith('{"type":"say"')) {
    if (socket.role === "receiver") {
      const at = performance.now();
      const cid = /"cid":"([^"]*)"/.exec(data)?.[1] ?? "";
      hooks.onSay(cid, at);
    }
  } else if (data.startsWith('{"type":"ack"')) {
    hooks.onAck(socket.pair);
  } else if (data.startsWith('{"type":"ping"')) {
    socket.ws.send('{"type":"pong"}');
  } else if (data.startsWith('{"type":"pong"')) {
    if (socket.ws === probe.socket && probe.sentAt > 0) {
      if (probe.on) probe.rtts.push(performance.now() - probe.sentAt);
      probe.sentAt = 0;
    }
  } else if (data.startsWith('{"type":"login"')) {
    stray.login++;
  } else if (data.startsWith('{"type":"logout"')) {
    stray.logout++;
  } else if (data.startsWith('{"type":"error"')) {
    hooks.onError(socket.pair, data);
  } else {
    stray.other++;
  }
}
