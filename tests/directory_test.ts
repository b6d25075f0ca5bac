/**
 * The company directory end to end, on both backends: a real slapd with a small company, a real
 * server logging people in with their directory passwords, `chat directory sync` as a child
 * process after one person moved department and one left, and the directory going down.
 *
 * @module
 */
import { Attribute, Change } from "ldapts";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { bothBackends, type BothHarness } from "./support/both_backends.ts";
import { runChat } from "./support/chat_cli.ts";
import {
  BASE_DN,
  ORGANISATION,
  personDn,
  READER_DN,
  READER_PASSWORD,
  type Slapd,
  startSlapd,
} from "./support/slapd.ts";
import { freePort } from "./support/server_process.ts";

let slapd: Slapd;

const directoryOptions = {
  before: async () => {
    slapd = await startSlapd();
    return () => slapd.cleanup();
  },
  configure: (config: BothHarness["config"]) => {
    Object.assign(config.directory, {
      url: slapd.url,
      kind: "openldap",
      bindDn: READER_DN,
      bindPassword: READER_PASSWORD,
      baseDn: BASE_DN,
      deptRoot: "Example",
      timeoutSeconds: 2,
      localAccounts: ["admin"],
    });
    config.session.recheckSeconds = 1;
    config.login.maxFailures = 20;
  },
};

/** `POST /api/login` with any password. */
async function login(h: BothHarness, accountid: string, password: string) {
  return await h.api("", "/api/login", {
    method: "POST",
    body: JSON.stringify({ accountid, password }),
  });
}

/** The environment for `chat` against the harness's stores and directory. */
function chatEnv(h: BothHarness): Record<string, string> {
  const env: Record<string, string> = {
    CHAT_PORT: String(freePort()),
    CHAT_DIRECTORY_URL: slapd.url,
    CHAT_DIRECTORY_KIND: "openldap",
    CHAT_DIRECTORY_BIND_DN: READER_DN,
    CHAT_DIRECTORY_BIND_PASSWORD: READER_PASSWORD,
    CHAT_DIRECTORY_BASE_DN: BASE_DN,
    CHAT_DIRECTORY_DEPT_ROOT: "Example",
  };
  if (h.kind === "production") {
    env.CHAT_REDIS_URL = h.config.redisUrl!;
    env.CHAT_REDIS_PREFIX = h.config.redisPrefix;
    env.CHAT_MYSQL_URL = h.config.mysqlUrl!;
  } else env.CHAT_DATA_DIR = h.config.dataDir;
  return env;
}

async function accountCount(h: BothHarness): Promise<number> {
  return await h.server.backend.users.count();
}

bothBackends(
  "directory login: the directory password makes and updates the local row",
  async (h) => {
    await h.addUser("admin");
    await h.addUser("bob");
    const ok = await login(h, "lilei", "pw-lilei");
    assertEquals(ok.status, 200, JSON.stringify(ok.body));
    assertEquals(ok.body.user, {
      accountid: "lilei",
      username: "李雷",
      dept: "Web",
      deptDetail: "Example,R&D,Web",
      email: "lilei@example.com",
      tel: "1001",
      mobile: "",
    });
    // The session works like any other: the socket, the profile.
    const socket = await h.connect("lilei", ok.body.token);
    assertEquals(socket.init.type, "init");
    assertEquals((await h.api(ok.body.token, "/api/me")).body.user.deptDetail, "Example,R&D,Web");
    // No password was stored.
    assertEquals((await h.server.backend.users.findWithPassword("lilei"))?.passwordHash, "");
    // Changed in the directory: the next login updates the row.
    const admin = await slapd.admin();
    await admin.modify(
      personDn(ORGANISATION[0]),
      new Change({
        operation: "replace",
        modification: new Attribute({ type: "mail", values: ["lei.li@example.com"] }),
      }),
    );
    assertEquals((await login(h, "lilei", "pw-lilei")).body.user.email, "lei.li@example.com");
    // The local administrator is listed: its local password works beside the directory; a local
    // account that is not listed cannot use its local password any more.
    assertEquals((await login(h, "admin", "pw-admin")).status, 200);
    assertEquals((await login(h, "bob", "pw-bob")).status, 401);
  },
  directoryOptions,
);

bothBackends("directory login: bad input is refused and writes nothing", async (h) => {
  const before = await accountCount(h);
  const refused = [
    ["lilei", "pw-wrong"],
    ["lilei", ""],
    ["twin", "pw-twin"],
    ["nobody", "pw-nobody"],
    ["*", "pw-lilei"],
    ["li*", "pw-lilei"],
    ["*)(uid=*", "pw-lilei"],
    ["lilei)(|(uid=*", "pw-lilei"],
    ["(uid=lilei)", "pw-lilei"],
    ["lilei\\", "pw-lilei"],
    ["lilei\0", "pw-lilei"],
  ];
  for (const [accountid, password] of refused) {
    const answer = await login(h, accountid, password);
    assertEquals([answer.status, answer.body.error.code], [401, "bad_credentials"], accountid);
  }
  assertEquals(await accountCount(h), before, "no row was written");
  // The login limit counts directory failures like local ones.
  const limited = { ...h.config, login: h.config.login };
  let status = 0;
  for (let i = 0; i < limited.login.maxFailures + 1 && status !== 429; i++) {
    status = (await login(h, "zhangwei", "wrong")).status;
  }
  assertEquals(status, 429);
  assertEquals((await login(h, "zhangwei", "pw-zhangwei")).status, 429, "locked even when right");
}, directoryOptions);

