/**
 * Durable webhook subscriptions to the ledger's chaincode events. Each subscription follows
 * the ledger from its own cursor (block, transaction index), filters, and POSTs each matching
 * event to the partner's URL, signed with HMAC-SHA256 over the body. Delivery is at least once:
 * the cursor advances (durably, in SQLite) only after a 2xx answer; failures and timeouts are
 * retried with exponential backoff; after `maxAttempts` failures in a row the subscription is
 * disabled (and can be resumed). A subscription can be paused and resumed alone, and replayed
 * from any block.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { LedgerEvent, LedgerPort } from '../ledger/port';

/** Which events a subscription wants; every given field must match. */
export interface EventFilter {
  /** Chaincode event names (e.g. `OperationFinished`); empty or absent: all. */
  readonly eventTypes?: readonly string[];
  readonly partId?: string;
  readonly machineId?: string;
  /** An organisation named by the event (factory, owner, buyer or submitter). */
  readonly mspId?: string;
}

export type SubscriptionStatus = 'active' | 'paused' | 'disabled';

export interface Subscription {
  readonly id: string;
  readonly owner: string;
  readonly url: string;
  readonly filter: EventFilter;
  readonly status: SubscriptionStatus;
  /** Next event to deliver is after this position (block −1: from the start). */
  readonly cursor: { readonly blockNumber: number; readonly transactionIndex: number; readonly eventName: string };
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly delivered: number;
  readonly created: string;
}

/** The JSON body a receiver gets. */
export interface DeliveredEvent {
  /** Stable across retries: `<block>.<txIndex>.<eventName>`; receivers deduplicate by it. */
  readonly id: string;
  readonly type: string;
  readonly blockNumber: number;
  readonly transactionIndex: number;
  readonly transactionId: string;
  readonly payload: unknown;
  readonly subscriptionId: string;
}

export interface SubscriptionServiceOptions {
  readonly ledger: LedgerPort;
  /** SQLite file for subscriptions and cursors (':memory:' in tests). */
  readonly filename: string;
  readonly logger?: Logger;
  readonly metrics?: Registry;
  /** Failed attempts in a row before a subscription is disabled (default 8). */
  readonly maxAttempts?: number;
  /** First retry delay in ms, doubled per failure up to `maxBackoffMs` (defaults 500 and 60,000). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Per-delivery timeout in ms (default 5,000). */
  readonly timeoutMs?: number;
}

