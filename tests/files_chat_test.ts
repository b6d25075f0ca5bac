/**
 * Images and files over the real wire, on both backends: uploaded, sent into a chat with `say`
 * (`msgType` image/file and a `fileId`), delivered with their `File` live, offline and in
 * history, downloaded by the other participant and by nobody else; and the `fileId`s a `say`
 * must refuse.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startTestServer } from "./support/chat_server.ts";
import { openChatSession } from "./support/chat_session.ts";
import { startEmbeddedTestServer } from "./support/embedded_test_server.ts";
import { eventually } from "./support/fixtures.ts";
import { pngImage } from "./support/images.ts";
import { imageInfo } from "../files/image_info.ts";
import { fetchAt, md5Hex, testBytes, UploadClient } from "./support/upload_client.ts";
import type { Frame } from "./support/ws_client.ts";

/** What both test servers offer. */
interface AnyServer {
  url: string;
  addUser(accountid: string): Promise<void>;
  login(accountid: string): Promise<string>;
  close(): Promise<void>;
}

const BACKENDS: [string, () => Promise<AnyServer>][] = [
  ["Redis + MySQL", () => startTestServer()],
  ["embedded", () => startEmbeddedTestServer()],
];

for (const [backend, open] of BACKENDS) {
  Deno.test(`${backend}: an image and a file sent into a chat reach the other participant, live, offline and in history`, async () => {
    const t = await open();
    try {
      for (const id of ["alice", "bob", "carol"]) await t.addUser(id);
      const tokens: Record<string, string> = {};
      for (const id of ["alice", "bob", "carol"]) tokens[id] = await t.login(id);
      const alice = new UploadClient(fetchAt(t.url), tokens.alice);
      const bob = new UploadClient(fetchAt(t.url), tokens.bob);
      const carol = new UploadClient(fetchAt(t.url), tokens.carol);
      const png = pngImage(800, 600);
      const image = await alice.upload(png, { name: "screenshot.png", mime: "image/png" });
      assertEquals([image.width, image.height, image.mime], [800, 600, "image/png"]);
      const data = testBytes(300_000);
      const doc = await alice.upload(data, { name: "Q1 <b>plan</b>.pdf", mime: "application/pdf" });
      const bobsFile = await bob.upload(testBytes(10, 3), { name: "bob.txt" });

      const aliceWs = await openChatSession(t.url, "alice", tokens.alice);
      const chatid = "alice--bob";
      const say = (frame: Record<string, unknown>) =>
        aliceWs.ws.send({ type: "say", chatid, ...frame });
      const refused = async (cid: string, frame: Record<string, unknown>, msg: RegExp) => {
        say({ cid, content: "", ...frame });
        const error = await aliceWs.ws.next((f) => f.type === "error" && f.cid === cid);
        assertEquals(error.info, "bad_request");
        assert(msg.test(error.msg), error.msg);
      };
      await refused("c1", { msgType: "file", fileId: bobsFile.id }, /names no file you uploaded/);
      await refused(
        "c2",
        { msgType: "file", fileId: "0".repeat(32) },
        /names no file you uploaded/,
      );
      await refused("c3", { msgType: "image", fileId: "../../etc/passwd" }, /names no file/);
      await refused("c4", { msgType: "image", fileId: doc.id }, /not a PNG, JPEG, GIF or WebP/);
      await refused("c5", { msgType: "text", content: "hi", fileId: doc.id }, /goes with msgType/);
      await refused("c6", { msgType: "file" }, /names no file/);
      // Nothing of those reached bob: he may not download the document yet.
      assertEquals((await bob.download(doc.url)).status, 403);

      // bob is offline for the first one: it waits in his offline list with its File.
      say({ cid: "img", msgType: "image", fileId: image.id, content: "" });
      const imageAck = await aliceWs.ws.next((f) => f.type === "ack" && f.cid === "img");
      const bobWs = await openChatSession(t.url, "bob", tokens.bob);
      const offline = (bobWs.init.offline as Frame[]).find((f) => f.mid === imageAck.mid)!;
      assertEquals(offline.msgType, "image");
      assertEquals(offline.file, image);
      say({ cid: "doc", msgType: "file", fileId: doc.id, content: "the plan" });
      const live = await bobWs.ws.next((f) => f.type === "say" && f.cid === "doc");
      assertEquals([live.msgType, live.message, live.file], ["file", "the plan", doc]);

      // History carries File too (from the hot list and from the archive alike).
      const history = await eventually(
        async () => {
          const response = await fetch(`${t.url}/api/chats/${chatid}/messages`, {
            headers: { authorization: `Bearer ${tokens.bob}` },
          });
          const body = await response.json();
          return body.messages.length === 2 ? body.messages : null;
        },
        10_000,
        "both messages in history",
      );
      assertEquals(history.map((m: Frame) => [m.msgType, m.file?.id]), [
        ["image", image.id],
        ["file", doc.id],
      ]);
      // A filtered page comes from the archive, which follows the worker by a moment.
      const images = await eventually(
        async () => {
          const body = await fetch(
            `${t.url}/api/chats/${chatid}/messages?type=image&before=100`,
            { headers: { authorization: `Bearer ${tokens.bob}` } },
          ).then((r) => r.json());
          return body.messages.length > 0 ? body : null;
        },
        10_000,
        "the image in the archive",
      );
      assertEquals(images.messages.map((m: Frame) => m.file), [image]);

      const got = await bob.download(doc.url);
      assertEquals([got.status, md5Hex(got.bytes)], [200, md5Hex(data)]);
      const shown = await bob.download(image.url);
      assertEquals([shown.status, shown.headers.get("content-type")], [200, "image/png"]);
      assertEquals(md5Hex(shown.bytes), md5Hex(png));
      // Made in the upload worker: 800 × 600 is above the thumbnail threshold.
      const thumbnail = await bob.download(image.thumbnailUrl);
      assertEquals(imageInfo(thumbnail.bytes), { mime: "image/png", width: 320, height: 240 });
      assertEquals((await carol.download(image.thumbnailUrl)).status, 403);
      assertEquals((await carol.download(doc.url)).status, 403);
      const anonymous = await fetch(t.url + doc.url);
      assertEquals(anonymous.status, 401);
      await anonymous.body?.cancel();
      await aliceWs.ws.close();
      await bobWs.ws.close();
    } finally {
      await t.close();
    }
  });
}
