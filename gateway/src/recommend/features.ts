/**
 * Content features of users or items (e.g. `category=bracket`, `material=Ti6Al4V`,
 * `industry=aerospace`) as a compressed table, for the hybrid models' cold start.
 */
import { IdIndex } from './ratings';

/** Feature tokens per entity: entity e has `indices[offsets[e]..offsets[e+1])` of `vocabulary`. */
export interface FeatureTable {
  /** Start of each entity's features; length entityCount+1. */
  readonly offsets: Int32Array;
  /** Feature indices, grouped by entity. */
  readonly indices: Int32Array;
  /** Feature tokens by index. */
  readonly vocabulary: readonly string[];
}

/**
 * Builds a feature table for `count` entities.
 * @param featuresOf - the feature tokens of entity `e` (undefined or empty for none); duplicates are dropped.
 * @param vocabulary - an existing vocabulary to extend (new tokens are added to it).
 */
export function buildFeatureTable(
  count: number, featuresOf: (entity: number) => readonly string[] | undefined, vocabulary = new IdIndex(),
): FeatureTable {
  const offsets = new Int32Array(count + 1);
  const indices: number[] = [];
  for (let e = 0; e < count; e++) {
    const seen = new Set<number>();
    for (const token of featuresOf(e) ?? []) {
      const f = vocabulary.intern(token);
      if (!seen.has(f)) { seen.add(f); indices.push(f); }
    }
    offsets[e + 1] = indices.length;
  }
  return { offsets, indices: Int32Array.from(indices), vocabulary: [...vocabulary.ids()] };
}

/** The indices of the `tokens` that `table` knows; unknown tokens are ignored (they carry no learned signal). */
export function featureIndices(table: FeatureTable | undefined, tokens: readonly string[]): Int32Array {
  if (!table) return new Int32Array(0);
  const known = new Map(table.vocabulary.map((t, i) => [t, i] as const));
  const out: number[] = [];
  for (const t of new Set(tokens)) { const f = known.get(t); if (f !== undefined) out.push(f); }
  return Int32Array.from(out);
}
