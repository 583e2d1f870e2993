import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { canonicalJson } from './canonical';

/** Roles carried in the `role` attribute of a member's certificate (issued by its Fabric CA). */
export const USER_ROLES = ['factory_operator', 'auditor', 'buyer', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Who is calling: taken from the transaction's creator certificate, never from arguments. */
export interface Caller {
  readonly mspId: string;
  /** The `role` attribute, or `undefined` when the certificate has none or an unknown one. */
  readonly role: UserRole | undefined;
  /** Fabric's unique id of the certificate (`x509::subject::issuer`). */
  readonly id: string;
}

/**
 * A thin wrapper around the transaction context: time, identity, JSON state access
 * and the transaction's single chaincode event. No clock, no randomness.
 */
export class Tx {
  private eventSet = false;
  private cachedAt: Date | undefined;
  private cachedIso: string | undefined;
  private cachedCaller: Caller | undefined;
  constructor(readonly ctx: Context) {}

  /** The transaction id. */
  get id(): string {
    return this.ctx.stub.getTxID();
  }

  private get date(): Date {
    this.cachedAt ??= this.ctx.stub.getDateTimestamp();
    return this.cachedAt;
  }

  /** The transaction timestamp (set by the client in the proposal) as ISO-8601. */
  get at(): string {
    this.cachedIso ??= this.date.toISOString();
    return this.cachedIso;
  }

  /** The transaction timestamp in milliseconds. */
  get atMs(): number {
    return this.date.getTime();
  }

  get caller(): Caller {
    if (!this.cachedCaller) {
      const identity = this.ctx.clientIdentity;
      const raw = identity.getAttributeValue('role');
      const role = (USER_ROLES as readonly string[]).includes(raw ?? '') ? (raw as UserRole) : undefined;
      this.cachedCaller = { mspId: identity.getMSPID(), role, id: identity.getID() };
    }
    return this.cachedCaller;
  }

  key(objectType: string, ...attributes: string[]): string {
    return this.ctx.stub.createCompositeKey(objectType, attributes);
  }

  async getJson<T>(key: string): Promise<T | undefined> {
    const bytes = await this.ctx.stub.getState(key);
    if (!bytes || bytes.length === 0) return undefined;
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  }

  /** Read a record or fail with NOT_FOUND naming its kind and id. */
  async mustGet<T>(key: string, kind: string, id: string): Promise<T> {
    const value = await this.getJson<T>(key);
    if (value === undefined) throw new ChaincodeError('NOT_FOUND', { kind, id });
    return value;
  }

  async exists(key: string): Promise<boolean> {
    const bytes = await this.ctx.stub.getState(key);
    return !!bytes && bytes.length > 0;
  }

  /** Write a record as canonical JSON; returns the text written. */
  async putJson(key: string, value: unknown): Promise<string> {
    const text = canonicalJson(value);
    await this.ctx.stub.putState(key, Buffer.from(text, 'utf8'));
    return text;
  }

  /** Index entries hold no value of their own; Fabric needs a non-empty one. */
  async putIndex(key: string): Promise<void> {
    await this.ctx.stub.putState(key, Buffer.from([0]));
  }

  async delete(key: string): Promise<void> {
    await this.ctx.stub.deleteState(key);
  }

  /** All records under a partial composite key, in key order. */
  async scan<T>(objectType: string, attributes: string[]): Promise<Array<{ key: string; attributes: string[]; value: T | undefined }>> {
    const out: Array<{ key: string; attributes: string[]; value: T | undefined }> = [];
    const iterator = await this.ctx.stub.getStateByPartialCompositeKey(objectType, attributes);
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        const { key, value } = r.value;
        const split = this.ctx.stub.splitCompositeKey(key);
        const text = Buffer.from(value).toString('utf8');
        out.push({ key, attributes: split.attributes, value: value.length > 1 || text.startsWith('{') ? (JSON.parse(text) as T) : undefined });
      }
    } finally {
      await iterator.close();
    }
    return out;
  }

  /** Emit the transaction's chaincode event (Fabric keeps one per transaction). */
  emit(name: string, payload: Record<string, unknown>): void {
    if (this.eventSet) throw new Error(`a transaction emits one event; ${name} came second`);
    this.eventSet = true;
    this.ctx.stub.setEvent(name, Buffer.from(canonicalJson({ ...payload, txId: this.id, at: this.at }), 'utf8'));
  }

  /** Transient value by name, or `undefined`. */
  transient(name: string): Buffer | undefined {
    const value = this.ctx.stub.getTransient().get(name);
    return value ? Buffer.from(value) : undefined;
  }
}

/** SHA-256 of a string or bytes, lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
