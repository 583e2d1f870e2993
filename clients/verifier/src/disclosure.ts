/**
 * Field-level commitments of ledger writes, for selective disclosure. Each write's JSON value is
 * split into fields (top-level members, and the members of top-level objects, as RFC 6901
 * pointers such as `/at` or `/data/machineId`; a value that is not a JSON object is the one field
 * ``). Each field is committed as SHA-256(salt ‖ canonical JSON of its value), with
 * salt = HMAC-SHA256(transaction nonce, key ‖ NUL ‖ pointer). A write's hash in a transaction
 * digest is over these commitments, so a bundle can reveal some fields of a write (value and
 * salt) and only the commitments of the rest. The nonce stays private: without it the salts of
 * undisclosed fields cannot be derived, so their values cannot be guessed and checked.
 */
import { canonicalJson } from './canonical';
import { base64ToBytes, base64ToUtf8, hmacSha256Hex, sha256Hex } from './bytes';

/** A write as a read-write set holds it (value base64). */
export interface Write {
  readonly key: string;
  readonly isDelete: boolean;
  readonly value: string;
}

/** A write reduced to its field commitments. */
export interface WriteCommitments {
  readonly fields: Readonly<Record<string, string>>;
  readonly isDelete: boolean;
  readonly key: string;
}

/** A revealed field: its value and salt. */
export interface DisclosedField {
  readonly salt: string;
  readonly value: unknown;
}

/** The decoded JSON value of a write, or undefined when it is not JSON. */
export function writeValue(write: Write): unknown {
  if (write.isDelete) return undefined;
  try {
    return JSON.parse(base64ToUtf8(write.value));
  } catch {
    return undefined;
  }
}

/** The fields of a value by RFC 6901 pointer (two levels deep). */
export function fieldsOf(value: unknown): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fields.set('', value);
    return fields;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) {
      for (const [j, w] of Object.entries(v as Record<string, unknown>)) if (w !== undefined) fields.set(`/${escape(k)}/${escape(j)}`, w);
    } else {
      fields.set(`/${escape(k)}`, v);
    }
  }
  return fields;
}

const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** The salt of one field of one write: HMAC-SHA256 keyed by the transaction nonce. */
export function fieldSalt(nonce: Uint8Array, key: string, pointer: string): string {
  return hmacSha256Hex(nonce, `${key}\u0000${pointer}`);
}

/** A field's commitment. */
export function fieldCommitment(salt: string, value: unknown): string {
  return sha256Hex(`${salt}${canonicalJson(value)}`);
}

/** The field commitments of a write; a value that is not JSON is committed as its base64 text. */
export function commitWrite(write: Write, nonceBase64: string | null | undefined): WriteCommitments {
  return commitAndReadWrite(write, nonceBase64).commitments;
}

/**
 * {@link commitWrite}, and the write's fields as {@link fieldsOf} gives them (empty for a delete
 * or a value that is not JSON), from one decoding of the value.
 */
export function commitAndReadWrite(write: Write, nonceBase64: string | null | undefined): { readonly commitments: WriteCommitments; readonly fields: Map<string, unknown> } {
  if (write.isDelete) return { commitments: { fields: {}, isDelete: true, key: write.key }, fields: new Map() };
  const nonce = base64ToBytes(nonceBase64 ?? '');
  const parsed = writeValue(write);
  const fields = parsed === undefined ? new Map<string, unknown>() : fieldsOf(parsed);
  const commitments: Record<string, string> = {};
  for (const [pointer, value] of parsed === undefined ? new Map([['', write.value]]) : fields) {
    commitments[pointer] = fieldCommitment(fieldSalt(nonce, write.key, pointer), value);
  }
  return { commitments: { fields: commitments, isDelete: false, key: write.key }, fields };
}

/** A write's hash in a transaction digest: SHA-256 of its commitments' canonical JSON. */
export function commitmentsHash(c: WriteCommitments): string {
  return sha256Hex(canonicalJson({ fields: c.fields, isDelete: c.isDelete, key: c.key }));
}

/** Reveal the fields at `pointers` of a write (others stay commitments). */
export function discloseWrite(write: Write, nonceBase64: string, pointers: ReadonlySet<string>): WriteCommitments & { readonly disclosed: Readonly<Record<string, DisclosedField>> } {
  const commitments = commitWrite(write, nonceBase64);
  const nonce = base64ToBytes(nonceBase64);
  const disclosed: Record<string, DisclosedField> = {};
  const parsed = writeValue(write);
  if (parsed !== undefined) {
    for (const [pointer, value] of fieldsOf(parsed)) {
      if (pointers.has(pointer)) disclosed[pointer] = { salt: fieldSalt(nonce, write.key, pointer), value };
    }
  }
  return { ...commitments, disclosed };
}
