/**
 * Bearer tokens of the operations endpoints (`/metrics`, `/api/admin/*`), compared in constant
 * time so an answer's timing does not tell how much of a guess was right.
 *
 * @module
 */
import type { Context } from "hono";
import { timingSafeEqual } from "node:crypto";

/** The request's `Authorization: Bearer …` token, or null. */
export function bearerToken(c: Context): string | null {
  const auth = c.req.header("authorization");
  return auth?.startsWith("Bearer ") ? auth.slice(7).trim() : null;
}

/** True when `given` equals one of the configured `secrets` (null ones are skipped). */
export function matchesSecret(given: string | null, ...secrets: (string | null)[]): boolean {
  if (!given) return false;
  const offered = new TextEncoder().encode(given);
  let match = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const expected = new TextEncoder().encode(secret);
    // Lengths are compared first (timingSafeEqual needs equal lengths); a token's length is
    // not the secret.
    if (expected.length === offered.length && timingSafeEqual(expected, offered)) match = true;
  }
  return match;
}
