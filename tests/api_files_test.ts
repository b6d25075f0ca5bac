/**
 * In-process tier, uploads and downloads: chunks in any order and in parallel, resuming,
 * instant re-send, and every bad input of the files issue, each with its status, its error and
 * nothing left behind; the download's access rule and headers (embedded backend, through
 * `app.request()`).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type AppHarness, openAppHarness } from "./support/app_harness.ts";
import { gifHeader, pngImage } from "./support/images.ts";
import { imageInfo } from "../files/image_info.ts";
import { md5Hex, testBytes, UploadClient } from "./support/upload_client.ts";
import type { ResolvedConfig } from "../config/mod.ts";

const CHUNK = 64 * 1024;

/** A harness with small chunks and alice, bob, carol, each with an upload client. */
async function withFiles(
  body: (h: AppHarness, c: Record<string, UploadClient>) => Promise<void>,
  configure: (config: ResolvedConfig) => void = () => {},
): Promise<void> {
  const h = await openAppHarness((config) => {
    config.files.chunkBytes = CHUNK;
    configure(config);
  });
  try {
    const clients: Record<string, UploadClient> = {};
    for (const id of ["alice", "bob", "carol"]) {
      await h.addUser(id);
      clients[id] = new UploadClient(h.fetch, await h.session(id));
    }
    await body(h, clients);
  } finally {
    await h.close();
  }
}

/** What the storage holds (besides empty folders). */
async function stored(h: AppHarness, prefix: "uploads/" | "files/") {
  return (await h.backend.storage.list(prefix)).map((o) => o.key);
}

/** The files whose bytes are stored (`files/ab/<upload id>`). */
async function storedFiles(h: AppHarness) {
  return (await stored(h, "files/")).length;
}

const start = (bytes: Uint8Array, extra: Record<string, unknown> = {}) => ({
  name: "data.bin",
  size: bytes.length,
  mime: "application/octet-stream",
  md5: md5Hex(bytes),
  ...extra,
});

