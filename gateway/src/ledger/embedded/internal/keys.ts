/**
 * Key order and composite keys as Fabric's LevelDB state database sees them.
 *
 * LevelDB compares keys as UTF-8 byte strings. JavaScript compares strings by UTF-16
 * code units, which disagrees for characters outside the Basic Multilingual Plane
 * (a surrogate pair, 0xD800–0xDFFF, sorts before U+E000–U+FFFF in UTF-16 but after
 * them in UTF-8). {@link compareKeys} gives the UTF-8 order without encoding.
 */

import BTree from 'sorted-btree';

/** Namespace prefix of composite keys (fabric-shim's COMPOSITEKEY_NS). */
export const COMPOSITE_KEY_NAMESPACE = '\u0000';
/** Separator between composite key attributes (fabric-shim's MIN_UNICODE_RUNE_VALUE). */
export const COMPOSITE_KEY_SEPARATOR = '\u0000';
/** Upper bound used by partial composite key queries (fabric-shim's MAX_UNICODE_RUNE_VALUE). */
export const MAX_UNICODE_RUNE = '\u{10ffff}';

/** Compare two keys in UTF-8 byte order; negative, zero or positive like a sort comparator. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return fixup(x) - fixup(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

// Surrogates move above U+E000–U+FFFF; both groups keep their inner order.
function fixup(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** A set of keys kept sorted in UTF-8 byte order (a B+ tree), with range scans. */
export class SortedKeys {
  private readonly tree = new BTree<string, undefined>(undefined, compareKeys);

  get size(): number {
    return this.tree.size;
  }

  add(key: string): void {
    this.tree.set(key, undefined, false);
  }

  remove(key: string): void {
    this.tree.delete(key);
  }

  /**
   * Keys in `[start, end)`; an empty `end` means no upper bound (as in Fabric).
   * Returns a lazy cursor so callers can stop early.
   */
  *range(start: string, end: string): Generator<string> {
    for (const [key] of this.tree.entries(start)) {
      if (end !== '' && compareKeys(key, end) >= 0) return;
      yield key;
    }
  }
}
