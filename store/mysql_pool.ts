/**
 * The one place that creates mysql2 pools. Adapters receive a {@link MysqlPool}; every value
 * they send goes through placeholders. The database named in the URL is created when it is
 * missing and the account has the right to.
 *
 * @module
 */
import mysql from "mysql2/promise";

/** A mysql2 promise pool. */
export type MysqlPool = mysql.Pool;

/** Parsed parts of a `mysql://user:pass@host:port/database` URL. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Parses a MySQL URL; throws `TypeError` naming what is wrong. */
export function parseMysqlUrl(url: string): MysqlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not a URL: expected mysql://user:pass@host:port/database`);
  }
  if (parsed.protocol !== "mysql:") {
    throw new TypeError(`unsupported scheme "${parsed.protocol}": expected mysql://`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(database)) {
    throw new TypeError(`database name "${database}" must be 1-64 letters, digits, _ or $`);
  }
  return {
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || "root",
    password: decodeURIComponent(parsed.password),
    database,
  };
}

/** Options for {@link openMysql}. */
export interface MysqlOpenOptions {
  /** Pool size (default 4). */
  connectionLimit?: number;
  /** Milliseconds to wait for a TCP connection before failing (default 3000). */
  connectTimeoutMs?: number;
  /** Create the database when missing (default true). */
  createDatabase?: boolean;
  /**
   * Fail when MySQL cannot be reached now (default true). False gives a pool whose queries fail
   * until MySQL is back, for a server that starts degraded; the database is then created by
   * {@link ensureDatabase} once MySQL answers.
   */
  requireServer?: boolean;
}

/**
 * Opens a pool on the URL's database, creating the database first when it does not exist.
 * Rejects when MySQL cannot be reached, so a misconfigured server fails at start.
 */
export async function openMysql(url: string, options: MysqlOpenOptions = {}): Promise<MysqlPool> {
  const target = parseMysqlUrl(url);
  const connectTimeout = options.connectTimeoutMs ?? 3000;
  const required = options.requireServer ?? true;
  if (options.createDatabase ?? true) {
    try {
      await ensureDatabase(url, connectTimeout);
    } catch (error) {
      if (required) throw error;
    }
  }
  const pool = mysql.createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionLimit: options.connectionLimit ?? 4,
    connectTimeout,
    charset: "utf8mb4_unicode_ci",
    supportBigNumbers: true,
    enableKeepAlive: true,
  });
  if (required) {
    // Surface a wrong password or an unreachable server now, not at the first query.
    const probe = await pool.getConnection();
    probe.release();
  }
  return pool;
}

/** Creates the URL's database when it is missing and the account may. */
export async function ensureDatabase(url: string, connectTimeout = 3000): Promise<void> {
  const target = parseMysqlUrl(url);
  const admin = await mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    connectTimeout,
  });
  try {
    await admin.query(
      `CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } catch (error) {
    // Without CREATE rights the database must already exist; the pool says so if not.
    if (!isAccessDenied(error)) throw error;
  } finally {
    await admin.end().catch(() => {});
  }
}

function isAccessDenied(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? "";
  return code === "ER_DBACCESS_DENIED_ERROR" || code === "ER_ACCESS_DENIED_ERROR";
}