Deno.test("chunks out of order and in parallel, resumed, completed, downloaded whole and in ranges", async () => {
  await withFiles(async (h, { alice }) => {
    const bytes = testBytes(5 * CHUNK + 1234);
    const first = await alice.start(start(bytes, { name: "report.pdf", mime: "application/pdf" }));
    assertEquals(first.status, 200);
    const { uploadId, chunkSize } = first.body!;
    assertEquals([chunkSize, first.body!.received], [CHUNK, []]);
    // Three chunks, then the client goes away; starting again resumes with what arrived.
    await alice.sendChunks(uploadId, CHUNK, bytes, [], { order: [4, 1, 5], parallel: 3 });
    const again = await alice.start(start(bytes, { name: "report.pdf", mime: "application/pdf" }));
    assertEquals(again.body, { uploadId, chunkSize: CHUNK, received: [1, 4, 5] });
    await alice.sendChunks(uploadId, CHUNK, bytes, again.body!.received, { parallel: 3 });
    const done = await alice.complete(uploadId);
    assertEquals(done.status, 200);
    const file = done.body!.file;
    assertEquals(file.name, "report.pdf");
    assertEquals(file.size, bytes.length);
    assertEquals(file.mime, "application/pdf");
    assertEquals(file.url, `/files/${file.id}/report.pdf`);
    assert(!("width" in file), "no size for a file that is not an image");
    assertEquals(await stored(h, "uploads/"), [], "chunks removed once assembled");

    const whole = await alice.download(file.url);
    assertEquals(whole.status, 200);
    assertEquals(md5Hex(whole.bytes), md5Hex(bytes));
    assertEquals(whole.headers.get("content-type"), "application/octet-stream");
    assertEquals(
      whole.headers.get("content-disposition"),
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
    assertEquals(whole.headers.get("x-content-type-options"), "nosniff");
    assertEquals(
      whole.headers.get("content-security-policy"),
      "default-src 'none'; sandbox; frame-ancestors 'none'",
    );
    assertEquals(whole.headers.get("accept-ranges"), "bytes");
    const etag = whole.headers.get("etag")!;
    assertEquals(etag, `"${md5Hex(bytes)}"`);

    const part = await alice.download(file.url, { range: "bytes=100-199" });
    assertEquals(part.status, 206);
    assertEquals(part.bytes, bytes.slice(100, 200));
    assertEquals(part.headers.get("content-range"), `bytes 100-199/${bytes.length}`);
    const tail = await alice.download(file.url, { range: "bytes=-10" });
    assertEquals(tail.bytes, bytes.slice(-10));
    const outside = await alice.download(file.url, { range: `bytes=${bytes.length}-` });
    assertEquals(outside.status, 416);
    assertEquals(outside.headers.get("content-range"), `bytes */${bytes.length}`);
    const stale = await alice.download(file.url, { range: "bytes=0-9", "if-range": '"old"' });
    assertEquals([stale.status, stale.bytes.length], [200, bytes.length]);
    const cached = await alice.download(file.url, { "if-none-match": etag });
    assertEquals([cached.status, cached.bytes.length], [304, 0]);
  });
});

Deno.test("an empty file completes without chunks", async () => {
  await withFiles(async (_h, { alice }) => {
    const file = await alice.upload(new Uint8Array(0), { name: "empty.txt" });
    assertEquals(file.size, 0);
    assertEquals((await alice.download(file.url)).bytes.length, 0);
  });
});

Deno.test("bad chunks: out of range, wrong size, repeated, someone else's, unknown, no session", async () => {
  await withFiles(async (h, { alice, bob }) => {
    const bytes = testBytes(2 * CHUNK + 10);
    const { uploadId } = (await alice.start(start(bytes))).body!;
    const piece = (i: number) => bytes.slice(i * CHUNK, (i + 1) * CHUNK);
    for (const index of ["3", "-1", "abc", "1e2"]) {
      const answer = await alice.chunk(uploadId, index, piece(0));
      assertEquals(answer.status, 400, index);
      assertEquals(answer.body!.error.message, "chunk index must be an integer from 0 to 2");
    }
    const short = await alice.chunk(uploadId, 0, piece(0).slice(1));
    assertEquals([short.status, short.body!.error.message], [
      400,
      `chunk 0 must be exactly ${CHUNK} bytes; fewer arrived`,
    ]);
    const long = await alice.chunk(uploadId, 2, testBytes(11));
    assertEquals([long.status, long.body!.error.code], [413, "too_large"]);
    // The same without a Content-Length: cut while streaming.
    const streamed = await alice.chunk(uploadId, 2, new Blob([testBytes(CHUNK + 1)]).stream());
    assertEquals(streamed.status, 413);
    assertEquals(await stored(h, "uploads/"), [], "no refused chunk was kept");

    // Chunk 1 before chunk 0: the assembly (which goes in order) cannot have taken it yet.
    assertEquals((await alice.chunk(uploadId, 1, piece(1))).status, 204);
    // A repeat is accepted and dropped: the first bytes stay (different ones would break the md5).
    assertEquals((await alice.chunk(uploadId, 1, testBytes(CHUNK, 9))).status, 204);
    const kept = await h.backend.storage.get(`uploads/${uploadId}/1`);
    // Compared by md5: a failing deep comparison of 64 KiB arrays takes minutes to print.
    assertEquals(
      md5Hex(new Uint8Array(await new Response(kept!.body).arrayBuffer())),
      md5Hex(piece(1)),
    );
    const other = await bob.chunk(uploadId, 0, piece(0));
    assertEquals([other.status, other.body!.error.code], [404, "not_found"]);
    assertEquals((await bob.complete(uploadId)).status, 404);
    assertEquals((await alice.chunk("0".repeat(32), 0, piece(0))).status, 404);
    assertEquals((await alice.chunk("../../etc", 0, piece(0))).status, 404);
    const anonymous = await h.fetch(`/api/uploads/${uploadId}/chunks/0`, {
      method: "PUT",
      body: piece(0),
    });
    assertEquals(anonymous.status, 401);
    await anonymous.body?.cancel();
    assertEquals(await stored(h, "uploads/"), [`uploads/${uploadId}/1`]);
    await alice.sendChunks(uploadId, CHUNK, bytes, [1]);
    const done = await alice.complete(uploadId);
    assertEquals(done.status, 200);
    assertEquals(md5Hex((await alice.download(done.body!.file.url)).bytes), md5Hex(bytes));
  });
});

Deno.test("declared size smaller or larger than what arrives; md5 mismatch removes the upload", async () => {
  await withFiles(async (h, { alice }) => {
    const bytes = testBytes(2 * CHUNK);
    // Declared one byte short: the last chunk is one byte too long.
    const smaller = (await alice.start(start(bytes, { size: bytes.length - 1, name: "s" }))).body!;
    assertEquals((await alice.chunk(smaller.uploadId, 1, bytes.slice(CHUNK))).status, 413);
    // Declared larger: a chunk is missing at the end, and complete says which.
    const larger = (await alice.start(start(bytes, { size: 3 * CHUNK, name: "l" }))).body!;
    await alice.sendChunks(larger.uploadId, CHUNK, bytes, []);
    const early = await alice.complete(larger.uploadId);
    assertEquals([early.status, early.body!.error.message], [
      409,
      "chunks missing: 2 (1 of 3); send them, then complete again",
    ]);
    // Every chunk arrives but they hash to something else.
    const wrong = (await alice.start(start(bytes, { md5: "f".repeat(32), name: "m" }))).body!;
    await alice.sendChunks(wrong.uploadId, CHUNK, bytes, []);
    const mismatch = await alice.complete(wrong.uploadId);
    assertEquals(mismatch.status, 400);
    assert(
      /^md5 mismatch: the bytes received hash to [0-9a-f]{32}/.test(mismatch.body!.error.message),
    );
    assertEquals((await alice.complete(wrong.uploadId)).status, 404, "the upload is gone");
    assertEquals(await h.backend.files.findUpload(wrong.uploadId), null);
    assertEquals((await stored(h, "uploads/")).filter((k) => k.includes(wrong.uploadId)), []);
    assertEquals(await storedFiles(h), 0, "no file was kept");
  });
});

Deno.test("over the size limit, the quota, or the allowed types: refused, nothing kept", async () => {
  await withFiles(async (h, { alice }) => {
    const big = await alice.start({ name: "big.iso", size: 1_000_001, md5: "a".repeat(32) });
    assertEquals([big.status, big.body!.error.code], [413, "too_large"]);
    assertEquals(
      big.body!.error.message,
      "the file is larger than 1000000 bytes, the largest allowed",
    );
    const first = await alice.upload(testBytes(600_000), {
      name: "a.pdf",
      mime: "application/pdf",
    });
    assert(first.id);
    const quota = await alice.start(start(testBytes(500_000, 2), { mime: "application/pdf" }));
    assertEquals([quota.status, quota.body!.error.code], [413, "too_large"]);
    assert(/quota of 1000000 bytes/.test(quota.body!.error.message));
    const html = await alice.start(start(testBytes(10), { mime: "text/html" }));
    assertEquals([html.status, html.body!.error.message], [
      400,
      "files of type text/html are not allowed here",
    ]);
    // Declared as a PNG but not one: found out at the end, refused, removed.
    const fake = testBytes(100, 3);
    const claimed = (await alice.start(start(fake, { mime: "image/png", name: "x.png" }))).body!;
    await alice.sendChunks(claimed.uploadId, CHUNK, fake, []);
    const refused = await alice.complete(claimed.uploadId);
    assertEquals(
      refused.body!.error.message,
      "the file's content is of type application/octet-stream, which is not allowed here",
    );
    assertEquals(await h.backend.files.findUpload(claimed.uploadId), null);
    assertEquals(await storedFiles(h), 1, "only the first file");
  }, (config) => {
    config.files.maxBytes = 1_000_000;
    config.files.quotaBytes = 1_000_000;
    config.files.allowedTypes = ["image/*", "application/pdf"];
  });
});

Deno.test("names with ../, NUL, 300 characters or HTML; .php, .html and .svg are attachments", async () => {
  await withFiles(async (_h, { alice }) => {
    const nul = await alice.start(start(testBytes(5), { name: "a\0.php" }));
    assertEquals([nul.status, nul.body!.error.message], [
      400,
      "name must not contain control characters",
    ]);
    const climbing = await alice.upload(testBytes(5, 1), { name: "../../../etc/passwd" });
    assertEquals(climbing.name, "passwd");
    const long = await alice.upload(testBytes(5, 2), { name: "x".repeat(300) + ".txt" });
    assertEquals([long.name.length, long.name.endsWith("x.txt")], [255, true]);
    const tag = '<img src=x onerror="alert(1)">.html';
    const html = await alice.upload(new TextEncoder().encode("<script>alert(1)</script>"), {
      name: tag,
      mime: "text/html",
    });
    assertEquals(html.name, tag);
    assertEquals(html.url, `/files/${html.id}/${encodeURIComponent(tag)}`);
    const svg = await alice.upload(
      new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
      { name: "logo.svg", mime: "image/svg+xml" },
    );
    assertEquals(svg.mime, "application/octet-stream", "an SVG is not an image here");
    const php = await alice.upload(new TextEncoder().encode("<?php system($_GET['c']);"), {
      name: "shell.php",
      mime: "application/x-php",
    });
    for (const file of [html, svg, php]) {
      const got = await alice.download(file.url);
      assertEquals(got.headers.get("content-type"), "application/octet-stream", file.name);
      assert(got.headers.get("content-disposition")!.startsWith("attachment; "), file.name);
      assertEquals(got.headers.get("x-content-type-options"), "nosniff");
      assert(got.headers.get("content-security-policy")!.includes("sandbox"));
    }
    assertEquals(
      (await alice.download(html.url)).headers.get("content-disposition"),
      `attachment; filename="<img src=x onerror=_alert(1)_>.html"; filename*=UTF-8''${
        encodeURIComponent(tag).replace(/[()']/g, (c) =>
          `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      }`,
    );
    // A real PNG is an image whatever its name: inline, with its real type and size.
    const png = await alice.upload(pngImage(64, 48), { name: "picture.php", mime: "text/plain" });
    assertEquals([png.mime, png.width, png.height], ["image/png", 64, 48]);
    const shown = await alice.download(png.url);
    assertEquals(shown.headers.get("content-type"), "image/png");
    assert(shown.headers.get("content-disposition")!.startsWith("inline; "));
    const gif = await alice.upload(gifHeader(320, 200), { name: "anim.gif" });
    assertEquals([gif.mime, gif.width, gif.height], ["image/gif", 320, 200]);
  });
});

Deno.test("downloads: the uploader and the chat's participants only, never without a session", async () => {
  await withFiles(async (h, { alice, bob, carol }) => {
    const file = await alice.upload(testBytes(1000), { name: "plan.txt" });
    assertEquals((await bob.download(file.url)).status, 403);
    // What a `say` into alice--bob records (the say path is tested over the wire).
    await h.backend.files.recordSend(file.id, "alice--bob", 1);
    assertEquals((await bob.download(file.url)).status, 200);
    const denied = await carol.download(file.url);
    assertEquals(denied.status, 403);
    assertEquals(JSON.parse(new TextDecoder().decode(denied.bytes)).error.code, "forbidden");
    const anonymous = await h.fetch(file.url);
    assertEquals(anonymous.status, 401);
    await anonymous.body?.cancel();
    assertEquals((await carol.download(`/files/${"0".repeat(32)}/x`)).status, 404);
    assertEquals((await carol.download(`/files/..%2F..%2Fwebchat.db/x`)).status, 404);
  });
});

Deno.test("instant re-send: the same bytes answer a file at once, only bytes the asker can read", async () => {
  await withFiles(async (h, { alice, bob, carol }) => {
    const bytes = testBytes(3 * CHUNK, 5);
    const file = await alice.upload(bytes, { name: "deck.pdf" });
    const same = await alice.start(start(bytes, { name: "deck.pdf" }));
    assertEquals(same.body, { file });
    const renamed = await alice.start(start(bytes, { name: "deck-v2.pdf" }));
    assertEquals(renamed.body!.file.name, "deck-v2.pdf");
    assert(renamed.body!.file.id !== file.id);
    // carol cannot read alice's file: knowing its md5 gives her an ordinary upload.
    const guess = await carol.start(start(bytes, { name: "deck.pdf" }));
    assert(guess.body!.uploadId, "no file for an md5 alone");
    await h.backend.files.recordSend(file.id, "alice--bob", 1);
    const forwarded = await bob.start(start(bytes, { name: "deck.pdf" }));
    const copy = forwarded.body!.file;
    assert(copy.id !== file.id);
    assertEquals(md5Hex((await bob.download(copy.url)).bytes), md5Hex(bytes));
    assertEquals((await h.backend.files.findFile(copy.id))!.owner, "bob");
    assertEquals(await storedFiles(h), 1, "the bytes are stored once");
  });
});

Deno.test("complete racing a late chunk and another complete: one file, nothing left over", async () => {
  await withFiles(async (h, { alice }) => {
    const bytes = testBytes(4 * CHUNK, 7);
    const { uploadId } = (await alice.start(start(bytes))).body!;
    await alice.sendChunks(uploadId, CHUNK, bytes, []);
    const [a, b, late] = await Promise.all([
      alice.complete(uploadId),
      alice.complete(uploadId),
      alice.chunk(uploadId, 2, testBytes(CHUNK, 8)),
    ]);
    const statuses = [a.status, b.status].sort();
    assert(
      JSON.stringify(statuses) === "[200,409]" || JSON.stringify(statuses) === "[200,404]",
      JSON.stringify(statuses),
    );
    assert([204, 404, 409].includes(late.status), String(late.status));
    const file = (a.status === 200 ? a : b).body!.file;
    assertEquals(md5Hex((await alice.download(file.url)).bytes), md5Hex(bytes));
    assertEquals(await stored(h, "uploads/"), []);
    assertEquals(await stored(h, "files/"), [`files/${uploadId.slice(0, 2)}/${uploadId}`]);
  });
});

Deno.test("unfinished uploads are removed after the configured time", async () => {
  await withFiles(async (h, { alice }) => {
    const bytes = testBytes(2 * CHUNK);
    const { uploadId } = (await alice.start(start(bytes))).body!;
    await alice.sendChunks(uploadId, CHUNK, bytes, [], { order: [0] });
    const fresh = (await alice.start(start(testBytes(10), { name: "fresh" }))).body!;
    // Its last chunk arrived two hours ago; the limit is one.
    await h.backend.files.touchUpload(uploadId, Math.floor(Date.now() / 1000) - 7200);
    const { UploadService } = await import("../api/upload_service.ts");
    const { chatMembership } = await import("../gateway/chat_membership.ts");
    const service = new UploadService({
      config: h.config,
      files: h.backend.files,
      storage: h.backend.storage,
      takesPart: chatMembership(h.backend),
      log: () => {},
    });
    assertEquals(await service.sweep(), 1);
    assertEquals(await h.backend.files.findUpload(uploadId), null);
    assertEquals(await stored(h, "uploads/"), []);
    assert(await h.backend.files.findUpload(fresh.uploadId), "a recent upload stays");
    assertEquals((await alice.chunk(uploadId, 1, bytes.slice(CHUNK))).status, 404);
  }, (config) => config.files.uploadTtlSeconds = 3600);
});

Deno.test("a large image gets a thumbnail of its own type; a small one and a GIF do not", async () => {
  await withFiles(async (h, { alice }) => {
    const large = pngImage(1200, 900);
    const file = await alice.upload(large, { name: "photo.png" });
    assertEquals([file.width, file.height], [1200, 900]);
    assertEquals(file.thumbnailUrl, `${file.url}?thumbnail`);
    const thumbnail = await alice.download(file.thumbnailUrl);
    assertEquals(thumbnail.status, 200);
    assertEquals(thumbnail.headers.get("content-type"), "image/png");
    assertEquals(imageInfo(thumbnail.bytes), { mime: "image/png", width: 320, height: 240 });
    assert(thumbnail.bytes.length < large.length);
    assert(thumbnail.headers.get("etag") !== (await alice.download(file.url)).headers.get("etag"));
    const small = await alice.upload(pngImage(600, 400), { name: "small.png" });
    assert(!("thumbnailUrl" in small));
    // Asking for one that is not there serves the image itself.
    assertEquals(
      md5Hex((await alice.download(`${small.url}?thumbnail`)).bytes),
      md5Hex(pngImage(600, 400)),
    );
    const gif = await alice.upload(gifHeader(2000, 2000), { name: "anim.gif" });
    assert(!("thumbnailUrl" in gif));
    // A record of a thumbnail is only kept for the file; the thumbnail's bytes sit beside it.
    assertEquals((await h.backend.storage.list("thumbnails/")).length, 1);
  }, (config) => config.files.chunkBytes = 64 * 1024);
});
