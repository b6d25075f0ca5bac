/**
 * The file of a `say` with `msgType` `image` or `file`: `fileId` must name a file its sender
 * uploaded, and an `image` must be one by content. A text `say` carries no `fileId`.
 *
 * @module
 */
import { FILE_ID, type StoredFile } from "../files/file_table.ts";
import type { GatewayContext } from "./gateway_context.ts";
import { ErrorCode, type ErrorCodeName } from "./protocol.ts";

/** The file to attach (null for text), or the error to answer with. */
export type SayFile = { file: StoredFile | null } | { info: ErrorCodeName; msg: string };

/** Checks the `fileId` of a `say` from `sender`. */
export async function sayFile(
  ctx: GatewayContext,
  frame: { msgType: "text" | "image" | "file"; fileId: string },
  sender: string,
): Promise<SayFile> {
  if (frame.msgType === "text") {
    if (frame.fileId !== "") {
      return { info: ErrorCode.badRequest, msg: "fileId goes with msgType image or file" };
    }
    return { file: null };
  }
  // The same answer for an unknown id and for someone else's file: ids are not to be probed.
  const notYours = {
    info: ErrorCode.badRequest,
    msg: `fileId ${JSON.stringify(frame.fileId.slice(0, 40))} names no file you uploaded`,
  };
  if (!FILE_ID.test(frame.fileId)) return notYours;
  let file: StoredFile | null;
  try {
    file = await ctx.files.findFile(frame.fileId);
  } catch (error) {
    ctx.log(`say: file lookup failed: ${error}`);
    return { info: ErrorCode.unavailable, msg: "files are unavailable; retry later" };
  }
  if (!file || file.owner !== sender) return notYours;
  if (frame.msgType === "image" && (file.width === null || !file.mime.startsWith("image/"))) {
    return {
      info: ErrorCode.badRequest,
      msg: `file ${file.id} is not a PNG, JPEG, GIF or WebP image; send it as msgType "file"`,
    };
  }
  return { file };
}
