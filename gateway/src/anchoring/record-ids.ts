/**
 * Record ids of the outbox: UUIDs of version 7 (RFC 9562) that carry the record's ordinal.
 *
 * `unix_ts_ms` (48 bits) is the record's creation time; the 74 bits of `rand_a` and `rand_b` hold
 * the ordinal (48 bits: its number in the outbox, which is unique there and grows with every
 * record, RFC 9562 section 6.2 method 1) followed by 26 random bits. The outbox finds a record
 * from its id without an index over ids, and the random bits keep ids of neighbouring records
 * from being guessed.
 */

/** Ordinals are below this (48 bits). */
export const MAX_ORDINAL = 2 ** 48;
/** Random bits in an id. */
export const RANDOM_BITS = 26;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex2 = (v: number): string => HEX[v & 255]!;
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The id of the record with `ordinal`, created at `ms`, with `random` (its low 26 bits are used).
 * @throws RangeError when the time or the ordinal does not fit
 */
export function formatRecordId(ms: number, ordinal: number, random: number): string {
  if (!(ms >= 0 && ms < 2 ** 48) || !(ordinal >= 0 && ordinal < MAX_ORDINAL)) throw new RangeError('record id: time or ordinal out of range');
  const timeHigh = Math.floor(ms / 0x10000); // 32 bits
  const ordHigh = Math.floor(ordinal / 2 ** 36); // 12 bits: rand_a
  const ordMid = Math.floor(ordinal / 2 ** 22) % 2 ** 14; // 14 bits after the variant
  const ordLow = ordinal % 2 ** 22; // 22 bits, then 26 random bits
  const tail = ordLow * 2 ** RANDOM_BITS + (random & (2 ** RANDOM_BITS - 1)); // 48 bits
  const tailHigh = Math.floor(tail / 2 ** 24);
  const tailLow = tail % 2 ** 24;
  return (
    hex2(timeHigh >>> 24) + hex2(timeHigh >>> 16) + hex2(timeHigh >>> 8) + hex2(timeHigh) + '-' +
    hex2(ms >>> 8) + hex2(ms) + '-7' +
    (ordHigh >>> 8).toString(16) + hex2(ordHigh) + '-' +
    hex2(0x80 | (ordMid >>> 8)) + hex2(ordMid) + '-' +
    hex2(tailHigh >>> 16) + hex2(tailHigh >>> 8) + hex2(tailHigh) + hex2(tailLow >>> 16) + hex2(tailLow >>> 8) + hex2(tailLow)
  );
}

/** The ordinal an outbox id carries, or undefined when `id` is not such an id (e.g. a random UUID of version 4). */
export function recordOrdinal(id: string): number | undefined {
  if (!V7.test(id)) return undefined;
  const ordHigh = parseInt(id.slice(15, 18), 16);
  const ordMid = parseInt(id.slice(19, 23), 16) & 0x3fff;
  const tail = parseInt(id.slice(24, 36), 16);
  return ordHigh * 2 ** 36 + ordMid * 2 ** 22 + Math.floor(tail / 2 ** RANDOM_BITS);
}
