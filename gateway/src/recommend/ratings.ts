/**
 * Ratings as columns of typed arrays: one entry per (user, item, value) with dense integer
 * indices for users and items, so trainers loop over arrays and never over objects.
 */
import { RecommendError } from './errors';

/** Maps string ids to dense indices 0..n-1 in first-seen order, and back. */
export class IdIndex {
  private readonly byId = new Map<string, number>();
  private readonly list: string[] = [];

  /** @param ids - ids to register in this order (duplicates are ignored). */
  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.intern(id);
  }

  /** The index of `id`, registering it if it is new. */
  intern(id: string): number {
    let index = this.byId.get(id);
    if (index === undefined) {
      index = this.list.length;
      this.byId.set(id, index);
      this.list.push(id);
    }
    return index;
  }

  /** The index of `id`, or -1 when it is unknown. */
  indexOf(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  /** The id at `index` (throws INDEX_OUT_OF_RANGE). */
  idAt(index: number): string {
    const id = this.list[index];
    if (id === undefined) throw new RecommendError('INDEX_OUT_OF_RANGE', { what: 'id', index, max: this.list.length - 1 });
    return id;
  }

  /** Number of ids. */
  get size(): number {
    return this.list.length;
  }

  /** All ids in index order. */
  ids(): readonly string[] {
    return this.list;
  }
}

/** Explicit or implicit feedback as columns. Entry `r` is user `users[r]` on item `items[r]` with `values[r]`. */
export interface RatingSet {
  /** User index per entry (0..userCount-1). */
  readonly users: Int32Array;
  /** Item index per entry (0..itemCount-1). */
  readonly items: Int32Array;
  /** Rating per entry (1 for implicit interactions). */
  readonly values: Float32Array;
  /** Unix time per entry, when the source had one (NaN where missing). */
  readonly timestamps?: Float64Array;
  /** Number of users the indices range over (may exceed the users present, e.g. in a fold). */
  readonly userCount: number;
  /** Number of items the indices range over. */
  readonly itemCount: number;
}

/**
 * Builds a {@link RatingSet} from columns, checking indices and values.
 * @throws RecommendError INVALID_RATING for a non-finite value, INDEX_OUT_OF_RANGE for a bad index.
 */
export function createRatingSet(
  users: ArrayLike<number>, items: ArrayLike<number>, values: ArrayLike<number>,
  userCount: number, itemCount: number, timestamps?: ArrayLike<number>,
): RatingSet {
  const n = users.length;
  if (items.length !== n || values.length !== n) {
    throw new RecommendError('INVALID_OPTION', { option: 'columns', expected: 'arrays of equal length', value: `${n}/${items.length}/${values.length}` });
  }
  const set: RatingSet = {
    users: Int32Array.from(users), items: Int32Array.from(items), values: Float32Array.from(values),
    userCount, itemCount, ...(timestamps ? { timestamps: Float64Array.from(timestamps) } : {}),
  };
  for (let r = 0; r < n; r++) {
    const u = set.users[r]!, i = set.items[r]!, v = set.values[r]!;
    if (!Number.isFinite(v)) throw new RecommendError('INVALID_RATING', { index: r, value: v });
    if (u < 0 || u >= userCount) throw new RecommendError('INDEX_OUT_OF_RANGE', { what: 'user', index: u, max: userCount - 1 });
    if (i < 0 || i >= itemCount) throw new RecommendError('INDEX_OUT_OF_RANGE', { what: 'item', index: i, max: itemCount - 1 });
  }
  return set;
}

/** The entries at `rows` (same index space as `set`). */
export function selectRatings(set: RatingSet, rows: ArrayLike<number>): RatingSet {
  const n = rows.length;
  const users = new Int32Array(n), items = new Int32Array(n), values = new Float32Array(n);
  const timestamps = set.timestamps ? new Float64Array(n) : undefined;
  for (let k = 0; k < n; k++) {
    const r = rows[k]!;
    users[k] = set.users[r]!;
    items[k] = set.items[r]!;
    values[k] = set.values[r]!;
    if (timestamps) timestamps[k] = set.timestamps![r]!;
  }
  return { users, items, values, userCount: set.userCount, itemCount: set.itemCount, ...(timestamps ? { timestamps } : {}) };
}

/** Mean of the values (0 for an empty set). */
export function meanRating(set: RatingSet): number {
  let sum = 0;
  for (let r = 0; r < set.values.length; r++) sum += set.values[r]!;
  return set.values.length > 0 ? sum / set.values.length : 0;
}

/** Entries grouped by one side, compressed-row style: rows of `key` k are `order[offsets[k]..offsets[k+1])`. */
export interface Grouping {
  /** Start of each group in `order`; length count+1. */
  readonly offsets: Int32Array;
  /** Entry numbers, grouped. */
  readonly order: Int32Array;
}

/** Groups the entries of `set` by user (`'user'`) or by item (`'item'`). */
export function groupBy(set: RatingSet, side: 'user' | 'item'): Grouping {
  const keys = side === 'user' ? set.users : set.items;
  const count = side === 'user' ? set.userCount : set.itemCount;
  const offsets = new Int32Array(count + 1);
  for (let r = 0; r < keys.length; r++) offsets[keys[r]! + 1]!++;
  for (let k = 0; k < count; k++) offsets[k + 1]! += offsets[k]!;
  const fill = offsets.slice(0, count);
  const order = new Int32Array(keys.length);
  for (let r = 0; r < keys.length; r++) order[fill[keys[r]!]!++] = r;
  return { offsets, order };
}

/** Number of entries per user or per item. */
export function countBy(set: RatingSet, side: 'user' | 'item'): Int32Array {
  const keys = side === 'user' ? set.users : set.items;
  const counts = new Int32Array(side === 'user' ? set.userCount : set.itemCount);
  for (let r = 0; r < keys.length; r++) counts[keys[r]!]!++;
  return counts;
}
