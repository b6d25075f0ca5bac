/**
 * The benchmark's accounts and chats: pair `i` is sender `bs0000i` and receiver `br0000i`.
 *
 * @module
 */

/** The account that sends for pair `i`. */
export function senderId(i: number): string {
  return `bs${String(i).padStart(5, "0")}`;
}

/** The account that receives for pair `i`. */
export function receiverId(i: number): string {
  return `br${String(i).padStart(5, "0")}`;
}

/** "br…" sorts before "bs…", so the chat id is receiver--sender. */
export function chatId(pair: number): string {
  return `${receiverId(pair)}--${senderId(pair)}`;
}

/** A `say` frame from pair `pair`'s sender to its receiver, tagged with `cid`. */
export function sayFrame(pair: number, cid: string, index: number): string {
  return `{"type":"say","chatid":"${chatId(pair)}","content":"bench message ${index}: ` +
    `an ordinary line of chat text","cid":"${cid}"}`;
}
