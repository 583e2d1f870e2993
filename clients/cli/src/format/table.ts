/** Plain-text tables and key/value blocks for human output. */

/** A table cell: anything printable; null and undefined show as "-". */
export type Cell = string | number | boolean | null | undefined;

const text = (c: Cell): string => (c === null || c === undefined || c === '' ? '-' : String(c));
const width = (s: string): number => [...s].length;

/** Cut `s` to `max` characters, marking the cut with "…". */
export function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * Columns padded to their widest cell, headers in capitals, two spaces apart; numbers are
 * right-aligned. No rows gives "(none)".
 */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => headers.map((_, i) => text(r[i])));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined));
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i]!))));
  const line = (r: readonly string[]) => r.map((c, i) => {
    const pad = ' '.repeat(widths[i]! - width(c));
    return numeric[i] ? pad + c : c + pad;
  }).join('  ').trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Aligned `key: value` lines. */
export function keyValues(pairs: readonly (readonly [string, Cell])[]): string {
  const w = Math.max(0, ...pairs.map(([k]) => width(k)));
  return pairs.map(([k, v]) => `${k}:${' '.repeat(w - width(k) + 1)}${text(v)}`).join('\n');
}

/** A short one-line rendering of an object: `a=1 b=x` (nested values as JSON). */
export function compact(data: unknown, max = 60): string {
  if (data === null || data === undefined) return '';
  if (typeof data !== 'object') return truncate(String(data), max);
  const parts = Object.entries(data as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return truncate(parts.join(' '), max);
}
