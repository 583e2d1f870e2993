/**
 * Canonical JSON as the bundle format defines it: object keys in sorted order, no whitespace,
 * `undefined` members dropped, numbers and strings as JSON.stringify writes them — the same text
 * as the chaincode's `canonicalJson`, so hashes made on either side agree. (As there, keys that
 * look like array indices keep the order JavaScript gives them, ascending numbers first.)
 * Hashes and signatures in a bundle are over this text.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(sorted(value));
  if (text === undefined) throw new TypeError(`canonical JSON cannot hold ${typeof value}`);
  return text;
}

/** `value` with every object's keys in sorted order; objects already sorted are reused, not copied. */
function sorted(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold NaN or Infinity');
    return value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const s = sorted(value[i]);
      if (s !== value[i]) (copy ??= value.slice())[i] = s;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let changed = false;
  const members: unknown[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const member = record[keys[i]!];
    members[i] = member === undefined ? undefined : sorted(member);
    if (members[i] !== member || member === undefined || (i > 0 && keys[i - 1]! > keys[i]!)) changed = true;
  }
  if (!changed) return value;
  const order = keys.map((key, i) => [key, members[i]] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, unknown> = {};
  for (const [key, member] of order) if (member !== undefined) out[key] = member;
  return out;
}
