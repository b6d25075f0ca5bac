/**
 * In-process tier, the chat data of the asking account: the directory, presence, contacts,
 * unread counts, read marks and history, with every status code and error body, through
 * `app.request()` over the embedded backend.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type AppHarness, openAppHarness } from "./support/app_harness.ts";

/** A harness with alice, bob and carol, and a session of each. */
async function withThree(
  body: (h: AppHarness, tokens: Record<string, string>) => Promise<void>,
): Promise<void> {
  const h = await openAppHarness();
  try {
    const tokens: Record<string, string> = {};
    for (const id of ["alice", "bob", "carol"]) {
      await h.addUser(id);
      tokens[id] = await h.session(id);
    }
    await body(h, tokens);
  } finally {
    await h.close();
  }
}

const error = (code: string, message: string) => ({ error: { code, message } });

Deno.test("users: the directory, search, one user, and 400/404 for bad or unknown ids", async () => {
  await withThree(async (h, { alice }) => {
    const all = await h.request("/api/users", { token: alice });
    assertEquals(all.status, 200);
    assertEquals(all.body!.users.map((u: { accountid: string }) => u.accountid).sort(), [
      "alice",
      "bob",
      "carol",
    ]);
    assert(
      all.body!.users.every((u: object) => !("passwordHash" in u) && !("pwd" in u)),
      "no password material",
    );
    const found = await h.request("/api/users?q=CAR", { token: alice });
    assertEquals(found.body!.users.map((u: { accountid: string }) => u.accountid), ["carol"]);
    assertEquals((await h.request("/api/users?limit=1", { token: alice })).body!.users.length, 1);
    const long = await h.request(`/api/users?q=${"x".repeat(101)}`, { token: alice });
    assertEquals([long.status, long.body], [
      400,
      error("bad_request", "q must be at most 100 characters"),
    ]);
    for (const limit of ["0", "5001", "ten", "-1"]) {
      const answer = await h.request(`/api/users?limit=${limit}`, { token: alice });
      assertEquals([answer.status, answer.body], [
        400,
        error("bad_request", "limit must be an integer from 1 to 5000"),
      ]);
    }
    const bob = await h.request("/api/users/bob", { token: alice });
    assertEquals([bob.status, bob.body!.user.username], [200, "BOB"]);
    assert(!("passwordHash" in bob.body!.user));
    const unknown = await h.request("/api/users/nobody", { token: alice });
    assertEquals([unknown.status, unknown.body], [
      404,
      error("not_found", `no account "nobody"`),
    ]);
    const bad = await h.request("/api/users/al-ice", { token: alice });
    assertEquals([bad.status, bad.body], [
      400,
      error("bad_request", `"al-ice" is not an accountid`),
    ]);
  });
});

Deno.test("online, contacts (and DELETE), unread and read marks", async () => {
  await withThree(async (h, { alice, bob, carol }) => {
    assertEquals((await h.request("/api/online", { token: alice })).body, { online: [] });
    await h.backend.presence.online("bob");
    assertEquals((await h.request("/api/online", { token: alice })).body, { online: ["bob"] });

    assertEquals((await h.request("/api/contacts", { token: bob })).body, { contacts: [] });
    const message = await h.say("alice--bob", "alice", "hi bob");
    await h.backend.inbox.deliver("alice--bob", ["bob"], [], "{}");
    const contacts = await h.request("/api/contacts", { token: bob });
    assertEquals(contacts.body, {
      contacts: [{ chatid: "alice--bob", time: message.time, unread: 1, title: "ALICE" }],
    });
    for (const limit of ["0", "201", "x"]) {
      const answer = await h.request(`/api/contacts?limit=${limit}`, { token: bob });
      assertEquals([answer.status, answer.body!.error.code], [400, "bad_request"], limit);
    }
    assertEquals((await h.request("/api/unread", { token: bob })).body, {
      unread: { "alice--bob": 1 },
      mentions: {},
      broadcast: 0,
    });

    // Read marks: participants only, and a bad id is a bad request; neither changes a count.
    const post = (path: string, token: string) => h.request(path, { method: "POST", token });
    const outsider = await post("/api/chats/alice--bob/read", carol);
    assertEquals([outsider.status, outsider.body], [
      403,
      error("forbidden", "you are not a participant of alice--bob"),
    ]);
    assertEquals((await post("/api/chats/bob-1764201600000/read", bob)).status, 403);
    const badId = await post("/api/chats/nonsense/read", bob);
    assertEquals([badId.status, badId.body!.error.code], [400, "bad_request"]);
    assertEquals((await h.request("/api/unread", { token: bob })).body!.unread, {
      "alice--bob": 1,
    });
    const read = await post("/api/chats/alice--bob/read", bob);
    assertEquals([read.status, read.body], [204, null]);
    assertEquals((await h.request("/api/unread", { token: bob })).body, {
      unread: {},
      mentions: {},
      broadcast: 0,
    });

    const del = (path: string) => h.request(path, { method: "DELETE", token: bob });
    const badDelete = await del("/api/contacts/nonsense");
    assertEquals([badDelete.status, badDelete.body!.error.code], [400, "bad_request"]);
    assertEquals((await del("/api/contacts/alice--bob")).status, 204);
    assertEquals((await h.request("/api/contacts", { token: bob })).body, { contacts: [] });
    // Only bob's list: alice still has the chat.
    const aliceContacts = await h.request("/api/contacts", { token: alice });
    assertEquals(aliceContacts.body!.contacts.length, 1);
  });
});

