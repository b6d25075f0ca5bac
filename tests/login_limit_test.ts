/**
 * The login rate limit under attack: parallel guesses, password spraying across accounts, and
 * `X-Forwarded-For` believed only from trusted proxies, over real HTTP on both backends.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startTestServer } from "./support/chat_server.ts";
import { startEmbeddedTestServer } from "./support/embedded_test_server.ts";

/** POST /api/login; answers the status and the error code (or "ok"). */
async function attempt(
  url: string,
  accountid: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; code: string; retryAfter: string | null }> {
  const response = await fetch(`${url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ accountid, password }),
  });
  const body = await response.json();
  return {
    status: response.status,
    code: body.error?.code ?? "ok",
    retryAfter: response.headers.get("retry-after"),
  };
}

/**
 * 60 wrong guesses at once, and the right password sent while they are still being checked
 * (after the first 429 came back, so the budget is known to be used up).
 */
async function burst(url: string, maxFailures: number): Promise<void> {
  const guesses = Array.from({ length: 60 }, (_, i) => attempt(url, "alice", `guess-${i}`));
  const firstRefusal = Promise.any(
    guesses.map((g) => g.then((r) => r.status === 429 ? r : Promise.reject())),
  );
  await firstRefusal.catch(() => {});
  const right = attempt(url, "alice", "pw-alice");
  // Everything is answered before anything is judged: no request outlives the test.
  const [answers, rightAnswer] = await Promise.all([Promise.all(guesses), right]);
  const statuses = answers.map((a) => a.status);
  const counted = statuses.filter((s) => s === 401).length;
  assert(counted <= maxFailures, `${counted} guesses were checked: ${statuses.join(",")}`);
  assertEquals(statuses.filter((s) => s === 429).length, 60 - counted);
  const refused = answers.find((a) => a.status === 429)!;
  assert(Number(refused.retryAfter) > 250, `Retry-After ${refused.retryAfter}`);
  assertEquals(rightAnswer.status, 429, "the right password got in after the budget was used");
}

Deno.test("60 parallel guesses: at most maxFailures are checked, the rest get 429", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    await burst(t.url, t.config.login.maxFailures);
  } finally {
    await t.close();
  }
});

Deno.test("embedded: 60 parallel guesses are limited alike", async () => {
  const t = await startEmbeddedTestServer();
  try {
    await t.addUser("alice");
    await burst(t.url, t.config.login.maxFailures);
  } finally {
    await t.close();
  }
});

Deno.test("password spraying: one address has a budget across every account", async () => {
  const t = await startTestServer({ configure: (c) => c.login.maxFailuresPerAddress = 4 });
  try {
    for (const id of ["a1", "a2", "a3", "a4", "a5", "a6"]) await t.addUser(id);
    for (const id of ["a1", "a2", "a3", "a4"]) {
      assertEquals((await attempt(t.url, id, "Winter2026!")).status, 401);
    }
    assertEquals((await attempt(t.url, "a5", "Winter2026!")).code, "rate_limited");
    // Even the right password of an untouched account waits: the address is spent.
    assertEquals((await attempt(t.url, "a6", "pw-a6")).status, 429);
  } finally {
    await t.close();
  }
});

Deno.test("a right password gives the address its attempt back", async () => {
  const t = await startTestServer({ configure: (c) => c.login.maxFailuresPerAddress = 3 });
  try {
    for (const id of ["a1", "a2", "a3"]) await t.addUser(id);
    assertEquals((await attempt(t.url, "a1", "nope")).status, 401);
    assertEquals((await attempt(t.url, "a2", "nope")).status, 401);
    // Many people behind one address log in all day: successes cost the address nothing.
    for (let i = 0; i < 5; i++) assertEquals((await attempt(t.url, "a3", "pw-a3")).status, 200);
    assertEquals((await attempt(t.url, "a3", "nope")).status, 401);
    assertEquals((await attempt(t.url, "a1", "nope")).status, 429);
  } finally {
    await t.close();
  }
});

Deno.test("X-Forwarded-For from an untrusted peer is ignored", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    // Each guess claims another client address; the peer (127.0.0.1) is no trusted proxy.
    for (let i = 1; i <= 3; i++) {
      const spoofed = { "x-forwarded-for": `203.0.113.${i}` };
      assertEquals((await attempt(t.url, "alice", "nope", spoofed)).status, 401);
    }
    const next = { "x-forwarded-for": "203.0.113.99" };
    assertEquals((await attempt(t.url, "alice", "pw-alice", next)).status, 429);
  } finally {
    await t.close();
  }
});

Deno.test("X-Forwarded-For from a trusted proxy names the client", async () => {
  const t = await startTestServer({ configure: (c) => c.http.trustedProxies = ["127.0.0.1"] });
  try {
    await t.addUser("alice");
    const from = (client: string) => ({ "x-forwarded-for": `198.51.100.250, ${client}` });
    for (let i = 0; i < 3; i++) {
      assertEquals((await attempt(t.url, "alice", "nope", from("192.0.2.10"))).status, 401);
    }
    assertEquals((await attempt(t.url, "alice", "nope", from("192.0.2.10"))).status, 429);
    // Another client behind the same proxy is not locked out by the first one's guesses; the
    // left-most entry (written by the client itself) is not what counts.
    assertEquals((await attempt(t.url, "alice", "pw-alice", from("192.0.2.11"))).status, 200);
    // A proxy-sent header with garbage in it falls back to the proxy itself.
    const garbage = { "x-forwarded-for": "not-an-address" };
    assertEquals((await attempt(t.url, "alice", "pw-alice", garbage)).status, 200);
  } finally {
    await t.close();
  }
});
