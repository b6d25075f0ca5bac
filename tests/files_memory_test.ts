/**
 * The "done when", on both backends, with the server in a process of its own: a 25 MiB
 * file uploaded in 1 MiB chunks, in parallel and out of order; the server killed (SIGKILL) with
 * chunks in flight; the upload resumed on the restarted server with exactly the chunks that
 * had arrived whole; sent into a chat; downloaded by the other participant with the right
 * bytes; and the server's resident memory measured meanwhile: its growth stays well under the
 * file's size (the bytes stream through, they are never held).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { createHash } from "node:crypto";
import { MysqlUserStore } from "../store/users_mysql.ts";
import { openSqliteDb } from "../store/sqlite_db.ts";
import { SqliteUserStore } from "../store/users_sqlite.ts";
import { hashPassword } from "../store/password.ts";
import { openChatSession } from "./support/chat_session.ts";
import { loginOver } from "./support/chat_session.ts";
import { plainUser } from "./support/fixtures.ts";
import { sampleRss } from "./support/process_memory.ts";
import { type ServerProcess, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL, type TestStores } from "./support/stores.ts";
import { fetchAt, md5Hex, shuffled, testBytes, UploadClient } from "./support/upload_client.ts";

const MiB = 1024 * 1024;
const FILE_BYTES = 25 * MiB;
/**
 * Growth allowed while 25 MiB pass through: under half the file. What remains is the
 * runtime's own (V8's young generation, HTTP buffers): the same for 25 or 200 MiB. Reading each
 * piece of a body into a fresh buffer, as a plain stream does, left ~40 MiB here.
 */
const GROWTH_LIMIT = 12 * MiB;
/** Warm-up transfers: the paths run once before anything is measured. */
const WARM_UP = 16 * MiB;

interface Setup {
  args: string[];
  env: Record<string, string>;
  addUser(accountid: string): Promise<void>;
  cleanup(): Promise<void>;
}

async function productionSetup(): Promise<Setup> {
  const stores: TestStores = await openTestStores();
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-files-" });
  const users = new MysqlUserStore(stores.pool);
  await users.ensureSchema();
  return {
    args: ["--port", "0", "--redis", TEST_REDIS_URL, "--mysql", stores.mysqlUrl, "--data", dataDir],
    env: { CHAT_REDIS_PREFIX: stores.prefix },
    addUser: async (id) => users.add(plainUser(id), await hashPassword(`pw-${id}`)),
    cleanup: async () => {
      await stores.cleanup();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

async function embeddedSetup(): Promise<Setup> {
  const dataDir = await Deno.makeTempDir({ prefix: "webchat-files-" });
  return {
    args: ["--port", "0", "--data", dataDir],
    env: {},
    addUser: async (id) => {
      const db = openSqliteDb(dataDir);
      try {
        await new SqliteUserStore(db.db).add(plainUser(id), await hashPassword(`pw-${id}`));
      } finally {
        db.close();
      }
    },
    cleanup: () => Deno.remove(dataDir, { recursive: true }),
  };
}

/** A chunk body that sends `sent` bytes and then hangs until the server goes away. */
function hangingBody(bytes: Uint8Array, sent: number) {
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!done) {
        done = true;
        controller.enqueue(bytes.slice(0, sent));
        return;
      }
      await new Promise(() => {}); // never: the server is killed meanwhile
    },
  });
}

const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

