import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { ConfigError, defaultConfig, loadConfig } from "./mod.ts";
import { DIRECTORY_KINDS, directorySearch } from "./directory_config.ts";

const fails = (fn: () => unknown, field: string, pattern: RegExp) =>
  throws(
    fn,
    (e: unknown) => e instanceof ConfigError && e.field === field && pattern.test(e.message),
  );

Deno.test("defaults: embedded backend on 127.0.0.1:8080", () => {
  assertEquals(loadConfig(), defaultConfig());
});

Deno.test("layers: file < environment < flags", () => {
  const config = loadConfig({
    file: { port: 9000, host: "0.0.0.0", limits: { messageChars: 100 } },
    env: { CHAT_PORT: "9001", CHAT_MAX_MESSAGE_CHARS: "200", PATH: "/bin" },
    flags: { port: "9002" },
  });
  assertEquals(config.port, 9002);
  assertEquals(config.host, "0.0.0.0");
  assertEquals(config.limits.messageChars, 200);
});

Deno.test("redis and mysql go together", () => {
  const both = loadConfig({
    flags: { redis: "redis://127.0.0.1:6379/0", mysql: "mysql://root@127.0.0.1/webChat" },
  });
  assertEquals(both.redisUrl, "redis://127.0.0.1:6379/0");
  fails(() => loadConfig({ flags: { redis: "redis://127.0.0.1:6379" } }), "mysql.url", /together/);
});

