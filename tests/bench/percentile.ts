/**
 * Percentiles of latency samples.
 *
 * @module
 */

/** The nearest-rank `p` (0..1) percentile of an ascending `sorted` array; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
