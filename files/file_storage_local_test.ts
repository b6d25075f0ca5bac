import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import { describeFileStorageContract, streamOf } from "./file_storage_contract.ts";
import { LocalFileStorage } from "./file_storage_local.ts";

async function walk(root: string, relative = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(join(root, relative))) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory) found.push(...await walk(root, path));
    else found.push(path);
  }
  return found;
}

describeFileStorageContract("LocalFileStorage", async () => {
  const root = await Deno.makeTempDir({ prefix: "webchat-storage-" });
  return {
    storage: new LocalFileStorage(root),
    leftovers: () => walk(root),
    close: () => Deno.remove(root, { recursive: true }),
  };
});

Deno.test("LocalFileStorage: partial files a crash left are swept once old", async () => {
  const root = await Deno.makeTempDir({ prefix: "webchat-storage-" });
  try {
    const storage = new LocalFileStorage(root);
    await Deno.writeTextFile(join(root, ".partial", "left-by-a-crash"), "half");
    const old = new Date(Date.now() - 2 * 3600_000);
    await Deno.utime(join(root, ".partial", "left-by-a-crash"), old, old);
    await Deno.writeTextFile(join(root, ".partial", "being-written"), "now");
    await storage.put("files/aa/kept", streamOf(new Uint8Array(3)), { maxBytes: 3 });
    assertEquals(await storage.sweepAbandoned(3600_000), 1);
    assertEquals(await walk(root), [".partial/being-written", "files/aa/kept"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
