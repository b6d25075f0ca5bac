/**
 * Builds a {@link ResolvedConfig} from its layers.
 *
 * @module
 */
import { parseLogLevel } from "../ops/log.ts";
import { ConfigError, defaultConfig, type ResolvedConfig } from "./config.ts";
import { ATTRIBUTE_NAME, type DirectoryAttributes } from "./directory_config.ts";
import { parseDn } from "../store/ldap_escape.ts";

/** Flag values as parsed by the command line (strings; absent = not given). */
export interface ConfigFlags {
  host?: string;
  port?: string;
  redis?: string;
  mysql?: string;
  data?: string;
  origin?: string[];
  "public-url"?: string;
  "log-level"?: string;
  "log-json"?: boolean;
}

/** Inputs of {@link loadConfig}. */
export interface ConfigSources {
  /** Environment variables (only `CHAT_*` are read). */
  env?: Record<string, string | undefined>;
  /** Parsed command-line flags. */
  flags?: ConfigFlags;
  /** Parsed config file content (a JSON object), if any. */
  file?: unknown;
}

type Setter = (config: ResolvedConfig, value: unknown, field: string) => void;

const int = (min: number, max: number) => (field: string, value: unknown): number => {
  const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(field, `expected an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return n;
};

const text = (field: string, value: unknown): string => {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(field, `expected a non-empty string, got ${show(value)}`);
  }
  return value.trim();
};

const url = (scheme: string) => (field: string, value: unknown): string => {
  const s = text(field, value);
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    throw new ConfigError(field, `expected a ${scheme}//… URL, got ${show(value)}`);
  }
  if (parsed.protocol !== scheme) {
    throw new ConfigError(field, `expected a ${scheme}//… URL, got ${show(value)}`);
  }
  return s;
};

const origins = (field: string, value: unknown): string[] => {
  const list = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(list)) throw new ConfigError(field, `expected a list of origins`);
  return list.map((item) => String(item).trim()).filter((item) => item !== "").map((item) => {
    try {
      const parsed = new URL(item);
      if (parsed.origin !== item.replace(/\/$/, "")) throw new Error();
      return parsed.origin;
    } catch {
      throw new ConfigError(field, `"${item}" is not an origin like https://chat.example.com`);
    }
  });
};

const proxies = (field: string, value: unknown): string[] => {
  const list = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(list)) throw new ConfigError(field, `expected a list of addresses`);
  return list.map((item) => String(item).trim()).filter((item) => item !== "").map((item) => {
    if (!isAddressOrCidr(item)) {
      throw new ConfigError(field, `"${item}" is not an IP address or CIDR range`);
    }
    return item;
  });
};

/** A list given as a JSON array or as text split on `separator`, each item checked by `item`. */
const list =
  (separator: string, what: string, item: (text: string) => boolean) =>
  (field: string, value: unknown): string[] => {
    const items = typeof value === "string" ? value.split(separator) : value;
    if (!Array.isArray(items) || !items.every((i) => typeof i === "string")) {
      throw new ConfigError(field, `expected a list of ${what}`);
    }
    const trimmed = items.map((i) => i.trim()).filter((i) => i !== "");
    const bad = trimmed.find((i) => !item(i));
    if (bad !== undefined) throw new ConfigError(field, `${show(bad)} is not one of ${what}`);
    return [...new Set(trimmed)];
  };

const publicUrl = (field: string, value: unknown): string => {
  const s = text(field, value);
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    throw new ConfigError(field, `expected an http(s):// URL, got ${show(value)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ConfigError(field, `expected an http(s):// URL, got ${show(value)}`);
  }
  return parsed.origin;
};

const mimeTypes = (field: string, value: unknown): string[] => {
  const list = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(list)) throw new ConfigError(field, `expected a list of types`);
  return list.map((item) => String(item).trim().toLowerCase()).filter((item) => item !== "")
    .map((item) => {
      if (!/^[a-z0-9][a-z0-9.+-]*\/([a-z0-9][a-z0-9.+-]*|\*)$/.test(item)) {
        throw new ConfigError(field, `"${item}" is not a type like image/png or image/*`);
      }
      return item;
    });
};

