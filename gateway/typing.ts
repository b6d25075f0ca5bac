/**
 * Typing indicators: a `typing` frame goes to the chat's other participants that are online,
 * at most once per chat every {@link TYPING_EVERY_MS} per person (the frames in between are
 * merged into that one and dropped), and is never stored: the frame says that it expires after
 * {@link TYPING_EXPIRES_MS}, after which a client stops showing it unless another came.
 * Each forwarded indicator takes one message from the sender's send budget, so a flood across
 * many chats ends in `rate_limited`.
 *
 * @module
 */
import { participation } from "./chat_message_lookup.ts";
import type { Connection } from "./connection.ts";
import type { TypingRequest } from "./conversation_frames.ts";
import type { GatewayContext } from "./gateway_context.ts";

/** At most one indicator per chat and person this often. */
export const TYPING_EVERY_MS = 3000;
/** How long a client shows an indicator. */
export const TYPING_EXPIRES_MS = 6000;

/** Which (person, chat) sent an indicator lately: this node's coalescing state. */
export class TypingGate {
  readonly #last = new Map<string, number>();
  #swept = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** True when `accountid` sent no indicator into `chatid` within the last 3 s. */
  due(accountid: string, chatid: string): boolean {
    const now = this.now();
    this.#sweep(now);
    const last = this.#last.get(`${accountid} ${chatid}`);
    return last === undefined || now - last >= TYPING_EVERY_MS;
  }

  /** Records an indicator sent now. */
  sent(accountid: string, chatid: string): void {
    this.#last.set(`${accountid} ${chatid}`, this.now());
  }

  /** Entries held (at most what the send budgets let through in 3 s). */
  get size(): number {
    return this.#last.size;
  }

  /** Forgets entries past the window, at most once per window (no timer of its own). */
  #sweep(now: number): void {
    if (now - this.#swept < TYPING_EVERY_MS) return;
    this.#swept = now;
    for (const [key, at] of this.#last) {
      if (now - at >= TYPING_EVERY_MS) this.#last.delete(key);
    }
  }
}

/**
 * Handles one `typing` frame; `rateLimited` takes one message from the sender's send budget
 * (and answers `rate_limited` when it is empty). Indicators merged into an earlier one get no
 * answer.
 */
export async function handleTyping(
  ctx: GatewayContext,
  connection: Connection,
  frame: TypingRequest,
  rateLimited: () => boolean,
): Promise<void> {
  const from = connection.accountid;
  const part = await participation(ctx, frame.chatid, from);
  if ("info" in part) return connection.sendError(part);
  const chatid = part.chat.chatid;
  if (!ctx.typing.due(from, chatid)) return;
  if (rateLimited()) return;
  ctx.typing.sent(from, chatid);
  const others = part.members.filter((m) => m !== from);
  if (others.length === 0) return;
  const text = JSON.stringify({
    type: "typing",
    chatid,
    fromuser: from,
    expiresMs: TYPING_EXPIRES_MS,
  });
  await ctx.hub.deliver(others, text, { key: chatid });
}
