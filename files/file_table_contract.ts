/**
 * The {@link FileTable} contract, as `Deno.test`s run against every implementation
 * (`file_table_mysql_test.ts`, `file_table_sqlite_test.ts`).
 *
 * @module
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { contractTests } from "../tests/support/contract.ts";
import { type FileTable, newFileId, type StoredFile, type Upload } from "./file_table.ts";

/** One implementation on fresh, isolated storage. */
export interface FileTableHarness {
  files: FileTable;
  close(): Promise<void>;
}

const MD5 = "0123456789abcdef0123456789abcdef";
const NOW = 1_780_000_000;

/** An upload of `owner` of `size` bytes. */
export function sampleUpload(owner: string, size: number, name = "report.pdf"): Upload {
  return {
    id: newFileId(),
    owner,
    name,
    size,
    mime: "application/pdf",
    md5: MD5,
    chunkSize: 1024,
    created: NOW,
    touched: NOW,
  };
}

/** A file made from `upload`. */
export function fileOf(upload: Upload, extra: Partial<StoredFile> = {}): StoredFile {
  const id = newFileId();
  return {
    id,
    owner: upload.owner,
    name: upload.name,
    size: upload.size,
    mime: upload.mime,
    md5: upload.md5,
    storageKey: `files/${id.slice(0, 2)}/${id}`,
    width: null,
    height: null,
    thumbnailKey: null,
    time: NOW,
    ...extra,
  };
}

const limits = { quotaBytes: 1000, maxOpen: 10 };

/** Registers the contract's tests, named `${name}: …`. */
export function describeFileTableContract(
  name: string,
  open: () => Promise<FileTableHarness>,
): void {
  const test = contractTests(name, open);

  test("uploads: start, find, resume by exact name, touch, stale, drop", async ({ files }) => {
    const name = `Bericht <b>"Q1"</b> 😀 '; DROP TABLE webchat_file; --.pdf`;
    const upload = sampleUpload("alice", 100, name);
    assertEquals(await files.startUpload(upload, limits), null);
    assertEquals(await files.findUpload(upload.id), upload);
    assertEquals(await files.findUpload(newFileId()), null);
    assertEquals(await files.findResumable("alice", name, 100, MD5), upload);
    assertEquals(await files.findResumable("alice", name.toUpperCase(), 100, MD5), null);
    assertEquals(await files.findResumable("alice", name, 101, MD5), null);
    assertEquals(await files.findResumable("bob", name, 100, MD5), null);
    const other = sampleUpload("alice", 10);
    await files.startUpload(other, limits);
    assertEquals(await files.touchUpload(other.id, NOW + 500), true);
    assertEquals(await files.touchUpload(other.id, NOW + 500), true, "twice in one second");
    assertEquals((await files.staleUploads(NOW + 100, 10)).map((u) => u.id), [upload.id]);
    assertEquals((await files.staleUploads(NOW + 600, 1)).map((u) => u.id), [upload.id]);
    await files.dropUpload(upload.id);
    assertEquals(await files.findUpload(upload.id), null);
    assertEquals(await files.touchUpload(upload.id, NOW + 600), false);
  });

  test("quota and open uploads are checked with the insert, also in parallel", async (h) => {
    // Files count too: 600 stored + 300 open leaves room for 100.
    const stored = sampleUpload("alice", 600);
    await h.files.startUpload(stored, limits);
    await h.files.finishUpload(stored.id, fileOf(stored));
    assertEquals(await h.files.startUpload(sampleUpload("alice", 300), limits), null);
    assertEquals(await h.files.startUpload(sampleUpload("alice", 101), limits), "over_quota");
    assertEquals(await h.files.startUpload(sampleUpload("bob", 1000), limits), null);
    // 20 starts of 50 bytes at once: exactly two fit in the 100 left.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.files.startUpload(sampleUpload("alice", 50), limits)),
    );
    assertEquals(results.filter((r) => r === null).length, 2);
    assertEquals(results.filter((r) => r === "over_quota").length, 18);
    // At most maxOpen open uploads, whatever their size.
    for (let i = 0; i < 3; i++) await h.files.startUpload(sampleUpload("carol", 0), limits);
    assertEquals(
      await h.files.startUpload(sampleUpload("carol", 0), { ...limits, maxOpen: 3 }),
      "too_many",
    );
  });

  test("claims: one assembly at a time, released or lapsed, finished atomically", async (h) => {
    const upload = sampleUpload("alice", 10);
    await h.files.startUpload(upload, limits);
    assertEquals(await h.files.claimUpload(upload.id, NOW, NOW + 60), true);
    assertEquals(await h.files.claimUpload(upload.id, NOW + 1, NOW + 61), false);
    await h.files.releaseUpload(upload.id);
    assertEquals(await h.files.claimUpload(upload.id, NOW + 2, NOW + 62), true);
    // A claim whose holder died lapses.
    assertEquals(await h.files.claimUpload(upload.id, NOW + 62, NOW + 122), true);
    assertEquals(await h.files.claimUpload(newFileId(), NOW, NOW + 60), false);
    const file = fileOf(upload, { width: 640, height: 480, thumbnailKey: "thumbs/ab/x" });
    // A file id already taken fails the whole step: the upload stays.
    const taken = sampleUpload("bob", 1);
    await h.files.startUpload(taken, limits);
    await h.files.finishUpload(taken.id, file);
    await rejects(h.files.finishUpload(upload.id, file));
    assert(await h.files.findUpload(upload.id));
    const done = { ...file, id: newFileId() };
    await h.files.finishUpload(upload.id, done);
    assertEquals(await h.files.findUpload(upload.id), null);
    assertEquals(await h.files.findFile(done.id), done);
  });

  test("files: add within quota, find one or many, by content, sent into chats", async (h) => {
    const a = fileOf(sampleUpload("alice", 400), { time: NOW });
    const b = fileOf(sampleUpload("alice", 400), { time: NOW + 5, name: "copy.pdf" });
    assertEquals(await h.files.addFile(a, 1000), true);
    assertEquals(await h.files.addFile(b, 1000), true);
    assertEquals(await h.files.addFile(fileOf(sampleUpload("alice", 400)), 1000), false);
    assertEquals(await h.files.findFile(newFileId()), null);
    const found = await h.files.findFiles([a.id, b.id, newFileId(), a.id]);
    assertEquals([...found.keys()].sort(), [a.id, b.id].sort());
    assertEquals(found.get(b.id), b);
    assertEquals((await h.files.findFiles([])).size, 0);
    assertEquals((await h.files.filesWithContent(MD5, 400, 10)).map((f) => f.id), [b.id, a.id]);
    assertEquals(await h.files.filesWithContent(MD5, 401, 10), []);
    await h.files.recordSend(a.id, "alice--bob", NOW);
    await h.files.recordSend(a.id, "alice--bob", NOW + 1);
    await h.files.recordSend(a.id, "alice-1764201600000", NOW + 2);
    const chats = await h.files.chatsOf(a.id, 10);
    assertEquals(chats.map((c) => c.chatid), ["alice--bob", "alice-1764201600000"]);
    assert(chats.every((c) => Number.isInteger(c.time) && c.time > 0), JSON.stringify(chats));
    assertEquals((await h.files.chatsOf(a.id, 1)).map((c) => c.chatid), ["alice--bob"]);
    assertEquals(await h.files.chatsOf(b.id, 10), []);
  });
}
