/**
 * Uploads at the edges of the machine: a 1 MiB chunk over a slow but honest link is not cut
 * by the HTTP clocks, and the disk filling up while a chunk or the assembled file is written
 * (a real 4 MiB tmpfs when this process may mount one; always, a storage whose writes fail with
 * ENOSPC past a quota, as the kernel's do) answers a clear 503, removes the partial file, keeps
 * what was whole, and works again once there is room.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { join } from "node:path";
import { createApp } from "../api/app.ts";
import { Gateway } from "../gateway/gateway.ts";
import { Hub } from "../gateway/hub.ts";
import { TypingGate } from "../gateway/typing.ts";
import { type FileStorage, StorageFullError } from "../files/file_storage.ts";
import { LocalFileStorage } from "../files/file_storage_local.ts";
import { APP_ORIGIN, openAppHarness } from "./support/app_harness.ts";
import { startEmbeddedTestServer } from "./support/embedded_test_server.ts";
import { eventually } from "./support/fixtures.ts";
import { fetchAt, md5Hex, testBytes, UploadClient } from "./support/upload_client.ts";

const MiB = 1024 * 1024;

Deno.test("a 1 MiB chunk sent slowly, with a pause longer than the header timeout, arrives whole", async () => {
  const t = await startEmbeddedTestServer((config) => {
    config.http.headerTimeoutSeconds = 1;
  });
  try {
    await t.addUser("alice");
    const alice = new UploadClient(fetchAt(t.url), await t.login("alice"));
    const bytes = testBytes(MiB, 4);
    const { uploadId } = (await alice.start({ name: "slow.bin", size: MiB, md5: md5Hex(bytes) }))
      .body!;
    // 32 pieces of 32 KiB, 60 ms apart, and a 1.5 s pause after the first: about 3.4 s for a
    // request whose head had 1 s. Each byte received extends the body's deadline (500 B/s).
    let piece = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (piece === 32) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, piece === 1 ? 1500 : 60));
        controller.enqueue(bytes.slice(piece * 32 * 1024, (piece + 1) * 32 * 1024));
        piece++;
      },
    });
    const began = performance.now();
    const answer = await alice.chunk(uploadId, 0, slow);
    const seconds = (performance.now() - began) / 1000;
    assertEquals(answer.status, 204);
    assert(seconds > 3, `took ${seconds.toFixed(1)} s`);
    const done = await alice.complete(uploadId);
    assertEquals(md5Hex((await alice.download(done.body!.file.url)).bytes), md5Hex(bytes));
  } finally {
    await t.close();
  }
});

/** Mounts a tmpfs of `bytes` at a new folder; null when this process may not. */
async function mountTmpfs(bytes: number): Promise<string | null> {
  const dir = await Deno.makeTempDir({ prefix: "webchat-full-" });
  const mounted = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => null);
  if (mounted?.success) return dir;
  await Deno.remove(dir);
  return null;
}

async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir] }).output();
  await Deno.remove(dir);
}

const canMount = await (async () => {
  const dir = await mountTmpfs(1 * MiB);
  if (dir) await unmount(dir);
  return dir !== null;
})();

/** Files under a folder, recursively (to see no partial file stayed). */
async function filesUnder(root: string, relative = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(join(root, relative))) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory) found.push(...await filesUnder(root, path));
    else found.push(path);
  }
  return found.sort();
}