const bool = (field: string, value: unknown): boolean => {
  if (typeof value === "boolean") return value;
  const word = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (["1", "true", "yes", "on"].includes(word)) return true;
  if (["0", "false", "no", "off"].includes(word)) return false;
  throw new ConfigError(field, `expected true or false, got ${show(value)}`);
};

/** A bearer token: long enough not to be guessed, printable, no spaces. */
const secret = (field: string, value: unknown): string => {
  if (typeof value !== "string" || !/^[\x21-\x7e]{16,200}$/.test(value)) {
    throw new ConfigError(field, "expected 16 to 200 printable characters without spaces");
  }
  return value;
};

const logLevel = (field: string, value: unknown) => {
  try {
    return parseLogLevel(String(value));
  } catch (error) {
    throw new ConfigError(field, (error as Error).message);
  }
};

/** An LDAP filter: in parentheses, balanced. */
const ldapFilter = (needsAccount: boolean) => (field: string, value: unknown): string => {
  const s = text(field, value);
  let depth = 0;
  for (const c of s.replace(/\\[0-9A-Fa-f]{2}/g, "")) {
    depth += c === "(" ? 1 : c === ")" ? -1 : 0;
    if (depth < 0) break;
  }
  if (!s.startsWith("(") || !s.endsWith(")") || depth !== 0) {
    throw new ConfigError(
      field,
      `expected an LDAP filter in balanced parentheses, got ${show(value)}`,
    );
  }
  if (needsAccount && !s.includes("{account}")) {
    throw new ConfigError(field, "the filter must contain {account} (the name typed at login)");
  }
  return s;
};

const distinguishedName = (field: string, value: unknown): string => {
  const s = text(field, value);
  try {
    parseDn(s);
  } catch {
    throw new ConfigError(field, `expected a DN like dc=example,dc=com, got ${show(value)}`);
  }
  return s;
};

/** A file's content, read now so that a missing file stops the start, not the first login. */
const fileContent = (field: string, value: unknown): string => {
  const path = text(field, value);
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    throw new ConfigError(field, `cannot read ${path}: ${(error as Error).message}`);
  }
};

const ATTRIBUTES: (keyof DirectoryAttributes)[] = [
  "account",
  "username",
  "dept",
  "deptDetail",
  "email",
  "tel",
  "mobile",
];

