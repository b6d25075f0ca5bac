/**
 * A WebSocket client written by hand over TCP, for what no WebSocket API lets a test do: send a
 * message in fragments, or start a message and never finish it.
 *
 * @module
 */

/** An upgraded connection that sends raw frames. */
export interface RawWs {
  /** Sends one masked frame (mask key zero: the payload goes as it is). */
  frame(fin: boolean, opcode: number, payload: Uint8Array): Promise<void>;
  /** The close code of the server's close frame, or null when the connection just ended. */
  closeCode(): Promise<number | null>;
  close(): void;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** Opens `/ws?token=…` on `port` and completes the upgrade. */
export async function openRawWs(port: number, token: string): Promise<RawWs> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await writeAll(
    conn,
    new TextEncoder().encode(
      `GET /ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ),
  );
  const head = new Uint8Array(4096);
  const n = await conn.read(head);
  const status = new TextDecoder().decode(head.subarray(0, n ?? 0)).split("\r\n")[0];
  if (!status.includes(" 101 ")) throw new Error(`upgrade refused: ${status}`);
  return {
    async frame(fin, opcode, payload) {
      const length = payload.length;
      const header = length < 126
        ? new Uint8Array(6)
        : length < 65536
        ? new Uint8Array(8)
        : new Uint8Array(14);
      header[0] = (fin ? 0x80 : 0) | opcode;
      const view = new DataView(header.buffer);
      if (length < 126) header[1] = 0x80 | length;
      else if (length < 65536) {
        header[1] = 0x80 | 126;
        view.setUint16(2, length);
      } else {
        header[1] = 0x80 | 127;
        view.setBigUint64(2, BigInt(length));
      }
      await writeAll(conn, header);
      await writeAll(conn, payload);
    },
    async closeCode() {
      const buffer = new Uint8Array(1 << 16);
      let seen = new Uint8Array();
      while (true) {
        const read = await conn.read(buffer).catch(() => null);
        if (read === null) return null;
        seen = new Uint8Array([...seen, ...buffer.subarray(0, read)]);
        // Server frames are unmasked; a close frame is opcode 8 with the code first.
        for (let at = 0; at + 4 <= seen.length;) {
          const opcode = seen[at] & 0x0f, length = seen[at + 1] & 0x7f;
          if (length >= 126) break; // the server's frames here are small
          if (opcode === 8) return (seen[at + 2] << 8) | seen[at + 3];
          at += 2 + length;
        }
      }
    },
    close() {
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
  };
}