for (
  const [backend, setup] of [["Redis + MySQL", productionSetup], [
    "embedded",
    embeddedSetup,
  ]] as const
) {
  Deno.test({
    name:
      `${backend}: 25 MiB in parallel chunks out of order, SIGKILL mid-upload, resumed, sent, downloaded; server memory flat`,
    sanitizeResources: false, // the requests cut by the kill leave fetch bodies behind
    sanitizeOps: false,
    fn: async () => {
      const s = await setup();
      let server: ServerProcess | null = null;
      try {
        await s.addUser("alice");
        await s.addUser("bob");
        const env = { CHAT_SEND_PER_SECOND: "1000", CHAT_SEND_BURST: "1000", ...s.env };
        server = await spawnServer(s.args, env);
        const tokenA = await loginOver(server.url, "alice", "pw-alice");
        const tokenB = await loginOver(server.url, "bob", "pw-bob");
        let alice = new UploadClient(fetchAt(server.url), tokenA);
        // Warm up the paths once, so the measure is of a running server, not of first use.
        await alice.download((await alice.upload(testBytes(WARM_UP, 2), { parallel: 4 })).url);

        const bytes = testBytes(FILE_BYTES, 7);
        const md5 = md5Hex(bytes);
        const start = { name: "dataset.bin", size: FILE_BYTES, mime: "application/zip", md5 };
        const started = (await alice.start(start)).body!;
        const { uploadId, chunkSize } = started;
        assertEquals(chunkSize, MiB);
        const order = shuffled(25);
        const first = order.slice(0, 10);
        await alice.sendChunks(uploadId, chunkSize, bytes, [], { order: first, parallel: 4 });
        // Two more chunks in flight, half sent, when the server is killed.
        const inFlight = order.slice(10, 12).map((index) =>
          alice.chunk(
            uploadId,
            index,
            hangingBody(bytes.subarray(index * MiB, (index + 1) * MiB), MiB / 2),
          )
            .catch((error) => error)
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        await server.kill("SIGKILL");
        for (const outcome of await Promise.all(inFlight)) assert(outcome instanceof Error);

        server = await spawnServer(s.args, env);
        alice = new UploadClient(fetchAt(server.url), tokenA);
        const bob = new UploadClient(fetchAt(server.url), tokenB);
        await alice.download((await alice.upload(testBytes(WARM_UP, 3), { parallel: 4 })).url);
        const aliceWs = await openChatSession(server.url, "alice", tokenA);
        const bobWs = await openChatSession(server.url, "bob", tokenB);
        const resumed = (await alice.start(start)).body!;
        assertEquals(resumed.uploadId, uploadId);
        assertEquals(resumed.received, [...first].sort((a, b) => a - b), "whole chunks only");

        const memory = sampleRss(server.child.pid);
        const baseline = (await sampleRss(server.child.pid).stop()).peak;
        await alice.sendChunks(uploadId, chunkSize, bytes, resumed.received, { parallel: 4 });
        const done = await alice.complete(uploadId);
        assertEquals(done.status, 200);
        const file = done.body!.file;
        assertEquals([file.size, file.name], [FILE_BYTES, "dataset.bin"]);

        aliceWs.ws.send({
          type: "say",
          chatid: "alice--bob",
          msgType: "file",
          fileId: file.id,
          content: "",
          cid: "f",
        });
        const said = await bobWs.ws.next((f) => f.type === "say" && f.cid === "f");
        assertEquals(said.file, file);

        // bob reads it as a stream, hashing as it comes.
        const response = await fetch(server.url + said.file.url, {
          headers: { authorization: `Bearer ${tokenB}` },
        });
        assertEquals(response.status, 200);
        const hash = createHash("md5");
        let length = 0;
        for await (const piece of response.body!) {
          hash.update(piece);
          length += piece.length;
        }
        assertEquals([length, hash.digest("hex")], [FILE_BYTES, md5]);
        const after = await memory.stop();
        const growth = after.peak - baseline;
        console.log(
          `${backend}: server RSS ${mib(baseline)} before the resumed upload, peak ${
            mib(after.peak)
          } ` +
            `during 15 MiB of chunks, assembly of 25 MiB and a 25 MiB download (${after.samples} ` +
            `samples): growth ${mib(growth)} (limit ${mib(GROWTH_LIMIT)})`,
        );
        assert(growth < GROWTH_LIMIT, `RSS grew ${mib(growth)}, limit ${mib(GROWTH_LIMIT)}`);
        assertEquals(
          (await bob.download(said.file.url, { range: "bytes=0-9" })).bytes,
          bytes.slice(0, 10),
        );
        await aliceWs.ws.close();
        await bobWs.ws.close();
      } finally {
        await server?.kill();
        await s.cleanup();
      }
    },
  });
}
