import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { Client } from "ldapts";
import { defaultDirectory, type DirectoryConfig } from "../config/directory_config.ts";
import { DirectoryUnavailableError } from "./directory.ts";
import { LdapDirectory } from "./directory_ldap.ts";
import {
  BASE_DN,
  ORGANISATION,
  personDn,
  READER_DN,
  READER_PASSWORD,
  type Slapd,
  startSlapd,
} from "../tests/support/slapd.ts";

function settings(slapd: Slapd, more: Partial<DirectoryConfig> = {}): DirectoryConfig {
  return {
    ...defaultDirectory(),
    url: slapd.url,
    kind: "openldap",
    bindDn: READER_DN,
    bindPassword: READER_PASSWORD,
    baseDn: BASE_DN,
    timeoutSeconds: 3,
    ...more,
  };
}

async function withSlapd(fn: (slapd: Slapd) => Promise<void>): Promise<void> {
  const slapd = await startSlapd();
  try {
    await fn(slapd);
  } finally {
    await slapd.cleanup();
  }
}

const unavailable = (during: string) => (error: unknown) => {
  assert(error instanceof DirectoryUnavailableError, String(error));
  assertEquals(error.during, during, error.message);
  return true;
};

Deno.test("directory login: the directory password, the profile from the entry and its OUs", async () => {
  await withSlapd(async (slapd) => {
    const directory = new LdapDirectory(settings(slapd, { deptRoot: "Example" }));
    const login = await directory.login("lilei", "pw-lilei");
    assertEquals(login, {
      result: "ok",
      person: {
        dn: personDn(ORGANISATION[0]),
        user: {
          accountid: "lilei",
          username: "李雷",
          dept: "Web",
          deptDetail: "Example,R&D,Web",
          email: "lilei@example.com",
          tel: "1001",
          mobile: "",
        },
      },
    });
    // The account name typed in another case finds the same entry (LDAP matches uid so).
    assertEquals((await directory.login("LiLei", "pw-lilei")).result, "ok");
    assertEquals(await directory.login("lilei", "pw-hanmeimei"), { result: "bad_password" });
    assertEquals(await directory.login("nobody", "whatever"), { result: "unknown" });
    assertEquals(await directory.login("twin", "pw-twin"), { result: "ambiguous" });
  });
});

Deno.test("directory login: an empty password never binds, though this server would accept it", async () => {
  await withSlapd(async (slapd) => {
    // The bypass is real here: slapd takes a DN with an empty password as an anonymous bind.
    const raw = new Client({ url: slapd.url });
    await raw.bind(personDn(ORGANISATION[0]), "");
    await raw.unbind();
    const directory = new LdapDirectory(settings(slapd));
    assertEquals(await directory.login("lilei", ""), { result: "bad_password" });
    assertEquals(await directory.login("nobody", ""), { result: "unknown" });
  });
});

Deno.test("directory login: names with filter characters never reach a search", async () => {
  await withSlapd(async (slapd) => {
    const directory = new LdapDirectory(settings(slapd));
    for (
      const name of ["*", "li*", "*)(uid=*", "lilei)(|(uid=*", "lilei\\", "lilei\0", "(uid=lilei)"]
    ) {
      assertEquals(await directory.login(name, "pw-lilei"), { result: "unknown" }, name);
    }
  });
});

Deno.test("directory: everybody under the base DN, the account found twice left out", async () => {
  await withSlapd(async (slapd) => {
    const counts: number[] = [];
    const { people, skipped } = await new LdapDirectory(settings(slapd)).people((n) =>
      counts.push(n)
    );
    const expected = ORGANISATION.filter((p) => p.uid !== "twin").map((p) => p.uid).sort();
    assertEquals(people.map((p) => p.user.accountid), expected);
    assertEquals(skipped.map((s) => s.reason), [
      'account "twin" appears 2 times',
      'account "twin" appears 2 times',
    ]);
    assertEquals(counts.at(-1), ORGANISATION.length);
    const zhang = people.find((p) => p.user.accountid === "zhangwei")!;
    assertEquals([zhang.user.dept, zhang.user.deptDetail], ["R&D", "R&D"]);
  });
});

Deno.test("directory over TLS: ldaps and StartTLS with the right CA; a wrong CA is refused", async () => {
  await withSlapd(async (slapd) => {
    const tls = [
      { url: slapd.ldapsUrl, startTls: false },
      { url: slapd.url, startTls: true },
    ];
    for (const { url, startTls } of tls) {
      const good = new LdapDirectory(settings(slapd, { url, startTls, caFile: slapd.caFile }));
      assertEquals((await good.login("lilei", "pw-lilei")).result, "ok", url);
      const bad = new LdapDirectory(settings(slapd, { url, startTls, caFile: slapd.otherCaFile }));
      await rejects(bad.login("lilei", "pw-lilei"), unavailable("tls"));
    }
  });
});

Deno.test("directory unreachable, silent or refusing the service account: unavailable, in time", async () => {
  await withSlapd(async (slapd) => {
    const wrongService = new LdapDirectory(settings(slapd, { bindPassword: "wrong" }));
    await rejects(wrongService.login("lilei", "pw-lilei"), unavailable("bind"));
  });
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const base = { ...defaultDirectory(), kind: "openldap" as const, baseDn: BASE_DN };
  const down = new LdapDirectory({ ...base, url: `ldap://127.0.0.1:${closedPort}` });
  await rejects(down.login("lilei", "pw-lilei"), unavailable("connect"));
  // A server that accepts the connection and never answers.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of silent) held.push(conn);
  })();
  try {
    const port = (silent.addr as Deno.NetAddr).port;
    const slow = new LdapDirectory({
      ...base,
      url: `ldap://127.0.0.1:${port}`,
      bindDn: READER_DN,
      bindPassword: READER_PASSWORD,
      timeoutSeconds: 1,
    });
    const started = Date.now();
    await rejects(
      slow.login("lilei", "pw-lilei"),
      (error) => error instanceof DirectoryUnavailableError,
    );
    assert(Date.now() - started < 4000, `gave up after ${Date.now() - started} ms`);
  } finally {
    silent.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
  }
});