interface Row {
  id: string; owner: string; url: string; secret: string; filter: string; status: SubscriptionStatus;
  cursor_block: number; cursor_tx: number; cursor_event: string; failures: number; last_error: string | null; delivered: number; created: string;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS subscriptions (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, secret TEXT NOT NULL, filter TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'disabled')),
  cursor_block INTEGER NOT NULL, cursor_tx INTEGER NOT NULL, cursor_event TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL)`;

/** Signature header value for `body` under `secret`: `sha256=<hex>`. Receivers recompute it. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Whether `event` passes `filter`. */
export function matches(filter: EventFilter, eventName: string, payload: Record<string, unknown>): boolean {
  if (filter.eventTypes && filter.eventTypes.length > 0 && !filter.eventTypes.includes(eventName)) return false;
  if (filter.partId && payload.partId !== filter.partId && payload.id !== filter.partId) return false;
  if (filter.machineId && payload.machineId !== filter.machineId) return false;
  if (filter.mspId && ![payload.factoryMsp, payload.ownerMsp, payload.buyerMsp, payload.mspId, payload.toMsp].includes(filter.mspId)) return false;
  return true;
}

/** Whether `e` comes after the position `c` in ledger order (block, transaction index, event name). */
export const isAfter = (e: LedgerEvent, c: Subscription['cursor']): boolean =>
  e.blockNumber > c.blockNumber || (e.blockNumber === c.blockNumber && (e.transactionIndex > c.transactionIndex || (e.transactionIndex === c.transactionIndex && e.eventName > c.eventName)));

/** Webhook subscriptions of one gateway. */
export class SubscriptionService {
  private readonly db: DatabaseSync;
  private readonly runners = new Map<string, AbortController>();
  private readonly deliveries?: Counter;
  private closed = false;

  constructor(private readonly options: SubscriptionServiceOptions) {
    this.db = new DatabaseSync(options.filename);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    this.db.exec(SCHEMA);
    if (options.metrics) {
      this.deliveries = new Counter({ name: 'forgetrace_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [options.metrics] });
    }
  }

  /** Start delivering for every active subscription. */
  start(): void {
    for (const s of this.list()) if (s.status === 'active') this.run(s.id);
  }

  /**
   * Create a subscription; it starts at `fromBlock` (default: the ledger's current height, i.e.
   * only new events). The secret is generated when not given and returned only here.
   */
  async create(input: { owner: string; url: string; filter?: EventFilter; fromBlock?: number; secret?: string }): Promise<{ subscription: Subscription; secret: string }> {
    const id = `sub-${randomBytes(8).toString('hex')}`;
    const secret = input.secret ?? randomBytes(32).toString('base64url');
    const from = input.fromBlock ?? (await this.options.ledger.height());
    this.db.prepare('INSERT INTO subscriptions (id, owner, url, secret, filter, status, cursor_block, cursor_tx, cursor_event, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, input.owner, input.url, secret, JSON.stringify(input.filter ?? {}), 'active', from - 1, Number.MAX_SAFE_INTEGER, '', new Date().toISOString());
    this.run(id);
    return { subscription: this.get(id)!, secret };
  }

  get(id: string): Subscription | undefined {
    const row = this.db.prepare('SELECT * FROM subscriptions WHERE id = ?').get(id) as Row | undefined;
    return row ? toSubscription(row) : undefined;
  }

  list(owner?: string): Subscription[] {
    const rows = (owner ? this.db.prepare('SELECT * FROM subscriptions WHERE owner = ? ORDER BY created, id').all(owner) : this.db.prepare('SELECT * FROM subscriptions ORDER BY created, id').all()) as unknown as Row[];
    return rows.map(toSubscription);
  }

  /** Stop delivering to this subscription only; its cursor stays. */
  pause(id: string): Subscription | undefined {
    this.setStatus(id, 'paused');
    this.runners.get(id)?.abort();
    return this.get(id);
  }

  /** Deliver again from the cursor (also re-enables a disabled subscription); optionally replay from a block. */
  resume(id: string, fromBlock?: number): Subscription | undefined {
    if (!this.get(id)) return undefined;
    this.runners.get(id)?.abort();
    if (fromBlock !== undefined) this.db.prepare('UPDATE subscriptions SET cursor_block = ?, cursor_tx = ?, cursor_event = ? WHERE id = ?').run(fromBlock - 1, Number.MAX_SAFE_INTEGER, '', id);
    this.db.prepare("UPDATE subscriptions SET status = 'active', failures = 0 WHERE id = ?").run(id);
    this.run(id);
    return this.get(id);
  }

  delete(id: string): boolean {
    this.runners.get(id)?.abort();
    return Number(this.db.prepare('DELETE FROM subscriptions WHERE id = ?').run(id).changes) > 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.runners.values()) c.abort();
    // Let runners notice the abort before the database goes away.
    await new Promise((r) => setTimeout(r, 20));
    this.db.close();
  }

  private setStatus(id: string, status: SubscriptionStatus, error?: string): void {
    this.db.prepare('UPDATE subscriptions SET status = ?, last_error = COALESCE(?, last_error) WHERE id = ?').run(status, error ?? null, id);
  }

  private run(id: string): void {
    if (this.closed) return;
    const controller = new AbortController();
    this.runners.set(id, controller);
    void this.deliverLoop(id, controller.signal).catch((e: unknown) => {
      if (!controller.signal.aborted) this.options.logger?.error({ err: e, subscription: id }, 'webhook delivery loop failed');
    }).finally(() => {
      if (this.runners.get(id) === controller) this.runners.delete(id);
    });
  }

  private async deliverLoop(id: string, signal: AbortSignal): Promise<void> {
    const start = this.get(id);
    if (!start || start.status !== 'active') return;
    const secret = (this.db.prepare('SELECT secret FROM subscriptions WHERE id = ?').get(id) as { secret: string }).secret;
    for await (const event of this.options.ledger.events({ startBlock: Math.max(0, start.cursor.blockNumber), signal })) {
      if (signal.aborted) return;
      const sub = this.get(id);
      if (!sub || sub.status !== 'active') return;
      if (!isAfter(event, sub.cursor)) continue;
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(Buffer.from(event.payload).toString('utf8')) as Record<string, unknown>;
      } catch {
        payload = {};
      }
      if (matches(sub.filter, event.eventName, payload)) {
        const delivered = await this.deliver(sub, secret, event, payload, signal);
        if (!delivered) return;
      }
      this.db.prepare('UPDATE subscriptions SET cursor_block = ?, cursor_tx = ?, cursor_event = ? WHERE id = ?').run(event.blockNumber, event.transactionIndex, event.eventName, id);
    }
  }

  /** POST one event until a 2xx, with backoff; false when aborted or the subscription got disabled. */
  private async deliver(sub: Subscription, secret: string, event: LedgerEvent, payload: unknown, signal: AbortSignal): Promise<boolean> {
    const body: DeliveredEvent = {
      id: `${event.blockNumber}.${event.transactionIndex}.${event.eventName}`, type: event.eventName, blockNumber: event.blockNumber,
      transactionIndex: event.transactionIndex, transactionId: event.transactionId, payload, subscriptionId: sub.id,
    };
    const text = JSON.stringify(body);
    const max = this.options.maxAttempts ?? 8;
    let delay = this.options.backoffMs ?? 500;
    for (let failures = sub.consecutiveFailures; ; ) {
      if (signal.aborted) return false;
      const timestamp = String(Math.floor(Date.now() / 1000));
      let problem: string;
      try {
        const r = await fetch(sub.url, {
          method: 'POST', body: text, redirect: 'manual',
          headers: { 'Content-Type': 'application/json', 'X-ForgeTrace-Event-Id': body.id, 'X-ForgeTrace-Timestamp': timestamp, 'X-ForgeTrace-Signature': signBody(secret, timestamp, text) },
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs ?? 5000)]),
        });
        await r.arrayBuffer().catch(() => undefined);
        if (r.status >= 200 && r.status < 300) {
          this.deliveries?.inc({ outcome: 'ok' });
          this.db.prepare('UPDATE subscriptions SET failures = 0, delivered = delivered + 1 WHERE id = ?').run(sub.id);
          return true;
        }
        problem = `HTTP ${r.status}`;
      } catch (e) {
        if (signal.aborted) return false;
        problem = (e as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs ?? 5000} ms` : (e as Error).message;
      }
      failures++;
      this.deliveries?.inc({ outcome: 'failed' });
      this.db.prepare('UPDATE subscriptions SET failures = ?, last_error = ? WHERE id = ?').run(failures, `event ${body.id}: ${problem}`, sub.id);
      if (failures >= max) {
        this.setStatus(sub.id, 'disabled', `disabled after ${failures} failed deliveries in a row; last: event ${body.id}: ${problem}`);
        this.options.logger?.warn({ subscription: sub.id, url: sub.url, problem }, 'webhook subscription disabled');
        return false;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
      });
      delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 60_000);
    }
  }
}

function toSubscription(r: Row): Subscription {
  return {
    id: r.id, owner: r.owner, url: r.url, filter: JSON.parse(r.filter) as EventFilter, status: r.status,
    cursor: { blockNumber: Number(r.cursor_block), transactionIndex: Number(r.cursor_tx), eventName: r.cursor_event },
    consecutiveFailures: Number(r.failures), lastError: r.last_error, delivered: Number(r.delivered), created: r.created,
  };
}
