/**
 * `chat user import FILE.csv` with the real command: a 1,000-row file with three bad rows
 * (reported by line, nothing imported; `--skip-bad` imports the 997 others), a file in another
 * encoding, duplicates (in the file and with existing accounts), missing columns, invalid
 * account names, plain and hashed passwords that then log in; and 50,000 rows on MySQL.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { defaultConfig } from "../config/mod.ts";
import { legacyPasswordHash, verifyPassword } from "../store/password.ts";
import { openAccountStores } from "../store/user_admin.ts";
import { runChat as chat } from "./support/chat_cli.ts";
import { openTestStores, TEST_REDIS_URL } from "./support/stores.ts";

const HEADER = "accountid,username,password,deptDetail,dept,email,tel,mobile";

/** `n` good rows (md5-era hashes, as a dump of the original would hold). */
function rows(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `user${String(from + i).padStart(5, "0")}`;
    return `${id},"Name, ${i}",${legacyPasswordHash(`pw-${id}`)},"Co,R&D",R&D,${id}@x.cn,,`;
  });
}

async function count(env: Record<string, string>): Promise<number> {
  const list = await chat(["user", "list", "--json"], env);
  return JSON.parse(list.out).length;
}

Deno.test("a 1,000-row CSV with three bad rows: each reported by line, all or nothing", async () => {
  const data = await Deno.makeTempDir();
  const env = { CHAT_DATA_DIR: data };
  try {
    const lines = [HEADER, ...rows(1000)];
    lines[101] = lines[101].replace(/^user\d+/, "bad-name"); // line 102
    lines[501] = lines[11]; // line 502 repeats line 12
    lines[801] = "user00800,Too Few Fields"; // line 802
    const file = `${data}/people.csv`;
    await Deno.writeTextFile(file, lines.join("\n") + "\n");

    const strict = await chat(["user", "import", file, "--hashed"], env);
    assertEquals(strict.code, 1, strict.out);
    assertEquals(strict.err.split("\n").filter((l) => l.startsWith("line ")), [
      'line 102: accountid "bad-name" is not 1-40 letters, digits, _ or .',
      "line 502: accountid user00010 repeats line 12",
      "line 802: 2 fields, the header has 8",
    ]);
    assert(/3 bad rows of 1000; nothing was imported/.test(strict.err), strict.err);
    assertEquals(await count(env), 0);

    const lenient = await chat(["user", "import", file, "--hashed", "--skip-bad"], env);
    assertEquals(lenient.code, 0, lenient.err);
    assert(/^imported 997 accounts; skipped 3 bad row\(s\)$/m.test(lenient.out), lenient.out);
    assertEquals(await count(env), 997);
    const stores = await openAccountStores({ ...defaultConfig(), dataDir: data });
    try {
      const user = await stores.users.findWithPassword("user00007");
      assertEquals([user?.username, user?.deptDetail, user?.dept], ["Name, 7", "Co,R&D", "R&D"]);
      assertEquals(user?.passwordHash, legacyPasswordHash("pw-user00007"));
    } finally {
      await stores.close();
    }
    // The same file again: every row is an account that exists now.
    const again = await chat(["user", "import", file, "--hashed"], env);
    assertEquals(again.code, 1);
    assert(/line 2: account user00000 exists already/.test(again.err), again.err);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("CSV problems: encoding, header, duplicates of existing accounts, passwords", async () => {
  const data = await Deno.makeTempDir();
  const env = { CHAT_DATA_DIR: data };
  try {
    // GBK bytes of 崔海波 (a file saved by Excel on a Chinese Windows).
    const gbk = new Uint8Array([0xb4, 0xde, 0xba, 0xa3, 0xb2, 0xa8]);
    const encoder = new TextEncoder();
    const file = `${data}/gbk.csv`;
    await Deno.writeFile(
      file,
      new Uint8Array([
        ...encoder.encode("accountid,username,password\ncuihb,"),
        ...gbk,
        ...encoder.encode(",plain-password-1\n"),
      ]),
    );
    const wrong = await chat(["user", "import", file], env);
    assertEquals(wrong.code, 1);
    assert(/line 2: not valid utf-8 \(.*--encoding gbk\)/.test(wrong.err), wrong.err);
    const right = await chat(["user", "import", file, "--encoding", "gbk"], env);
    assertEquals(right.code, 0, right.err);
    const list = JSON.parse((await chat(["user", "list", "--json"], env)).out);
    assertEquals(list.map((a: { username: string }) => a.username), ["崔海波"]);
    // A plain password was hashed (scrypt) and is the one that logs in.
    const stores = await openAccountStores({ ...defaultConfig(), dataDir: data });
    try {
      const stored = (await stores.users.findWithPassword("cuihb"))!.passwordHash;
      assert(stored.startsWith("scrypt$"), stored);
      assertEquals((await verifyPassword("plain-password-1", stored)).ok, true);
    } finally {
      await stores.close();
    }
    const unknown = await chat(["user", "import", file, "--encoding", "klingon"], env);
    assertEquals(unknown.code, 2);

    const cases: [string, RegExp][] = [
      ["accountid,name\nx,y\n", /header has missing column username; unknown column name/],
      [
        "accountid,username,accountid\nx,y,z\n",
        /header has repeated column accountid/,
      ],
      // Case does not make a new account: CUIHB is cuihb.
      ["accountid,username\nCUIHB,Again\n", /line 2: account CUIHB exists already/],
      ["accountid,username,password\nshort,Short,abc\n", /line 2: password is shorter than 8/],
      ['accountid,username\nq,"never closed\n', /line 2: a quoted field is never closed/],
      ["accountid,username\nctl,Bad\tName\n", /line 2: username holds a control character/],
      ["accountid,username\nempty,\n", /line 2: username is empty/],
      ["", /the file is empty/],
    ];
    for (const [text, pattern] of cases) {
      await Deno.writeTextFile(`${data}/case.csv`, text);
      const run = await chat(["user", "import", `${data}/case.csv`], env);
      assertEquals(run.code, 1, text);
      assert(pattern.test(run.err), `${text}: ${run.err}`);
    }
    await Deno.writeTextFile(`${data}/case.csv`, "accountid,username,password\nh,H,not-a-hash\n");
    const notHash = await chat(["user", "import", `${data}/case.csv`, "--hashed"], env);
    assert(/line 2: password is not a hash webChat reads/.test(notHash.err), notHash.err);
    assertEquals((await chat(["user", "import", `${data}/nope.csv`], env)).code, 1);
    // Nothing of the refused files was imported.
    assertEquals(await count(env), 1);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("50,000 rows into MySQL in one all-or-nothing import, well under a minute", async () => {
  const data = await Deno.makeTempDir();
  const stores = await openTestStores();
  const env = {
    CHAT_DATA_DIR: data,
    CHAT_REDIS_URL: TEST_REDIS_URL,
    CHAT_REDIS_PREFIX: stores.prefix,
    CHAT_MYSQL_URL: stores.mysqlUrl,
  };
  try {
    const file = `${data}/big.csv`;
    // Hashes, as a dump of the original would hold: plain passwords would be hashed with
    // scrypt, ~36 ms each (README: Operations), which is the point of scrypt.
    await Deno.writeTextFile(file, [HEADER, ...rows(50_000)].join("\n") + "\n");
    const started = performance.now();
    const run = await chat(["user", "import", file, "--hashed"], env);
    const seconds = (performance.now() - started) / 1000;
    assertEquals(run.code, 0, run.err);
    // Baseline in the same run: the same rows by plain multi-row INSERTs of 1,000, no checks.
    await stores.pool.query("CREATE TABLE baseline_user LIKE webchat_user");
    const plain = rows(50_000).map((line) => {
      const [id, , hash] = line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      return [id, hash, id, "R&D", "", "", `${id}@x.cn`, "Co,R&D", 0];
    });
    const baseStart = performance.now();
    for (let i = 0; i < plain.length; i += 1000) {
      await stores.pool.query(
        `INSERT INTO baseline_user (accountid, pwd, username, dept, tel, mobile, email, deptDetail,
           updateTime) VALUES ?`,
        [plain.slice(i, i + 1000)],
      );
    }
    const baseline = (performance.now() - baseStart) / 1000;
    console.log(
      `50,000 rows imported in ${seconds.toFixed(1)} s by \`chat user import\` (process start, ` +
        `file check, existing accounts, one transaction); baseline, plain INSERTs of the same ` +
        `rows in this process: ${baseline.toFixed(1)} s (shared machine)`,
    );
    assert(seconds < 30, `${seconds} s`);
    const [n] = await stores.pool.query("SELECT COUNT(*) AS n FROM webchat_user");
    assertEquals(Number((n as { n: number }[])[0].n), 50_000);
  } finally {
    await stores.cleanup();
    await Deno.remove(data, { recursive: true });
  }
});