Deno.test({
  name:
    "the disk (a 4 MiB tmpfs) full while a chunk and while the file are written: 503, nothing partial, then it works",
  ignore: !canMount,
  fn: async () => {
    const mount = (await mountTmpfs(4 * MiB))!;
    const root = join(mount, "files");
    const t = await startEmbeddedTestServer((config) => {
      config.files.dir = root;
    });
    try {
      await t.addUser("alice");
      const alice = new UploadClient(fetchAt(t.url), await t.login("alice"));
      const bytes = testBytes(2 * MiB, 6);
      const { uploadId } =
        (await alice.start({ name: "f.bin", size: bytes.length, md5: md5Hex(bytes) }))
          .body!;
      const filler = join(mount, "filler");
      await Deno.writeFile(filler, new Uint8Array(3.5 * MiB));
      const full = await alice.chunk(uploadId, 0, bytes.subarray(0, MiB));
      assertEquals([full.status, full.body!.error.code], [503, "unavailable"]);
      assertEquals(
        full.body!.error.message,
        "the server's file storage is full; nothing was kept; retry later",
      );
      assertEquals(await filesUnder(root), [], "the partial chunk was removed");
      // Room for the two chunks, not for the file assembled from them as they arrive (the
      // last one first, so the assembly, which goes in order, starts once both are stored).
      await Deno.writeFile(filler, new Uint8Array(1.5 * MiB));
      await alice.sendChunks(uploadId, MiB, bytes, [], { order: [1, 0], parallel: 1 });
      const assembling = await alice.complete(uploadId);
      assertEquals([assembling.status, assembling.body!.error.code], [503, "unavailable"]);
      assertEquals(
        await filesUnder(root),
        [`uploads/${uploadId}/0`, `uploads/${uploadId}/1`],
        "the chunks stay; the partial file is gone",
      );
      await Deno.remove(filler);
      const done = await alice.complete(uploadId);
      assertEquals(done.status, 200);
      assertEquals(md5Hex((await alice.download(done.body!.file.url)).bytes), md5Hex(bytes));
    } finally {
      await t.close();
      await unmount(mount);
    }
  },
});

/**
 * A local storage whose writes fail as the kernel's do on a full disk (an error with code
 * ENOSPC) once `quota` bytes are written in all; `room()` frees it again.
 */
function fullAfter(inner: LocalFileStorage, quota: number): FileStorage & { room(): void } {
  let written = 0;
  let limit = quota;
  return {
    put(key, body, options) {
      const counting = body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(piece, controller) {
            written += piece.byteLength;
            if (written > limit) {
              const error = new Error("No space left on device (os error 28)");
              Object.assign(error, { code: "ENOSPC" });
              throw error;
            }
            controller.enqueue(piece);
          },
        }),
      );
      return inner.put(key, counting, options);
    },
    get: (key, range) => inner.get(key, range),
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
    deletePrefix: (prefix) => inner.deletePrefix(prefix),
    async create(key) {
      const writer = await inner.create(key);
      return {
        async write(bytes) {
          written += bytes.byteLength;
          if (written > limit) {
            await writer.abort();
            throw new StorageFullError(new Error("No space left on device (os error 28)"));
          }
          await writer.write(bytes);
        },
        finish: () => writer.finish(),
        abort: () => writer.abort(),
      };
    },
    sweepAbandoned: (ms) => inner.sweepAbandoned(ms),
    room() {
      limit = Infinity;
    },
  };
}

Deno.test("a storage failing with ENOSPC mid-write: 503, the partial file removed, the upload kept", async () => {
  const h = await openAppHarness((config) => config.files.chunkBytes = 64 * 1024);
  const root = await Deno.makeTempDir({ prefix: "webchat-enospc-" });
  try {
    const storage = fullAfter(new LocalFileStorage(root), 100 * 1024);
    const gateway = new Gateway({
      ...h.backend,
      config: h.config,
      hub: new Hub(),
      typing: new TypingGate(),
      log: () => {},
    });
    const app = createApp({
      config: h.config,
      backend: { ...h.backend, storage },
      gateway,
      log: () => {},
    });
    const info = {
      remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 40_000 },
      completed: Promise.resolve(),
    };
    await h.addUser("alice");
    const alice = new UploadClient(
      (path, init) => Promise.resolve(app.request(`${APP_ORIGIN}${path}`, init, info)),
      await h.session("alice"),
    );
    const bytes = testBytes(128 * 1024, 2);
    const { uploadId } = (await alice.start({ name: "x", size: bytes.length, md5: md5Hex(bytes) }))
      .body!;
    assertEquals((await alice.chunk(uploadId, 0, bytes.subarray(0, 65536))).status, 204);
    const full = await alice.chunk(uploadId, 1, bytes.subarray(65536));
    assertEquals([full.status, full.body!.error.code], [503, "unavailable"]);
    // The background assembly of chunk 0 failed too (the same quota) and removed its file.
    await eventually(
      async () => {
        const left = await filesUnder(root);
        return left.length === 1 && left[0] === `uploads/${uploadId}/0`;
      },
      5000,
      "only the whole chunk left",
    );
    storage.room();
    assertEquals((await alice.chunk(uploadId, 1, bytes.subarray(65536))).status, 204);
    const done = await alice.complete(uploadId);
    assertEquals(done.status, 200);
  } finally {
    await h.close();
    await Deno.remove(root, { recursive: true });
  }
});
