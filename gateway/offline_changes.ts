/**
 * The offline list holds `say` frames as they were delivered; a message recalled or edited
 * since (or quoting one recalled since) is handed over as it is now, so `init.offline` never
 * shows a recalled text.
 *
 * @module
 */
import type { GatewayContext } from "./gateway_context.ts";
import type { SayFrame } from "./protocol.ts";

/** `frames` as their messages are now (one archive lookup); as they are if it is away. */
export async function currentOffline(
  ctx: GatewayContext,
  frames: SayFrame[],
): Promise<SayFrame[]> {
  if (frames.length === 0) return frames;
  let found;
  try {
    const mids = frames.flatMap((f) => [f.mid, ...(f.replyTo ? [f.replyTo.mid] : [])]);
    found = await ctx.archive.findMessages(mids);
  } catch (error) {
    ctx.log(`init: recalls and edits of offline messages unknown: ${error}`, "warn");
    return frames;
  }
  return frames.map((original) => {
    let frame = original;
    const now = found.get(frame.mid);
    if (now?.recalled) {
      const { file: _file, replyTo: _quote, ...rest } = frame;
      frame = { ...rest, message: "", recalled: now.recalled };
    } else if (now?.edited) {
      frame = { ...frame, message: now.message, edited: now.edited };
    }
    if (frame.replyTo && found.get(frame.replyTo.mid)?.recalled) {
      frame = { ...frame, replyTo: { ...frame.replyTo, excerpt: "", recalled: true } };
    }
    return frame;
  });
}
