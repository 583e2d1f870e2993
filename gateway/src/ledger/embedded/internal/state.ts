/**
 * Versioned key-value stores: the public world state, the hashed private state and
 * the private data store, plus the key history index.
 */
import { SortedKeys } from './keys';

/** Fabric's version of a key: the height (block, transaction) of its last write. */
export interface Version {
  readonly blockNum: number;
  readonly txNum: number;
}

export interface VersionedValue {
  readonly value: Buffer;
  readonly version: Version;
  /** Key-level metadata (e.g. `VALIDATION_PARAMETER`). */
  readonly metadata?: Readonly<Record<string, Buffer>>;
}

export function sameVersion(a: Version | null | undefined, b: Version | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.blockNum === b.blockNum && a.txNum === b.txNum;
}

/** A sorted, versioned key-value map. */
export class VersionedStore {
  private readonly entries = new Map<string, VersionedValue>();
  private readonly index = new SortedKeys();

  get(key: string): VersionedValue | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }

  put(key: string, entry: VersionedValue): void {
    const previous = this.entries.get(key);
    if (!previous) this.index.add(key);
    this.entries.set(key, entry);
  }

  delete(key: string): void {
    const previous = this.entries.get(key);
    if (!previous) return;
    this.entries.delete(key);
    this.index.remove(key);
  }

  /** Keys in `[start, end)` in UTF-8 order; empty `end` is unbounded. */
  rangeKeys(start: string, end: string): Generator<string> {
    return this.index.range(start, end);
  }
}

/** One modification of a key, as the history database reports it. */
export interface HistoryEntry {
  readonly txId: string;
  readonly blockNum: number;
  readonly txNum: number;
  /** Client timestamp of the transaction (seconds and nanos since the epoch). */
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly isDelete: boolean;
  readonly value: Buffer;
}

/** Key history, appended in commit order. */
export class HistoryIndex {
  private readonly byKey = new Map<string, HistoryEntry[]>();

  append(key: string, entry: HistoryEntry): void {
    const list = this.byKey.get(key);
    if (list) list.push(entry);
    else this.byKey.set(key, [entry]);
  }

  /** Modifications of `key`, oldest first. */
  get(key: string): readonly HistoryEntry[] {
    return this.byKey.get(key) ?? [];
  }
}
