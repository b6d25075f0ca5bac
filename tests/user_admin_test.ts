/**
 * `chat user list|disable|enable|delete` with the real command against running servers: a
 * disabled account's open socket closes with 4401 (at once with Redis, within the recheck on
 * the embedded backend), it cannot log in until enabled; a deleted one is gone from the list,
 * its history stays. And the first start of an empty installation makes `admin`, once.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runChat as chat } from "./support/chat_cli.ts";
import { loginOver, openChatSession } from "./support/chat_session.ts";
import { eventually } from "./support/fixtures.ts";
import { freePort, spawnServer } from "./support/server_process.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";

async function loginStatus(url: string, accountid: string, password: string): Promise<number> {
  const response = await fetch(`${url}/api/login`, {
    method: "POST",
    body: JSON.stringify({ accountid, password }),
  });
  await response.body?.cancel();
  return response.status;
}

async function administer(env: Record<string, string>, closesWithinMs: number): Promise<void> {
  for (const [id, path] of [["alice", "Co,R&D"], ["bob", "Co,Sales"], ["carol", "Co,R&D,QA"]]) {
    const added = await chat(
      ["user", "add", id, "--name", id.toUpperCase(), "--dept-path", path, "--password-stdin"],
      env,
      `pw-${id}-long\n`,
    );
    assertEquals(added.code, 0, added.err);
  }
  const server = await spawnServer([], env);
  try {
    const listed = await chat(["user", "list", "--dept", "R&D", "--json"], env);
    assertEquals(listed.code, 0, listed.err);
    assertEquals(JSON.parse(listed.out).map((a: { accountid: string }) => a.accountid), [
      "alice",
      "carol",
    ]);

    const token = await loginOver(server.url, "alice", "pw-alice-long");
    const session = await openChatSession(server.url, "alice", token);
    session.ws.send({ type: "say", chatid: "alice--bob", content: "before", cid: "b1" });
    await session.ws.next((f) => f.type === "ack");
    const started = Date.now();
    const disabled = await chat(["user", "disable", "ALICE"], env);
    assertEquals(disabled.code, 0, disabled.err);
    assert(/^disabled alice; 1 session ended$/m.test(disabled.out), disabled.out);
    const closed = await session.ws.closed;
    assertEquals(closed.code, 4401);
    assert(Date.now() - started < closesWithinMs, `closed after ${Date.now() - started} ms`);
    assertEquals(await loginStatus(server.url, "alice", "pw-alice-long"), 403);
    const table = await chat(["user", "list"], env);
    assert(/^alice\s+ALICE\s+Co,R&D\s+disabled$/m.test(table.out), table.out);
    assert(/^3 accounts$/m.test(table.out), table.out);
    assertEquals(
      JSON.parse((await chat(["user", "list", "--disabled", "--json"], env)).out).length,
      1,
    );
    // The directory people see leaves her out; her name still resolves for history.
    const bob = await loginOver(server.url, "bob", "pw-bob-long");
    const directory = await (await fetch(`${server.url}/api/users`, {
      headers: { authorization: `Bearer ${bob}` },
    })).json();
    assertEquals(directory.users.map((u: { accountid: string }) => u.accountid), ["bob", "carol"]);

    const enabled = await chat(["user", "enable", "alice"], env);
    assertEquals([enabled.code, enabled.out.trim()], [0, "enabled alice"]);
    assertEquals(await loginStatus(server.url, "alice", "pw-alice-long"), 200);

    const refuse = await chat(["user", "delete", "bob"], env);
    assertEquals(refuse.code, 2);
    assert(/add --yes/.test(refuse.err), refuse.err);
    const deleted = await chat(["user", "delete", "bob", "--yes"], env);
    assertEquals(deleted.code, 0, deleted.err);
    assert(/^deleted bob; 1 session ended; their messages stay in history$/m.test(deleted.out));
    assertEquals(await loginStatus(server.url, "bob", "pw-bob-long"), 401);
    const history = await (await fetch(`${server.url}/api/chats/alice--bob/messages`, {
      headers: { authorization: `Bearer ${await loginOver(server.url, "alice", "pw-alice-long")}` },
    })).json();
    assertEquals(history.messages.map((m: { message: string }) => m.message), ["before"]);
    for (const sub of ["disable", "enable", "delete", "passwd"]) {
      const missing = await chat(
        ["user", sub, "nobody", "--yes"].slice(0, sub === "delete" ? 4 : 3),
        env,
        "long-enough-pw\n",
      );
      assertEquals(missing.code, 1, `${sub}: ${missing.err}`);
      assert(/no account "nobody"/.test(missing.err), missing.err);
    }
  } finally {
    await server.kill();
  }
}

Deno.test("user disable, enable, list and delete on the embedded backend", async () => {
  const data = await Deno.makeTempDir();
  try {
    await administer(
      { CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()), CHAT_SESSION_RECHECK: "1" },
      5000,
    );
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("user disable, enable, list and delete on Redis + MySQL: the socket closes at once", async () => {
  const data = await Deno.makeTempDir();
  const stores = await openTestStores();
  try {
    await administer({
      CHAT_DATA_DIR: data,
      CHAT_PORT: String(freePort()),
      CHAT_REDIS_URL: TEST_REDIS_URL,
      CHAT_REDIS_PREFIX: stores.prefix,
      CHAT_MYSQL_URL: stores.mysqlUrl,
    }, 3000);
  } finally {
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});

/**
 * The first start creates admin once; `--demo` then seeds people, chats, groups and a
 * broadcast, once, which the server serves.
 */
