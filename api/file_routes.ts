/**
 * `GET /files/:id/:name`: a file's bytes, to its uploader and the participants of a chat it was
 * sent into, with a session. Images recognised by content are served inline with their real
 * type; everything else as an attachment of type `application/octet-stream`, so no upload is
 * ever rendered or run by a browser as a page (`.html`, `.svg`, `.php` included). Every answer
 * carries `nosniff` (app-wide) and a sandboxing CSP. Ranges and `ETag`/`If-None-Match` work.
 * `?thumbnail` asks for the smaller copy of a large image, when there is one.
 *
 * @module
 */
import { Hono } from "hono";
import { mayReadFile, type TakesPart } from "../files/file_access.ts";
import { contentDisposition } from "../files/file_name.ts";
import { FILE_ID } from "../files/file_table.ts";
import type { AppDeps, AppEnv } from "./app_env.ts";
import { parseRange } from "./byte_range.ts";
import { errorBody, forbidden, notFound } from "./errors.ts";
import { requireSession } from "./session_middleware.ts";

/** Nothing inside a served file may run, load or frame anything. */
export const FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'";

/** The download route (mounted at `/files`). */
export function fileRoutes(deps: AppDeps, takesPart: TakesPart): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { files, storage } = deps.backend;

  app.get("/:id/:name", requireSession(deps), async (c) => {
    const id = c.req.param("id");
    const file = FILE_ID.test(id) ? await files.findFile(id) : null;
    if (!file) throw notFound(`no file ${JSON.stringify(id.slice(0, 40))}`);
    if (!(await mayReadFile(file, c.get("accountid"), files, takesPart))) {
      throw forbidden("only the uploader and the participants of a chat it was sent into");
    }
    const thumbnail = c.req.query("thumbnail") !== undefined && file.thumbnailKey !== null;
    const key = thumbnail ? file.thumbnailKey! : file.storageKey;
    const image = file.mime.startsWith("image/");
    const etag = thumbnail ? `"${file.md5}-thumbnail"` : `"${file.md5}"`;
    const headers = new Headers({
      // A thumbnail has its image's type (see files/thumbnail.ts).
      "content-type": image ? file.mime : "application/octet-stream",
      "content-disposition": contentDisposition(image ? "inline" : "attachment", file.name),
      "content-security-policy": FILE_CSP,
      "cross-origin-resource-policy": "same-origin",
      // Private: access is checked on every request (a revalidation costs a 304).
      "cache-control": "private, no-cache",
      "accept-ranges": "bytes",
      etag,
    });
    if (c.req.header("if-none-match")?.split(/\s*,\s*/).includes(etag)) {
      return new Response(null, { status: 304, headers });
    }
    // The record knows the file's size; a thumbnail's is the stored object's.
    let size: number | undefined = file.size;
    if (thumbnail) {
      const probe = await storage.get(key);
      await probe?.body.cancel();
      size = probe?.size;
    }
    const ifRange = c.req.header("if-range");
    const range = size === undefined || (ifRange !== undefined && ifRange !== etag)
      ? "whole"
      : parseRange(c.req.header("range"), size);
    if (range === "unsatisfiable") {
      headers.set("content-range", `bytes */${size}`);
      headers.set("content-type", "application/json");
      headers.delete("content-disposition");
      return new Response(
        JSON.stringify(errorBody("bad_request", `range outside the file's ${size} bytes`)),
        { status: 416, headers },
      );
    }
    const object = await storage.get(key, range === "whole" ? undefined : range);
    if (!object) {
      deps.log(`GET /files/${file.id}: its stored bytes (${key}) are missing`);
      throw notFound(`the bytes of file ${file.id} are missing on this server`);
    }
    if (range === "whole") {
      headers.set("content-length", String(object.size));
      return new Response(object.body, { status: 200, headers });
    }
    headers.set("content-range", `bytes ${range.start}-${range.end}/${object.size}`);
    headers.set("content-length", String(range.end - range.start + 1));
    return new Response(object.body, { status: 206, headers });
  });
  return app;
}
