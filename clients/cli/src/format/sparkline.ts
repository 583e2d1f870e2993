/** Terminal sparklines from the eight block characters. */

export const SPARK_BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * One character per value (after averaging down to `width` buckets when there are more),
 * scaled from the smallest to the largest finite value; gaps (null, NaN) are spaces.
 * A flat series is drawn at mid height.
 */
export function sparkline(values: readonly (number | null | undefined)[], width = 60): string {
  const series = downsample(values, width);
  const finite = series.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return ' '.repeat(series.length);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return series.map((v) => {
    if (v === null || !Number.isFinite(v)) return ' ';
    if (hi === lo) return SPARK_BLOCKS[3];
    const i = Math.round(((v - lo) / (hi - lo)) * (SPARK_BLOCKS.length - 1));
    return SPARK_BLOCKS[Math.min(SPARK_BLOCKS.length - 1, Math.max(0, i))];
  }).join('');
}

/** Average consecutive values into at most `width` buckets (gaps ignored; an all-gap bucket stays a gap). */
export function downsample(values: readonly (number | null | undefined)[], width: number): (number | null)[] {
  const clean = values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
  if (width < 1 || clean.length <= width) return clean;
  const out: (number | null)[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * clean.length) / width);
    const to = Math.floor(((b + 1) * clean.length) / width);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = clean[i];
      if (v !== null && v !== undefined) {
        sum += v;
        n++;
      }
    }
    out.push(n === 0 ? null : sum / n);
  }
  return out;
}
