/**
 * Password hashing: salted scrypt for every new or changed password, and a one-time check of the
 * original PHP webChat's md5 scheme for migrated accounts (re-hashed at that login).
 *
 * @module
 */
import { createHash, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Uint8Array,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Uint8Array>;

const N = 16384, R = 8, P = 1, KEY_LENGTH = 32;

/**
 * scrypt runs on a thread pool and each run holds 128 × N × r bytes (16 MiB here): fifty logins
 * at once took the process from 156 MiB to about 800 MiB, and the allocator kept it. Hashing is
 * CPU-bound, so more runs at once than there are cores buy no speed; they only cost memory. At
 * most this many run at once; the others wait their turn.
 */
const HASH_SLOTS = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `hash` when a slot is free. */
async function inSlot<T>(hash: () => Promise<T>): Promise<T> {
  if (running >= HASH_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await hash();
  } finally {
    // The slot passes straight to the next caller, so `running` counts it without a gap.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** Hash runs in progress and waiting, for tests and metrics. */
export function hashLoad(): { running: number; waiting: number; slots: number } {
  return { running, waiting: waiting.length, slots: HASH_SLOTS };
}

/** Hashes a password as `scrypt$N$r$p$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await inSlot(() =>
    scryptAsync(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: 64 << 20 })
  );
  return `scrypt$${N}$${R}$${P}$${b64(salt)}$${b64(hash)}`;
}

/** Result of {@link verifyPassword}. */
export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses the legacy scheme and should be replaced now. */
  needsRehash: boolean;
}

/** Checks a password against a stored hash of either scheme, in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<PasswordCheck> {
  const parts = stored.split("$");
  if (parts[0] === "scrypt" && parts.length === 6) {
    const [n, r, p] = parts.slice(1, 4).map(Number);
    const salt = unb64(parts[4]);
    const expected = unb64(parts[5]);
    if (![n, r, p].every(Number.isInteger) || expected.length === 0) {
      return { ok: false, needsRehash: false };
    }
    const actual = await inSlot(() =>
      scryptAsync(password, salt, expected.length, { N: n, r, p, maxmem: 256 << 20 })
    );
    return { ok: timingSafeEqual(actual, expected), needsRehash: false };
  }
  if (/^[0-9a-f]{32}$/.test(stored) && password !== "") {
    const actual = new TextEncoder().encode(legacyPasswordHash(password));
    const ok = timingSafeEqual(actual, new TextEncoder().encode(stored));
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

/**
 * The original's `Mcommon::encryptPwd` (reference §8.2): reverse, swap the first and last
 * `code` characters, then `md5(md5(p) . '*^_^||')`. PHP works on bytes, so this does too.
 */
export function legacyPasswordHash(password: string): string {
  let p = new TextEncoder().encode(password).reverse();
  const code = Math.floor((p[p.length - 1] % 10) / 2);
  if (p.length > 2 * code && code > 0) {
    p = new Uint8Array([
      ...p.subarray(p.length - code),
      ...p.subarray(code, p.length - code),
      ...p.subarray(0, code),
    ]);
  }
  const inner = createHash("md5").update(p).digest("hex");
  return createHash("md5").update(inner + "*^_^||").digest("hex");
}

/** A random password of at least 16 characters (and at least `minLength`), base64url. */
export function generatePassword(minLength: number): string {
  const length = Math.max(16, minLength);
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length * 3 / 4) + 3));
  const text = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
  return text.slice(0, length);
}

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function unb64(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array();
  }
}
