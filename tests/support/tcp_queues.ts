/**
 * What the Linux kernel holds for one loopback TCP connection, read from `/proc/net/tcp`: the
 * bytes in the sender's send queue (written, not yet acknowledged by the peer) and in the
 * receiver's receive queue (arrived, not yet read by the application). A test that wants to
 * know how much a server buffers in its own memory subtracts these from what it handed over.
 *
 * @module
 */

/** The kernel's queues of the IPv4 connection between two local ports. */
export interface TcpQueues {
  /** Bytes the `from` side wrote that its peer has not acknowledged yet. */
  sendQueue: number;
  /** Bytes that reached the `to` side and its application has not read. */
  receiveQueue: number;
}

/**
 * Reads the queues of the connection from local port `from` to local port `to` (both on
 * 127.0.0.1), or throws when either end is not in `/proc/net/tcp`.
 */
export async function tcpQueues(from: number, to: number): Promise<TcpQueues> {
  const rows = (await Deno.readTextFile("/proc/net/tcp")).trim().split("\n").slice(1).map(
    (line) => {
      // sl local_address rem_address st tx_queue:rx_queue …, addresses as HEXIP:HEXPORT.
      const [, local, remote, , queues] = line.trim().split(/\s+/);
      const [tx, rx] = queues.split(":").map((hex) => parseInt(hex, 16));
      const port = (address: string) => parseInt(address.split(":")[1], 16);
      return { local: port(local), remote: port(remote), tx, rx };
    },
  );
  const sender = rows.find((r) => r.local === from && r.remote === to);
  const receiver = rows.find((r) => r.local === to && r.remote === from);
  if (!sender || !receiver) {
    throw new Error(`no TCP connection ${from} → ${to} in /proc/net/tcp`);
  }
  return { sendQueue: sender.tx, receiveQueue: receiver.rx };
}
