/**
 * Canonical JSON: object keys sorted recursively, no whitespace, `undefined` members dropped.
 * Every ledger write goes through {@link canonicalJson}, so the same record always has the
 * same bytes on every peer.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

/** A copy with sorted keys, handed to the native JSON.stringify (faster than hand-written output). */
function sortDeep(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold NaN or Infinity');
    return value;
  }
  if (Array.isArray(value)) {
    const mapped = value.map(sortDeep);
    return mapped.every((m, i) => m === value[i]) ? value : mapped;
  }
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return sortDeep(json.call(value));
  // Records read from state are already sorted; copy only the levels that need it.
  const keys = Object.keys(value);
  let copy = false;
  const members: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const member = (value as Record<string, unknown>)[keys[i]!];
    const sorted = member === undefined ? undefined : sortDeep(member);
    members[i] = sorted;
    if (sorted !== member || member === undefined || (i > 0 && keys[i - 1]! > keys[i]!)) copy = true;
  }
  if (!copy) return value;
  const order = keys.map((key, i) => [key, members[i]] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const [key, member] of order) if (member !== undefined) out[key] = member;
  return out;
}
