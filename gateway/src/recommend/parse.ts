/**
 * Parser for rating files, one `user item rating [timestamp]` per line, in the common layouts:
 * `::`-separated (MovieLens-1M, MovieTweetings), tab-separated (MovieLens `u.data`),
 * comma-separated with or without a header (`userId,movieId,rating,timestamp`), or spaces.
 */
import { RecommendError } from './errors';
import { IdIndex, type RatingSet } from './ratings';

/** Field separators this parser knows. */
export type RatingLayout = '::' | '\t' | ',' | ' ';

/** A parsed rating file: the columns and the string ids behind the dense indices. */
export interface ParsedRatings {
  /** The ratings, indices dense over the ids seen in the file. */
  readonly ratings: RatingSet;
  /** User ids by index. */
  readonly users: IdIndex;
  /** Item ids by index. */
  readonly items: IdIndex;
  /** The separator used. */
  readonly layout: RatingLayout;
  /** Whether the first line was skipped as a header. */
  readonly hadHeader: boolean;
}

/** Options of {@link parseRatings}. */
export interface ParseOptions {
  /** Separator; detected from the first non-empty line when absent. */
  readonly layout?: RatingLayout;
  /** Whether the first non-empty line is a header; detected when absent: the first line is a header when its user and rating fields are names, not numbers. */
  readonly header?: boolean;
}

/** Detects the separator of a line: `::`, then tab, then comma, else runs of spaces. */
export function detectLayout(line: string): RatingLayout {
  if (line.includes('::')) return '::';
  if (line.includes('\t')) return '\t';
  if (line.includes(',')) return ',';
  return ' ';
}

function splitLine(line: string, layout: RatingLayout): string[] {
  const parts = layout === ' ' ? line.trim().split(/\s+/) : line.split(layout);
  return parts.map((p) => unquote(p.trim()));
}

function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"') ? field.slice(1, -1) : field;
}

/**
 * Parses a whole rating file. Empty lines and lines starting with `#` are skipped; ids are
 * kept as strings (leading zeros matter) and mapped to dense indices in first-seen order.
 * @throws RecommendError PARSE_MISSING_FIELD (fewer than 3 fields), PARSE_BAD_RATING (rating not
 *   a finite number), PARSE_BAD_TIMESTAMP, PARSE_EMPTY — each with the 1-based `line`.
 */
export function parseRatings(text: string, options: ParseOptions = {}): ParsedRatings {
  const lines = text.split('\n');
  const users = new IdIndex(), items = new IdIndex();
  let capacity = Math.max(16, lines.length);
  let u = new Int32Array(capacity), it = new Int32Array(capacity), v = new Float32Array(capacity), ts = new Float64Array(capacity);
  let n = 0, anyTimestamp = false;
  let layout = options.layout;
  let hadHeader = false;
  let first = true;
  for (let l = 0; l < lines.length; l++) {
    let line = lines[l]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '' || line.startsWith('#')) continue;
    layout ??= detectLayout(line);
    const fields = splitLine(line, layout);
    if (first) {
      first = false;
      const header = options.header ?? isHeader(fields);
      if (header) { hadHeader = true; continue; }
    }
    if (fields.length < 3 || fields[0] === '' || fields[1] === '' || fields[2] === '') {
      throw new RecommendError('PARSE_MISSING_FIELD', { line: l + 1, found: fields.filter((f) => f !== '').length });
    }
    const rating = fields[2]!.length > 0 ? Number(fields[2]) : Number.NaN;
    if (!Number.isFinite(rating)) throw new RecommendError('PARSE_BAD_RATING', { line: l + 1, value: JSON.stringify(fields[2]) });
    let time = Number.NaN;
    if (fields.length > 3 && fields[3] !== '') {
      time = Number(fields[3]);
      if (!Number.isFinite(time)) throw new RecommendError('PARSE_BAD_TIMESTAMP', { line: l + 1, value: JSON.stringify(fields[3]) });
      anyTimestamp = true;
    }
    if (n === capacity) {
      capacity *= 2;
      u = grow(u, capacity); it = grow(it, capacity); v = grow(v, capacity); ts = grow(ts, capacity);
    }
    u[n] = users.intern(fields[0]!);
    it[n] = items.intern(fields[1]!);
    v[n] = rating;
    ts[n] = time;
    n++;
  }
  if (n === 0) throw new RecommendError('PARSE_EMPTY');
  const ratings: RatingSet = {
    users: u.slice(0, n), items: it.slice(0, n), values: v.slice(0, n),
    userCount: users.size, itemCount: items.size,
    ...(anyTimestamp ? { timestamps: ts.slice(0, n) } : {}),
  };
  return { ratings, users, items, layout: layout ?? ',', hadHeader };
}

function isHeader(fields: string[]): boolean {
  const rating = fields[2];
  if (fields[0] === undefined || Number.isFinite(Number(fields[0]))) return false;
  // A column name, not a malformed number such as "NaN" or "Infinity" (those are bad lines).
  return rating !== undefined && !/^[+-]?(nan|inf(inity)?)$/i.test(rating) && /^[A-Za-z_][\w ]*$/.test(rating);
}

function grow<T extends Int32Array | Float32Array | Float64Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (n: number) => T)(capacity);
  next.set(array);
  return next;
}
