/**
 * The {@link FileStorage} contract, as `Deno.test`s run against every implementation
 * (`file_storage_local_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { contractTests } from "../tests/support/contract.ts";
import { type FileStorage, TooLargeError, TooSmallError } from "./file_storage.ts";

/** One implementation on fresh, empty storage. */
export interface FileStorageHarness {
  storage: FileStorage;
  /** Every object and partial write the implementation holds (to see nothing was left). */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

/** A stream of `bytes` in pieces of `step`, optionally failing after `failAfter` pieces. */
export function streamOf(bytes: Uint8Array, step = 1000, failAfter = Infinity) {
  let at = 0, pieces = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pieces++ >= failAfter) return controller.error(new Error("client went away"));
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + step));
      at += step;
    },
  });
}

async function read(storage: FileStorage, key: string, range?: { start: number; end: number }) {
  const object = await storage.get(key, range);
  if (!object) return null;
  return new Uint8Array(await new Response(object.body).arrayBuffer());
}

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

/** Registers the contract's tests, named `${name}: …`. */
export function describeFileStorageContract(
  name: string,
  open: () => Promise<FileStorageHarness>,
): void {
  const test = contractTests(name, open);

  test("put streams in, get reads whole or a range, list and delete", async ({ storage }) => {
    const data = bytes(10_000);
    assertEquals(await storage.put("files/ab/abc", streamOf(data), { maxBytes: 10_000 }), {
      size: 10_000,
      stored: true,
    });
    assertEquals(await read(storage, "files/ab/abc"), data);
    assertEquals(await read(storage, "files/ab/abc", { start: 9000, end: 9999 }), data.slice(9000));
    assertEquals(await read(storage, "files/ab/abc", { start: 5, end: 5 }), data.slice(5, 6));
    assertEquals((await storage.get("files/ab/abc"))!.size, 10_000);
    // an unread body is released on cancel
    await (await storage.get("files/ab/abc"))!.body.cancel();
    assertEquals(await storage.get("files/ab/none"), null);
    await storage.put("uploads/u1/0", streamOf(bytes(10)), { maxBytes: 10 });
    await storage.put("uploads/u1/1", streamOf(bytes(3)), { maxBytes: 10 });
    assertEquals(await storage.list("uploads/u1/"), [
      { key: "uploads/u1/0", size: 10 },
      { key: "uploads/u1/1", size: 3 },
    ]);
    assertEquals((await storage.list("uploads/")).length, 2);
    assertEquals(await storage.list("uploads/none/"), []);
    await storage.deletePrefix("uploads/u1/");
    assertEquals(await storage.list("uploads/u1/"), []);
    await storage.delete("files/ab/abc");
    await storage.delete("files/ab/abc");
    assertEquals(await storage.get("files/ab/abc"), null);
  });

  test("a body over the limit or one that fails keeps nothing", async (h) => {
    await rejects(
      h.storage.put("files/x/big", streamOf(bytes(2001)), { maxBytes: 2000 }),
      TooLargeError,
    );
    await rejects(
      h.storage.put("files/x/short", streamOf(bytes(1999)), { maxBytes: 2000, minBytes: 2000 }),
      TooSmallError,
    );
    await rejects(
      h.storage.put("files/x/cut", streamOf(bytes(5000), 1000, 2), { maxBytes: 9000 }),
      /client went away/,
    );
    assertEquals(await h.storage.get("files/x/big"), null);
    assertEquals(await h.storage.get("files/x/cut"), null);
    assertEquals(await h.storage.get("files/x/short"), null);
    assertEquals(await h.leftovers(), []);
  });

  test("exclusive keeps the first object; a plain put replaces it", async ({ storage }) => {
    await storage.put("uploads/u/0", streamOf(bytes(4)), { maxBytes: 9, exclusive: true });
    const again = await storage.put("uploads/u/0", streamOf(new Uint8Array(4)), {
      maxBytes: 9,
      exclusive: true,
    });
    assertEquals(again, { size: 4, stored: false });
    assertEquals(await read(storage, "uploads/u/0"), bytes(4));
    // A reader that opened the old object keeps reading the old bytes.
    const reading = await storage.get("uploads/u/0");
    await storage.put("uploads/u/0", streamOf(new Uint8Array(4)), { maxBytes: 9 });
    assertEquals(new Uint8Array(await new Response(reading!.body).arrayBuffer()), bytes(4));
    assertEquals(await read(storage, "uploads/u/0"), new Uint8Array(4));
  });

  test("an object written piece by piece is seen only once finished", async (h) => {
    const writer = await h.storage.create("files/ab/whole");
    const piece = bytes(100);
    await writer.write(piece);
    piece.fill(0); // reusable once written
    await writer.write(bytes(50));
    assertEquals(await h.storage.get("files/ab/whole"), null);
    assertEquals(await writer.finish(), true);
    assertEquals(
      await read(h.storage, "files/ab/whole"),
      new Uint8Array([...bytes(100), ...bytes(50)]),
    );
    const dropped = await h.storage.create("files/ab/dropped");
    await dropped.write(bytes(10));
    await dropped.abort();
    assertEquals(await h.storage.get("files/ab/dropped"), null);
    const second = await h.storage.create("files/ab/whole");
    await second.write(bytes(1));
    assertEquals(await second.finish(), false, "an existing object is kept");
    const kept = (await h.storage.get("files/ab/whole"))!;
    await kept.body.cancel();
    assertEquals(kept.size, 150);
    assertEquals((await h.leftovers()).sort(), ["files/ab/whole"]);
  });

  test("keys are the server's own: no dots, no climbing out", async ({ storage }) => {
    for (const key of ["../x", "files/../../x", ".partial/x", "/abs", "files//x", "Files/X", ""]) {
      await rejects(storage.put(key, streamOf(bytes(1)), { maxBytes: 1 }), TypeError, key);
      await rejects(storage.get(key), TypeError, key);
    }
    await rejects(storage.list("uploads"), TypeError);
  });
}