bothBackends("directory sync: a move and a departure, with progress and a report", async (h) => {
  // The one who will leave is logged in with an open socket.
  const wuxia = await login(h, "wuxia", "pw-wuxia");
  assertEquals(wuxia.status, 200);
  const socket = await h.connect("wuxia", wuxia.body.token);
  const admin = await slapd.admin();
  const zhangwei = ORGANISATION.find((p) => p.uid === "zhangwei")!;
  await admin.modifyDN(personDn(zhangwei), `cn=${zhangwei.cn},ou=Sales,${BASE_DN}`);
  await admin.del(personDn(ORGANISATION.find((p) => p.uid === "wuxia")!));

  const dry = await runChat(["directory", "sync", "--dry-run"], chatEnv(h));
  assertEquals(dry.code, 0, dry.err);
  assert(dry.out.includes("dry run, nothing changed: 11 people"), dry.out);
  assert(/disabled \(left the directory\) would be 1: wuxia/.test(dry.out), dry.out);
  assertEquals((await login(h, "wuxia", "pw-wuxia")).status, 401, "gone from the directory");
  assertEquals(await h.server.backend.users.find("zhangwei"), null, "the dry run wrote nothing");

  const sync = await runChat(["directory", "sync"], chatEnv(h));
  assertEquals(sync.code, 0, sync.err);
  assert(sync.err.includes("directory: read 13 entries"), sync.err);
  assert(sync.err.includes("directory: saved 11/11"), sync.err);
  assert(/created 11: chenjing, hanmeimei, huangqiang, lilei, liuyang/.test(sync.out), sync.out);
  assert(sync.out.includes("disabled (left the directory) 1: wuxia"), sync.out);
  assert(sync.out.includes("sessions ended 1"), sync.out);
  assert(sync.out.includes('account "twin" appears 2 times'), sync.out);
  // Her socket closes (4401) at once in production, at the next recheck (1 s) embedded.
  assertEquals(
    (await Promise.race([
      socket.closed,
      new Promise((r) => setTimeout(() => r({ code: "open" }), 10_000)),
    ]) as { code: unknown }).code,
    4401,
  );

  const token = (await login(h, "lilei", "pw-lilei")).body.token;
  const moved = await h.api(token, "/api/users/zhangwei");
  assertEquals([moved.body.user?.dept, moved.body.user?.deptDetail], ["Sales", "Example,Sales"]);
  // The people search of the page no longer lists her.
  const listed = await h.api(token, "/api/users?q=");
  const names = (listed.body.users as { accountid: string }[]).map((u) => u.accountid);
  assert(!names.includes("wuxia") && names.includes("zhangwei"), names.join(","));

  const again = await runChat(["directory", "sync"], chatEnv(h));
  assert(again.out.includes("unchanged 11"), again.out);
}, directoryOptions);

bothBackends("directory sync refuses to disable most of the company without --force", async (h) => {
  assertEquals((await runChat(["directory", "sync"], chatEnv(h))).code, 0);
  const admin = await slapd.admin();
  const leaving = ORGANISATION.filter((p) => p.ous[0] === "R&D" || p.uid === "wangfang");
  for (const person of leaving) await admin.del(personDn(person));
  const refused = await runChat(["directory", "sync"], chatEnv(h));
  assertEquals(refused.code, 1);
  assert(refused.err.includes("6 of 12 directory accounts would be disabled"), refused.err);
  assertEquals((await login(h, "hanmeimei", "pw-hanmeimei")).status, 200);
  assertEquals((await h.server.backend.users.findWithPassword("lilei"))?.disabled, false);
  const forced = await runChat(["directory", "sync", "--force"], chatEnv(h));
  assertEquals(forced.code, 0, forced.err);
  assertEquals((await h.server.backend.users.findWithPassword("lilei"))?.disabled, true);
}, directoryOptions);

bothBackends(
  "directory down: 503 with a clear message, counted; the listed local admin still logs in",
  async (h) => {
    await h.addUser("admin");
    assertEquals((await login(h, "lilei", "pw-lilei")).status, 200);
    await slapd.cleanup();
    const down = await login(h, "lilei", "pw-lilei");
    assertEquals(down.status, 503);
    assertEquals(down.body.error, {
      code: "unavailable",
      message: "the company directory cannot be reached; try again in a moment",
    });
    assertEquals((await login(h, "admin", "pw-admin")).status, 200);
    const metrics = await (await fetch(`${h.server.url}/metrics`)).text();
    assert(/webchat_directory_errors_total\{during="connect"\} [2-9]/.test(metrics), metrics);
    assert(/webchat_logins_total\{result="directory_unavailable"\} 1/.test(metrics), metrics);
    assert(h.logs.some((line) => line.includes("the directory is unavailable (connect)")));
    assert(
      !h.logs.some((line) => line.includes(READER_PASSWORD)),
      "the bind password is never logged",
    );
    const sync = await runChat(["directory", "sync"], chatEnv(h));
    assertEquals(sync.code, 1);
    assert(sync.err.includes("the directory is unavailable (connect)"), sync.err);
  },
  directoryOptions,
);
