/**
 * Redis commands and MariaDB statements per message. The counters are the whole servers':
 * other users' jobs on the same Redis/MariaDB count too, which the relay's phases, touching
 * neither, show as the background.
 *
 * @module
 */
import type { TestStores } from "../support/stores.ts";

/** Redis `INFO commandstats` calls and a few MariaDB global status counters. */
export interface StoreCounters {
  redis: Map<string, number>;
  mysql: Map<string, number>;
}

/** The stores' counters now; null without stores or when they cannot be read. */
export async function storeCounters(stores: TestStores | null): Promise<StoreCounters | null> {
  if (!stores) return null;
  try {
    const info = await stores.redis.info("commandstats");
    const redis = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) redis.set(m[1], Number(m[2]));
    const [rows] = await stores.pool.query(
      `SHOW GLOBAL STATUS WHERE Variable_name IN
        ('Com_select', 'Com_insert', 'Com_commit', 'Innodb_data_fsyncs')`,
    ) as unknown as [{ Variable_name: string; Value: string }[]];
    const mysql = new Map(rows.map((r) => [r.Variable_name, Number(r.Value)]));
    return { redis, mysql };
  } catch {
    return null;
  }
}

/** Store commands per delivered message during a phase; "" when unknown. */
export function countersDelta(
  before: StoreCounters | null,
  after: StoreCounters | null,
  messages: number,
): string {
  if (!before || !after || messages === 0) return "";
  const per = (n: number) => (n / messages).toFixed(n / messages < 0.1 ? 3 : 2);
  const redis = [...after.redis]
    .map(([name, calls]) => [name, calls - (before.redis.get(name) ?? 0)] as const)
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1]);
  const redisTotal = redis.reduce((sum, [, calls]) => sum + calls, 0);
  const mysql = [...after.mysql].map(([name, value]) =>
    `${name.replace(/^Com_/, "").toUpperCase()} ${per(value - (before.mysql.get(name) ?? 0))}`
  );
  return `per message, Redis ${per(redisTotal)} commands, scripts' inner calls included (` +
    redis.slice(0, 10).map(([name, calls]) => `${name} ${per(calls)}`).join(", ") +
    `), MariaDB ${mysql.join(", ")} (whole servers)`;
}
