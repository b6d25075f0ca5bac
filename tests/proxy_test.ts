/**
 * Behind a reverse proxy: the public URL is the server's origin (not the `Host` header the proxy
 * sends), the cookie is `Secure` when that URL is https, forwarded headers count only from a
 * trusted proxy, and the page's Content-Security-Policy allows no other host.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startTestServer } from "./support/chat_server.ts";

const PUBLIC = "https://chat.example.com";

async function login(url: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ accountid: "alice", password: "pw-alice" }),
  });
  await response.body?.cancel();
  return { status: response.status, cookie: response.headers.get("set-cookie") ?? "" };
}

Deno.test("with publicUrl, its origin is the server's own and the cookie is Secure", async () => {
  const t = await startTestServer({ configure: (c) => c.publicUrl = PUBLIC });
  try {
    await t.addUser("alice");
    const fromPage = await login(t.url, { origin: PUBLIC });
    assertEquals(fromPage.status, 200);
    assert(/;\s*Secure/i.test(fromPage.cookie), fromPage.cookie);
    assert(/HttpOnly/i.test(fromPage.cookie) && /SameSite=Lax/i.test(fromPage.cookie));
    // The Host header names the proxy's upstream; a page there is not the public site.
    assertEquals((await login(t.url, { origin: t.url })).status, 403);
    const token = await t.login("alice");
    const upgrade = await fetch(`${t.url}/ws`, {
      headers: { origin: t.url, authorization: `Bearer ${token}`, upgrade: "websocket" },
    });
    await upgrade.body?.cancel();
    assertEquals(upgrade.status, 403);
    const logout = await t.api(token, "/api/logout", {
      method: "POST",
      headers: { origin: PUBLIC },
    });
    assertEquals(logout.status, 204);
  } finally {
    await t.close();
  }
});

Deno.test("X-Forwarded-Proto counts only from a trusted proxy", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    const host = new URL(t.url).host;
    const claimed = { origin: `https://${host}`, "x-forwarded-proto": "https" };
    // From an untrusted peer the header is the client's word: an https page is not this site.
    const spoofed = await login(t.url, claimed);
    assertEquals(spoofed.status, 403);
    const plain = await login(t.url, { origin: t.url });
    assertEquals(plain.status, 200);
    assert(!/Secure/i.test(plain.cookie), `a plain-http cookie was Secure: ${plain.cookie}`);
  } finally {
    await t.close();
  }
  const proxied = await startTestServer({
    configure: (c) => c.http.trustedProxies = ["127.0.0.0/8"],
  });
  try {
    await proxied.addUser("alice");
    const host = new URL(proxied.url).host;
    const viaProxy = await login(proxied.url, {
      origin: `https://${host}`,
      "x-forwarded-proto": "https",
    });
    assertEquals(viaProxy.status, 200);
    assert(/;\s*Secure/i.test(viaProxy.cookie), viaProxy.cookie);
  } finally {
    await proxied.close();
  }
});

Deno.test("the page's CSP allows connections and forms to its own origin only", async () => {
  const t = await startTestServer();
  try {
    const response = await fetch(`${t.url}/`);
    await response.body?.cancel();
    const csp = response.headers.get("content-security-policy") ?? "";
    const directives = new Map(
      csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...v]) => [name, v]),
    );
    assertEquals(directives.get("connect-src"), ["'self'"]);
    assertEquals(directives.get("form-action"), ["'self'"]);
    assertEquals(directives.get("default-src"), ["'self'"]);
    assert(!/\bws:|\bwss:|\*/.test(csp), csp);
  } finally {
    await t.close();
  }
});