Deno.test("messages: newest page, cursors, filters, and hasMore for a catch-up ahead of the archive", async () => {
  await withThree(async (h, { alice, bob }) => {
    for (let i = 1; i <= 25; i++) {
      await h.say("alice--bob", i % 2 ? "alice" : "bob", i === 7 ? "the blue whale" : `m${i}`);
    }
    const page = async (query: string, token = alice) => {
      const answer = await h.request(`/api/chats/alice--bob/messages${query}`, { token });
      assertEquals(answer.status, 200, `${query}: ${JSON.stringify(answer.body)}`);
      const seqs = answer.body!.messages.map((m: { seq: number }) => m.seq);
      return { seqs, hasMore: answer.body!.hasMore, messages: answer.body!.messages };
    };
    const range = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const newest = await page("");
    assertEquals([newest.seqs, newest.hasMore], [range(6, 25), true]);
    assertEquals(Object.keys(newest.messages[0]).sort(), [
      "chatid",
      "cid",
      "fromuser",
      "message",
      "mid",
      "msgType",
      "seq",
      "time",
      "type",
    ]);
    assertEquals(newest.messages[0].type, "say");
    assertEquals((await page("", bob)).seqs, range(6, 25), "both participants");
    assertEquals(await page("?limit=5").then((p) => [p.seqs, p.hasMore]), [range(21, 25), true]);
    assertEquals(await page("?before=6").then((p) => [p.seqs, p.hasMore]), [range(1, 5), false]);
    assertEquals(await page("?before=6&limit=2").then((p) => p.seqs), [4, 5]);
    assertEquals(await page("?after=20").then((p) => [p.seqs, p.hasMore]), [range(21, 25), false]);
    assertEquals(await page("?q=BLUE%20whale").then((p) => p.seqs), [7]);
    assertEquals((await page("?type=text&limit=100")).seqs, range(1, 25));
    assertEquals((await page("?type=image")).seqs, []);

    // Accepted but not archived yet (no worker here): a catch-up is told to ask again.
    await h.backend.producer.enqueue({
      mid: crypto.randomUUID(),
      chatid: "alice--bob",
      fromuser: "alice",
      message: "in the queue",
      type: 0,
      fileId: "",
      time: Math.floor(Date.now() / 1000),
      cid: "",
      members: ["alice", "bob"],
    });
    assertEquals(await page("?after=25").then((p) => [p.seqs, p.hasMore]), [[], true]);
  });
});

Deno.test("messages: 400 for every bad parameter, 403 for an outsider, 400 for a bad chat id", async () => {
  await withThree(async (h, { alice, carol }) => {
    const get = (path: string, token = alice) => h.request(path, { token });
    const bad: [string, string][] = [
      ["limit=0", "limit must be an integer from 1 to 100"],
      ["limit=101", "limit must be an integer from 1 to 100"],
      ["limit=ten", "limit must be an integer from 1 to 100"],
      ["before=-1", `before must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`],
      ["after=1.5", `after must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`],
      ["since=yesterday", "since must be an integer from 0 to 2147483647"],
      ["until=99999999999", "until must be an integer from 0 to 2147483647"],
      ["type=video", "type must be one of text, image, file, system"],
      [`q=${"w".repeat(201)}`, "q must be at most 200 characters"],
    ];
    for (const [query, message] of bad) {
      const answer = await get(`/api/chats/alice--bob/messages?${query}`);
      assertEquals([answer.status, answer.body], [400, error("bad_request", message)], query);
    }
    const outsider = await get("/api/chats/alice--bob/messages", carol);
    assertEquals([outsider.status, outsider.body], [
      403,
      error("forbidden", "you are not a participant of alice--bob"),
    ]);
    // Checked before the parameters: an outsider learns nothing from a bad query either.
    assertEquals((await get("/api/chats/alice--bob/messages?limit=0", carol)).status, 403);
    assertEquals((await get("/api/chats/alice-1764201600000/messages")).status, 403);
    for (const chatid of ["nonsense", "alice--", "a--b--c", "alice--al%20ice"]) {
      const answer = await get(`/api/chats/${chatid}/messages`);
      assertEquals([answer.status, answer.body!.error.code], [400, "bad_request"], chatid);
    }
  });
});
