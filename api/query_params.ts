/**
 * Query-string parsing with clear 400 answers.
 *
 * @module
 */
import type { Context } from "hono";
import { badRequest } from "./errors.ts";

/** An optional integer parameter within bounds; absent → `fallback`. */
export function intParam(
  c: Context,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  }
  return Number(raw);
}