async function firstStartAndDemo(env: Record<string, string>, data: string): Promise<void> {
  try {
    const first = await chat(["start", "-d"], env);
    assertEquals(first.code, 0, first.err);
    const password = /admin password \(shown once\): (\S+)/.exec(first.out)?.[1];
    assert(password && password.length >= 16, first.out);
    assert(/chat user passwd admin/.test(first.out), first.out);
    const url = /on (http:\/\/\S+);/.exec(first.out)![1];
    assertEquals(await loginStatus(url, "admin", password), 200);
    assertEquals((await chat(["stop"], env)).code, 0);
    // Only once; and --demo seeds an organisation beside admin, with some history.
    const second = await chat(["start", "-d", "--demo"], env);
    assertEquals(second.code, 0, second.err);
    assert(!/admin password/.test(second.out), second.out);
    const demoPassword = /demo password \(the same for all, shown once\): (\S+)/.exec(second.out)
      ?.[1];
    assert(demoPassword, second.out);
    assert(
      /demo: 12 people in 6 departments, 2 groups, 1 broadcast and 25 messages/.test(second.out),
      second.out,
    );
    // The same port as the first start: the same URL.
    const grace = await loginOver(url, "grace", demoPassword);
    const history = await eventually(
      async () => {
        const page = await (await fetch(`${url}/api/chats/grace--linus/messages`, {
          headers: { authorization: `Bearer ${grace}` },
        })).json();
        return page.messages?.length === 4 ? page.messages : null;
      },
      10_000,
      "demo history archived",
    );
    assertEquals(history[0].message, "The nightly build broke on the new compiler flags.");
    const get = async (token: string, path: string) =>
      await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } }))
        .json();
    // Two one-to-one chats and the R&D group, whose five people read its conversation.
    const contacts = await eventually(
      async () => {
        const { contacts } = await get(grace, "/api/contacts");
        return contacts.length === 3 ? contacts as { chatid: string }[] : null;
      },
      10_000,
      "demo groups archived",
    );
    const group = contacts.find((c) => /^grace-\d+$/.test(c.chatid))!.chatid;
    const rnd = await get(grace, `/api/groups/${group}`);
    assertEquals(rnd.title, "R&D");
    assertEquals(
      rnd.members.map((m: { accountid: string }) => m.accountid),
      ["grace", "linus", "margaret", "tim", "brendan"],
    );
    const linus = await loginOver(url, "linus", demoPassword);
    const said = (await get(linus, `/api/chats/${group}/messages`)).messages;
    assertEquals(said.length, 5);
    assertEquals(said.find((m: { mention?: boolean }) => m.mention)?.fromuser, "margaret");
    assertEquals((await get(linus, "/api/unread")).mentions, { [group]: 1 });
    // The broadcast to everyone, unread.
    const broadcasts = await eventually(
      async () => {
        const page = await get(linus, "/api/broadcasts");
        return page.broadcasts?.length === 1 ? page.broadcasts : null;
      },
      10_000,
      "demo broadcast archived",
    );
    assertEquals([broadcasts[0].fromuser, broadcasts[0].recipients], ["ada", 11]);
    assertEquals((await get(grace, "/api/unread")).broadcast, 1);
    // The passwords are not in the log.
    const log = await Deno.readTextFile(`${data}/chat.log`);
    assert(!log.includes(password) && !log.includes(demoPassword), log);
    assertEquals((await chat(["stop"], env)).code, 0);
    const third = await chat(["start", "-d", "--demo"], env);
    assert(/demo: seeded before/.test(third.out), third.out);
  } finally {
    await chat(["stop"], env);
  }
}

Deno.test("the first start of an empty installation creates admin, once; --demo seeds people and history", async () => {
  const data = await Deno.makeTempDir();
  try {
    await firstStartAndDemo({ CHAT_DATA_DIR: data, CHAT_PORT: String(freePort()) }, data);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("admin and --demo on Redis + MySQL", async () => {
  const data = await Deno.makeTempDir();
  const stores = await openTestStores();
  try {
    await firstStartAndDemo({
      CHAT_DATA_DIR: data,
      CHAT_PORT: String(freePort()),
      CHAT_REDIS_URL: TEST_REDIS_URL,
      CHAT_REDIS_PREFIX: stores.prefix,
      CHAT_MYSQL_URL: stores.mysqlUrl,
    }, data);
  } finally {
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});