Deno.test("errors name the field", () => {
  fails(() => loadConfig({ flags: { port: "http" } }), "--port", /integer from 0 to 65535/);
  fails(() => loadConfig({ env: { CHAT_PORT: "70000" } }), "CHAT_PORT", /integer/);
  fails(() => loadConfig({ env: { CHAT_PROT: "1" } }), "CHAT_PROT", /unknown setting/);
  fails(() => loadConfig({ file: { redis: { ulr: "x" } } }), "redis.ulr", /unknown setting/);
  fails(() => loadConfig({ file: { redis: { url: "http://x" } } }), "redis.url", /redis:\/\//);
  fails(() => loadConfig({ file: [] }), "config file", /JSON object/);
  fails(() => loadConfig({ flags: { origin: ["not an origin"] } }), "--origin", /not an origin/);
  fails(
    () => loadConfig({ file: { heartbeat: { pingSeconds: 30, idleSeconds: 20 } } }),
    "heartbeat.idleSeconds",
    /longer/,
  );
});

Deno.test("origins are normalised and split", () => {
  const config = loadConfig({ env: { CHAT_ORIGINS: "https://a.example, http://b.example:8080/" } });
  assertEquals(config.allowedOrigins, ["https://a.example", "http://b.example:8080"]);
});

Deno.test("public URL, trusted proxies and the new limits", () => {
  const config = loadConfig({
    env: {
      CHAT_TRUSTED_PROXIES: "10.0.0.1, 192.168.0.0/16,::1",
      CHAT_SEND_PER_SECOND: "20",
      CHAT_QUEUE_STALL_SECONDS: "5",
    },
    flags: { "public-url": "https://chat.example.com/" },
  });
  assertEquals(config.publicUrl, "https://chat.example.com");
  assertEquals(config.http.trustedProxies, ["10.0.0.1", "192.168.0.0/16", "::1"]);
  assertEquals(config.limits.sendPerSecond, 20);
  assertEquals(config.queue.stallSeconds, 5);
  fails(
    () => loadConfig({ env: { CHAT_TRUSTED_PROXIES: "proxy.lan" } }),
    "CHAT_TRUSTED_PROXIES",
    /not an IP/,
  );
  fails(
    () => loadConfig({ env: { CHAT_TRUSTED_PROXIES: "10.0.0.0/33" } }),
    "CHAT_TRUSTED_PROXIES",
    /not an IP/,
  );
  fails(() => loadConfig({ flags: { "public-url": "ftp://x" } }), "--public-url", /http\(s\)/);
  fails(
    () => loadConfig({ file: { password: { minLength: 0 } } }),
    "password.minLength",
    /integer/,
  );
});

Deno.test("files: limits, chunk size, allowed types and quota, each checked by name", () => {
  const config = loadConfig({
    env: {
      CHAT_FILES_MAX_BYTES: "1048576",
      CHAT_FILES_ALLOWED_TYPES: "image/*, Application/PDF",
      CHAT_FILES_QUOTA_BYTES: "0",
    },
    file: { files: { dir: "/srv/webchat-files", chunkBytes: 262144, uploadTtlSeconds: 3600 } },
  });
  assertEquals(config.files, {
    dir: "/srv/webchat-files",
    maxBytes: 1048576,
    chunkBytes: 262144,
    allowedTypes: ["image/*", "application/pdf"],
    quotaBytes: 0,
    uploadTtlSeconds: 3600,
  });
  assertEquals(defaultConfig().files.maxBytes, 100 * 1024 * 1024);
  assertEquals(defaultConfig().files.chunkBytes, 1024 * 1024);
  fails(
    () => loadConfig({ env: { CHAT_FILES_MAX_BYTES: "0" } }),
    "CHAT_FILES_MAX_BYTES",
    /integer/,
  );
  fails(
    () => loadConfig({ env: { CHAT_FILES_CHUNK_BYTES: "1000" } }),
    "CHAT_FILES_CHUNK_BYTES",
    /integer from 65536/,
  );
  fails(
    () => loadConfig({ env: { CHAT_FILES_ALLOWED_TYPES: "pdf" } }),
    "CHAT_FILES_ALLOWED_TYPES",
    /not a type/,
  );
  fails(() => loadConfig({ file: { files: { dir: "" } } }), "files.dir", /non-empty/);
  fails(
    () => loadConfig({ file: { files: { uploadTtlSeconds: 5 } } }),
    "files.uploadTtlSeconds",
    /integer/,
  );
});

Deno.test("operations settings: log level and format, metrics access, admin token", () => {
  const config = loadConfig({
    file: { log: { level: "warn" }, metrics: { allow: ["10.0.0.0/8"] } },
    env: {
      CHAT_LOG_JSON: "yes",
      CHAT_METRICS_TOKEN: "m".repeat(20),
      CHAT_ADMIN_TOKEN: "a".repeat(32),
    },
    flags: { "log-level": "DEBUG" },
  });
  assertEquals(config.log, { level: "debug", json: true });
  assertEquals(config.metrics, { token: "m".repeat(20), allow: ["10.0.0.0/8"] });
  assertEquals(config.admin.token, "a".repeat(32));
  assertEquals(loadConfig({ flags: { "log-json": true } }).log.json, true);
  assertEquals(defaultConfig().metrics.allow, ["127.0.0.1", "::1"]);
  fails(() => loadConfig({ flags: { "log-level": "loud" } }), "--log-level", /debug, info/);
  fails(() => loadConfig({ env: { CHAT_LOG_JSON: "maybe" } }), "CHAT_LOG_JSON", /true or false/);
  fails(() => loadConfig({ env: { CHAT_ADMIN_TOKEN: "short" } }), "CHAT_ADMIN_TOKEN", /16 to 200/);
  fails(
    () => loadConfig({ file: { metrics: { token: "has a space in it ok" } } }),
    "metrics.token",
    /without spaces/,
  );
  fails(
    () => loadConfig({ env: { CHAT_METRICS_ALLOW: "everyone" } }),
    "CHAT_METRICS_ALLOW",
    /not an IP/,
  );
});

Deno.test("group and broadcast settings: limits and who may broadcast", () => {
  assertEquals(defaultConfig().groups, { maxMembers: 2000 });
  assertEquals(defaultConfig().broadcast, { maxRecipients: 10_000, senders: [], senderDepts: [] });
  const config = loadConfig({
    env: {
      CHAT_MAX_GROUP_MEMBERS: "500",
      CHAT_MAX_BROADCAST_RECIPIENTS: "20000",
      CHAT_BROADCAST_SENDERS: "alice, hr.bot,alice",
      CHAT_BROADCAST_SENDER_DEPTS: "Company,HR; Company,Board",
    },
  });
  assertEquals(config.groups.maxMembers, 500);
  assertEquals(config.broadcast, {
    maxRecipients: 20_000,
    senders: ["alice", "hr.bot"],
    senderDepts: ["Company,HR", "Company,Board"],
  });
  const file = loadConfig({ file: { broadcast: { senderDepts: ["Company,R&D"], senders: [] } } });
  assertEquals(file.broadcast.senderDepts, ["Company,R&D"]);
  fails(
    () => loadConfig({ env: { CHAT_MAX_GROUP_MEMBERS: "1" } }),
    "CHAT_MAX_GROUP_MEMBERS",
    /2 to/,
  );
  fails(
    () => loadConfig({ env: { CHAT_BROADCAST_SENDERS: "alice,bob-b" } }),
    "CHAT_BROADCAST_SENDERS",
    /"bob-b" is not one of accountids/,
  );
  fails(
    () => loadConfig({ file: { broadcast: { senders: 7 } } }),
    "broadcast.senders",
    /list of accountids/,
  );
  fails(
    () => loadConfig({ file: { broadcast: { maxRecipients: 0 } } }),
    "broadcast.maxRecipients",
    /integer from 1/,
  );
});

Deno.test("directory settings: kinds, filters, attributes, the password from a file", async () => {
  const secretFile = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(secretFile, "s3cret\n");
    const config = loadConfig({
      file: {
        directory: {
          url: "ldaps://dc1.corp.example.com:636/",
          bindDn: "CN=webchat,OU=Service,DC=corp,DC=example,DC=com",
          bindPasswordFile: secretFile,
          baseDn: "DC=corp,DC=example,DC=com",
          attributes: { dept: "ou", mobile: "otherMobile" },
        },
      },
      env: { CHAT_DIRECTORY_LOCAL_ACCOUNTS: "admin, ops", CHAT_DIRECTORY_SYNC_HOURS: "6" },
    });
    const d = config.directory;
    assertEquals([d.url, d.kind, d.bindPassword, d.localAccounts, d.syncHours], [
      "ldaps://dc1.corp.example.com:636",
      "ad",
      "s3cret",
      ["admin", "ops"],
      6,
    ]);
    const search = directorySearch(d);
    assertEquals(search.userFilter, DIRECTORY_KINDS.ad.userFilter);
    assertEquals(search.attributes.account, "sAMAccountName");
    assertEquals([search.attributes.dept, search.attributes.mobile], [null, "otherMobile"]);
    const openldap = loadConfig({
      env: {
        CHAT_DIRECTORY_URL: "ldap://127.0.0.1:389",
        CHAT_DIRECTORY_KIND: "openldap",
        CHAT_DIRECTORY_BASE_DN: "dc=example,dc=com",
        CHAT_DIRECTORY_STARTTLS: "yes",
        CHAT_DIRECTORY_USER_FILTER: "(&(objectClass=person)(|(uid={account})(mail={account})))",
      },
    }).directory;
    assertEquals(directorySearch(openldap).attributes.account, "uid");
    assertEquals(directorySearch(openldap).listFilter, "(&(objectClass=inetOrgPerson)(uid=*))");
    assertEquals(openldap.startTls, true);
  } finally {
    await Deno.remove(secretFile);
  }
});