/** `directory.*`. */
const DIRECTORY_SETTERS: Record<string, Setter> = {
  "directory.url": (c, v, f) => {
    const s = text(f, v);
    if (!/^ldaps?:\/\/[^/?#\s]+\/?$/.test(s)) {
      throw new ConfigError(
        f,
        `expected ldap://host[:port] or ldaps://host[:port], got ${show(v)}`,
      );
    }
    c.directory.url = s.replace(/\/$/, "");
  },
  "directory.kind": (c, v, f) => {
    if (v !== "ad" && v !== "openldap") {
      throw new ConfigError(f, `expected "ad" (Active Directory) or "openldap", got ${show(v)}`);
    }
    c.directory.kind = v;
  },
  "directory.startTls": (c, v, f) => c.directory.startTls = bool(f, v),
  "directory.caFile": (c, v, f) => {
    fileContent(f, v);
    c.directory.caFile = text(f, v);
  },
  "directory.bindDn": (c, v, f) => c.directory.bindDn = v === "" ? "" : distinguishedName(f, v),
  "directory.bindPassword": (c, v, f) => {
    if (typeof v !== "string") throw new ConfigError(f, "expected a string");
    c.directory.bindPassword = v;
  },
  "directory.bindPasswordFile": (c, v, f) => {
    c.directory.bindPassword = fileContent(f, v).replace(/\r?\n$/, "");
    c.directory.bindPasswordFile = text(f, v);
  },
  "directory.baseDn": (c, v, f) => c.directory.baseDn = distinguishedName(f, v),
  "directory.userFilter": (c, v, f) => c.directory.userFilter = ldapFilter(true)(f, v),
  "directory.listFilter": (c, v, f) => c.directory.listFilter = ldapFilter(false)(f, v),
  "directory.deptRoot": (c, v, f) => {
    if (typeof v !== "string" || v.length > 64 || v.includes(",")) {
      throw new ConfigError(f, "expected a department name of up to 64 characters, no comma");
    }
    c.directory.deptRoot = v.trim();
  },
  "directory.timeoutSeconds": (c, v, f) => c.directory.timeoutSeconds = int(1, 300)(f, v),
  "directory.localAccounts": (c, v, f) =>
    c.directory.localAccounts = list(",", "accountids", (i) => /^[A-Za-z0-9_.]{1,40}$/.test(i))(
      f,
      v,
    ),
  "directory.order": (c, v, f) => {
    if (v !== "directory-first" && v !== "local-first") {
      throw new ConfigError(f, `expected "directory-first" or "local-first", got ${show(v)}`);
    }
    c.directory.order = v;
  },
  "directory.syncHours": (c, v, f) => c.directory.syncHours = int(0, 24 * 366)(f, v),
  ...Object.fromEntries(ATTRIBUTES.map((name): [string, Setter] => [
    `directory.attributes.${name}`,
    (c, v, f) => {
      const s = text(f, v);
      const fromOus = (name === "dept" || name === "deptDetail") && s.toLowerCase() === "ou";
      if (!fromOus && !ATTRIBUTE_NAME.test(s)) {
        throw new ConfigError(f, `expected an LDAP attribute name, got ${show(v)}`);
      }
      c.directory.attributeSettings[name] = s;
    },
  ])),
};

/** Every setting by its dotted name (the config file's shape). */
const SETTERS: Record<string, Setter> = {
  "host": (c, v, f) => c.host = text(f, v),
  "port": (c, v, f) => c.port = int(0, 65535)(f, v),
  "redis.url": (c, v, f) => c.redisUrl = url("redis:")(f, v),
  "redis.prefix": (c, v, f) => {
    if (typeof v !== "string" || !/^[A-Za-z0-9_:.-]{0,64}$/.test(v)) {
      throw new ConfigError(f, `expected up to 64 letters, digits or _ : . -, got ${show(v)}`);
    }
    c.redisPrefix = v;
  },
  "mysql.url": (c, v, f) => c.mysqlUrl = url("mysql:")(f, v),
  "mysql.readUrl": (c, v, f) => c.mysqlReadUrl = url("mysql:")(f, v),
  "data": (c, v, f) => c.dataDir = text(f, v),
  "origins": (c, v, f) => c.allowedOrigins = origins(f, v),
  "publicUrl": (c, v, f) => c.publicUrl = publicUrl(f, v),
  "http.trustedProxies": (c, v, f) => c.http.trustedProxies = proxies(f, v),
  "http.headerTimeoutSeconds": (c, v, f) => c.http.headerTimeoutSeconds = int(1, 3600)(f, v),
  "http.idleTimeoutSeconds": (c, v, f) => c.http.idleTimeoutSeconds = int(1, 86400)(f, v),
  "limits.frameBytes": (c, v, f) => c.limits.frameBytes = int(1024, 16 << 20)(f, v),
  "limits.messageChars": (c, v, f) => c.limits.messageChars = int(1, 1_000_000)(f, v),
  "limits.maxConnections": (c, v, f) => c.limits.maxConnections = int(1, 1_000_000)(f, v),
  "limits.sendBufferBytes": (c, v, f) => c.limits.sendBufferBytes = int(1024, 1 << 30)(f, v),
  "limits.connectionsPerAddress": (c, v, f) =>
    c.limits.connectionsPerAddress = int(1, 1_000_000)(f, v),
  "limits.socketsPerAccount": (c, v, f) => c.limits.socketsPerAccount = int(1, 10_000)(f, v),
  "limits.sendPerSecond": (c, v, f) => c.limits.sendPerSecond = int(1, 1_000_000)(f, v),
  "limits.sendBurst": (c, v, f) => c.limits.sendBurst = int(1, 1_000_000)(f, v),
  "queue.batchSize": (c, v, f) => c.queue.batchSize = int(1, 10_000)(f, v),
  "queue.stallSeconds": (c, v, f) => c.queue.stallSeconds = int(1, 86400)(f, v),
  "queue.leaseSeconds": (c, v, f) => c.queue.leaseSeconds = int(2, 3600)(f, v),
  "node.id": (c, v, f) => {
    if (typeof v !== "string" || !/^[A-Za-z0-9_.:-]{1,64}$/.test(v)) {
      throw new ConfigError(f, `expected 1 to 64 letters, digits or _ : . -, got ${show(v)}`);
    }
    c.node.id = v;
  },
  "node.leaseSeconds": (c, v, f) => c.node.leaseSeconds = int(2, 3600)(f, v),
  "session.ttlSeconds": (c, v, f) => c.session.ttlSeconds = int(60, 366 * 86400)(f, v),
  "session.recheckSeconds": (c, v, f) => c.session.recheckSeconds = int(1, 3600)(f, v),
  "login.maxFailures": (c, v, f) => c.login.maxFailures = int(1, 1000)(f, v),
  "login.maxFailuresPerAddress": (c, v, f) =>
    c.login.maxFailuresPerAddress = int(1, 1_000_000)(f, v),
  "password.minLength": (c, v, f) => c.password.minLength = int(1, 1024)(f, v),
  "login.windowSeconds": (c, v, f) => c.login.windowSeconds = int(1, 86400)(f, v),
  "files.dir": (c, v, f) => c.files.dir = text(f, v),
  "files.maxBytes": (c, v, f) => c.files.maxBytes = int(1, Number.MAX_SAFE_INTEGER)(f, v),
  "files.chunkBytes": (c, v, f) => c.files.chunkBytes = int(64 * 1024, 64 << 20)(f, v),
  "files.allowedTypes": (c, v, f) => c.files.allowedTypes = mimeTypes(f, v),
  "files.quotaBytes": (c, v, f) => c.files.quotaBytes = int(0, Number.MAX_SAFE_INTEGER)(f, v),
  "files.uploadTtlSeconds": (c, v, f) => c.files.uploadTtlSeconds = int(60, 366 * 86400)(f, v),
  "log.level": (c, v, f) => c.log.level = logLevel(f, v),
  "log.json": (c, v, f) => c.log.json = bool(f, v),
  "metrics.token": (c, v, f) => c.metrics.token = secret(f, v),
  "metrics.allow": (c, v, f) => c.metrics.allow = proxies(f, v),
  "admin.token": (c, v, f) => c.admin.token = secret(f, v),
  "heartbeat.pingSeconds": (c, v, f) => c.heartbeat.pingSeconds = int(1, 3600)(f, v),
  "heartbeat.idleSeconds": (c, v, f) => c.heartbeat.idleSeconds = int(2, 86400)(f, v),
  "groups.maxMembers": (c, v, f) => c.groups.maxMembers = int(2, 100_000)(f, v),
  "messages.recallSeconds": (c, v, f) => c.messages.recallSeconds = int(0, 366 * 86400)(f, v),
  "messages.editSeconds": (c, v, f) => c.messages.editSeconds = int(0, 366 * 86400)(f, v),
  "broadcast.maxRecipients": (c, v, f) => c.broadcast.maxRecipients = int(1, 1_000_000)(f, v),
  "broadcast.senders": (c, v, f) =>
    c.broadcast.senders = list(",", "accountids", (i) => /^[A-Za-z0-9_.]{1,40}$/.test(i))(f, v),
  // Department paths contain commas ("Company,R&D"): the text form separates them with ";".
  "broadcast.senderDepts": (c, v, f) =>
    c.broadcast.senderDepts = list(";", "department paths", (i) => i.length <= 128)(f, v),
  ...DIRECTORY_SETTERS,
};

/** The name of every setting (the config file's dotted keys). */
export const SETTING_NAMES: readonly string[] = Object.keys(SETTERS);

/** Environment variable → setting. */
const ENV: Record<string, string> = {
  CHAT_HOST: "host",
  CHAT_PORT: "port",
  CHAT_REDIS_URL: "redis.url",
  CHAT_REDIS_PREFIX: "redis.prefix",
  CHAT_MYSQL_URL: "mysql.url",
  CHAT_MYSQL_READ_URL: "mysql.readUrl",
  CHAT_DATA_DIR: "data",
  CHAT_ORIGINS: "origins",
  CHAT_PUBLIC_URL: "publicUrl",
  CHAT_TRUSTED_PROXIES: "http.trustedProxies",
  CHAT_HEADER_TIMEOUT: "http.headerTimeoutSeconds",
  CHAT_HTTP_IDLE_TIMEOUT: "http.idleTimeoutSeconds",
  CHAT_MAX_FRAME_BYTES: "limits.frameBytes",
  CHAT_MAX_MESSAGE_CHARS: "limits.messageChars",
  CHAT_MAX_CONNECTIONS: "limits.maxConnections",
  CHAT_SEND_BUFFER_BYTES: "limits.sendBufferBytes",
  CHAT_MAX_CONNECTIONS_PER_ADDRESS: "limits.connectionsPerAddress",
  CHAT_MAX_SOCKETS_PER_ACCOUNT: "limits.socketsPerAccount",
  CHAT_SEND_PER_SECOND: "limits.sendPerSecond",
  CHAT_SEND_BURST: "limits.sendBurst",
  CHAT_QUEUE_BATCH: "queue.batchSize",
  CHAT_QUEUE_STALL_SECONDS: "queue.stallSeconds",
  CHAT_QUEUE_LEASE_SECONDS: "queue.leaseSeconds",
  CHAT_NODE_ID: "node.id",
  CHAT_NODE_LEASE_SECONDS: "node.leaseSeconds",
  CHAT_SESSION_TTL: "session.ttlSeconds",
  CHAT_SESSION_RECHECK: "session.recheckSeconds",
  CHAT_LOGIN_MAX_FAILURES: "login.maxFailures",
  CHAT_LOGIN_MAX_FAILURES_PER_ADDRESS: "login.maxFailuresPerAddress",
  CHAT_PASSWORD_MIN_LENGTH: "password.minLength",
  CHAT_LOGIN_WINDOW: "login.windowSeconds",
  CHAT_FILES_DIR: "files.dir",
  CHAT_FILES_MAX_BYTES: "files.maxBytes",
  CHAT_FILES_CHUNK_BYTES: "files.chunkBytes",
  CHAT_FILES_ALLOWED_TYPES: "files.allowedTypes",
  CHAT_FILES_QUOTA_BYTES: "files.quotaBytes",
  CHAT_FILES_UPLOAD_TTL: "files.uploadTtlSeconds",
  CHAT_LOG_LEVEL: "log.level",
  CHAT_LOG_JSON: "log.json",
  CHAT_METRICS_TOKEN: "metrics.token",
  CHAT_METRICS_ALLOW: "metrics.allow",
  CHAT_ADMIN_TOKEN: "admin.token",
  CHAT_PING_SECONDS: "heartbeat.pingSeconds",
  CHAT_IDLE_SECONDS: "heartbeat.idleSeconds",
  CHAT_MAX_GROUP_MEMBERS: "groups.maxMembers",
  CHAT_RECALL_SECONDS: "messages.recallSeconds",
  CHAT_EDIT_SECONDS: "messages.editSeconds",
  CHAT_MAX_BROADCAST_RECIPIENTS: "broadcast.maxRecipients",
  CHAT_BROADCAST_SENDERS: "broadcast.senders",
  CHAT_BROADCAST_SENDER_DEPTS: "broadcast.senderDepts",
  CHAT_DIRECTORY_URL: "directory.url",
  CHAT_DIRECTORY_KIND: "directory.kind",
  CHAT_DIRECTORY_STARTTLS: "directory.startTls",
  CHAT_DIRECTORY_CA_FILE: "directory.caFile",
  CHAT_DIRECTORY_BIND_DN: "directory.bindDn",
  CHAT_DIRECTORY_BIND_PASSWORD: "directory.bindPassword",
  CHAT_DIRECTORY_BIND_PASSWORD_FILE: "directory.bindPasswordFile",
  CHAT_DIRECTORY_BASE_DN: "directory.baseDn",
  CHAT_DIRECTORY_USER_FILTER: "directory.userFilter",
  CHAT_DIRECTORY_LIST_FILTER: "directory.listFilter",
  CHAT_DIRECTORY_DEPT_ROOT: "directory.deptRoot",
  CHAT_DIRECTORY_TIMEOUT: "directory.timeoutSeconds",
  CHAT_DIRECTORY_LOCAL_ACCOUNTS: "directory.localAccounts",
  CHAT_DIRECTORY_ORDER: "directory.order",
  CHAT_DIRECTORY_SYNC_HOURS: "directory.syncHours",
};

/**
 * Resolves the configuration. Unknown keys in the file and unknown `CHAT_*` variables are
 * errors (a typo must not silently fall back to a default).
 */
export function loadConfig(sources: ConfigSources = {}): ResolvedConfig {
  const config = defaultConfig();
  if (sources.file !== undefined) applyFile(config, sources.file);
  for (const [name, value] of Object.entries(sources.env ?? {})) {
    if (!name.startsWith("CHAT_") || value === undefined || NOT_SETTINGS.has(name)) continue;
    const key = ENV[name];
    if (!key) {
      throw new ConfigError(name, `unknown setting (known: ${Object.keys(ENV).join(", ")})`);
    }
    SETTERS[key](config, value, name);
  }
  const flags = sources.flags ?? {};
  const flagKeys: [keyof ConfigFlags, string][] = [
    ["host", "host"],
    ["port", "port"],
    ["redis", "redis.url"],
    ["mysql", "mysql.url"],
    ["data", "data"],
    ["origin", "origins"],
    ["public-url", "publicUrl"],
    ["log-level", "log.level"],
    ["log-json", "log.json"],
  ];
  for (const [flag, key] of flagKeys) {
    if (flags[flag] !== undefined) SETTERS[key](config, flags[flag], `--${flag}`);
  }
  if ((config.redisUrl === null) !== (config.mysqlUrl === null)) {
    throw new ConfigError(
      config.redisUrl === null ? "redis.url" : "mysql.url",
      "Redis and MySQL go together: set both, or neither for the embedded backend",
    );
  }
  if (config.mysqlReadUrl !== null && config.mysqlUrl === null) {
    throw new ConfigError("mysql.readUrl", "a replica for reads needs mysql.url for the writes");
  }
  checkDirectory(config);
  if (config.heartbeat.idleSeconds <= config.heartbeat.pingSeconds) {
    throw new ConfigError("heartbeat.idleSeconds", "must be longer than heartbeat.pingSeconds");
  }
  return config;
}

/** The directory's settings that only make sense together. */
function checkDirectory(config: ResolvedConfig): void {
  const d = config.directory;
  if (d.url === null) return;
  if (d.baseDn === "") {
    throw new ConfigError(
      "directory.baseDn",
      "required with directory.url (e.g. dc=example,dc=com)",
    );
  }
  if (d.startTls && d.url.startsWith("ldaps:")) {
    throw new ConfigError("directory.startTls", "ldaps:// is TLS already; StartTLS is for ldap://");
  }
  if (d.bindDn === "" && d.bindPassword !== "") {
    throw new ConfigError("directory.bindDn", "a bind password is set but no bind DN");
  }
}

/** `CHAT_*` variables that are not settings (read by the launcher or the command line). */
const NOT_SETTINGS = new Set(["CHAT_CONFIG", "CHAT_DAEMON_CHILD"]);

function applyFile(config: ResolvedConfig, file: unknown, path = ""): void {
  if (typeof file !== "object" || file === null || Array.isArray(file)) {
    throw new ConfigError(path || "config file", "expected a JSON object");
  }
  for (const [key, value] of Object.entries(file)) {
    const field = path ? `${path}.${key}` : key;
    if (SETTERS[field]) SETTERS[field](config, value, field);
    else if (Object.keys(SETTERS).some((known) => known.startsWith(field + "."))) {
      applyFile(config, value, field);
    } else throw new ConfigError(field, "unknown setting");
  }
}

/** An IPv4/IPv6 address, optionally with a `/prefix` length. */
export function isAddressOrCidr(text: string): boolean {
  const [address, prefix, extra] = text.split("/");
  if (extra !== undefined) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  const isV4 = v4 !== null && v4.slice(1).every((part) => Number(part) <= 255);
  const isV6 = !isV4 && address.includes(":") && /^[0-9A-Fa-f:.]+$/.test(address);
  if (!isV4 && !isV6) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (isV4 ? 32 : 128);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
