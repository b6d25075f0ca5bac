/**
 * How the benchmark prints numbers and measures elapsed time.
 *
 * @module
 */

/** Milliseconds with one decimal below 10 ms, whole above; "n/a" for NaN. */
export function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms` : "n/a";
}

/** A rounded integer with thousands separators: `12,345`. */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Seconds elapsed since `since` (a performance.now() value). */
export function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}
