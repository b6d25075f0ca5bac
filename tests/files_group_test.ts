/**
 * A file sent into a group, on both backends: its members may download it, the message
 * carries its `File`; someone who left afterwards keeps what they could see; someone who never
 * was a member, or was one only after the send and left, may not.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { bothBackends } from "./support/both_backends.ts";
import { G, groupset, people } from "./support/group_steps.ts";
import { fetchAt, testBytes, UploadClient } from "./support/upload_client.ts";

bothBackends(
  "a file sent into a group is its members', and stays theirs when they leave",
  async (h) => {
    const { tokens, ws } = await people(h, ["alice", "bob", "carol", "dave", "erin"]);
    const { alice, bob, carol, dave } = ws;
    alice.send({ type: "groupset", chatid: G, title: "Plans", members: ["bob", "carol"] });
    for (const client of [alice, bob, carol]) await groupset(client);

    const uploads = (id: string) => new UploadClient(fetchAt(h.server.url), tokens[id]);
    const data = testBytes(200_000, 7);
    const file = await uploads("alice").upload(data, { name: "plan.pdf", mime: "application/pdf" });
    alice.send({
      type: "say",
      chatid: G,
      msgType: "file",
      fileId: file.id,
      content: "",
      cid: "f1",
    });
    await alice.next((f) => f.type === "ack" && f.cid === "f1");
    const received = await bob.next((f) => f.type === "say" && f.cid === "f1");
    assertEquals(received.file, file);

    const download = async (id: string) => {
      const { status, bytes } = await uploads(id).download(file.url);
      return {
        status,
        same: bytes.length === data.length && bytes.every((b, i) => b === data[i]),
      };
    };
    assertEquals(await download("bob"), { status: 200, same: true });
    // Past the second of the send: a later stretch of membership is clearly after it.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    alice.send({ type: "groupset", chatid: G, members: ["alice", "bob", "carol", "dave"] });
    await groupset(dave);
    dave.send({ type: "groupset", chatid: G, members: ["alice", "bob", "carol"] }); // dave leaves
    await groupset(dave);
    carol.send({ type: "groupset", chatid: G, members: ["alice", "bob"] }); // carol leaves
    await groupset(carol);

    assertEquals(await download("carol"), { status: 200, same: true }, "left later: still hers");
    assertEquals((await download("dave")).status, 403, "a member only after the send, gone now");
    assertEquals((await download("erin")).status, 403, "never a member");
    assertEquals((await download("bob")).status, 200);
  },
);
