/**
 * HTTP `Range: bytes=…` for one range (RFC 9110 §14): `a-b`, `a-` and `-n`. Several ranges
 * are answered whole (a server may), and so is a header that is not a byte range.
 *
 * @module
 */
import type { ByteRange } from "../files/file_storage.ts";

/** The range asked for; "whole" to send everything; "unsatisfiable" for 416. */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | "whole" | "unsatisfiable" {
  if (!header) return "whole";
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return "whole";
  const [, first, last] = match;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) return "unsatisfiable";
    return size === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return "unsatisfiable";
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return "whole";
  return { start, end };
}