Deno.test("directory settings: bad values name the field", () => {
  const url = { url: "ldap://127.0.0.1" };
  const dir = (directory: Record<string, unknown>) => () =>
    loadConfig({ file: { directory: { ...url, baseDn: "dc=x", ...directory } } });
  fails(dir({ url: "http://dc1" }), "directory.url", /ldap:\/\/host/);
  fails(() => loadConfig({ file: { directory: url } }), "directory.baseDn", /required/);
  fails(dir({ baseDn: "dc=x,,y" }), "directory.baseDn", /expected a DN/);
  fails(dir({ kind: "novell" }), "directory.kind", /"ad".*"openldap"/);
  fails(dir({ userFilter: "(uid=x)" }), "directory.userFilter", /\{account\}/);
  fails(dir({ userFilter: "(uid={account}" }), "directory.userFilter", /balanced/);
  fails(dir({ listFilter: "uid=*" }), "directory.listFilter", /balanced/);
  fails(dir({ attributes: { email: "mail)(x" } }), "directory.attributes.email", /attribute/);
  fails(dir({ attributes: { phone: "x" } }), "directory.attributes.phone", /unknown setting/);
  fails(dir({ caFile: "/nonexistent/ca.pem" }), "directory.caFile", /cannot read/);
  fails(dir({ bindPasswordFile: "/nonexistent" }), "directory.bindPasswordFile", /cannot read/);
  fails(dir({ url: "ldaps://dc1", startTls: true }), "directory.startTls", /TLS already/);
  fails(dir({ bindPassword: "x" }), "directory.bindDn", /no bind DN/);
  fails(dir({ localAccounts: ["ad*min"] }), "directory.localAccounts", /accountids/);
  fails(dir({ order: "random" }), "directory.order", /directory-first/);
  fails(dir({ timeoutSeconds: 0 }), "directory.timeoutSeconds", /integer from 1 to 300/);
});
