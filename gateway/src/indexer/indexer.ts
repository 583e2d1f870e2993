/**
 * The indexer: follows the ledger's chaincode events and keeps the query store up to date,
 * one database transaction per ledger transaction, checkpointed in that same transaction.
 */
import { EVENTS, type Anchor, type Job, type Lot, type LotEvent, type Machine, type MachineEvent, type Member, type Order, type Part, type PartEvent, type TwinSnapshot } from '@forgetrace/chaincode/api';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LedgerEvent, LedgerIdentity, LedgerPort } from '../ledger/port';
import { IndexError } from './errors';
import type { Checkpoint, IndexWriter, LedgerPosition, QueryStore } from './store';

/** Options of {@link Indexer}. */
export interface IndexerOptions {
  readonly ledger: LedgerPort;
  /** Identity used to read records (`evaluate`); any member identity can read them. */
  readonly identity: LedgerIdentity;
  readonly store: QueryStore;
  readonly logger?: Logger;
  /** When given, `forgetrace_index_lag_blocks` and `forgetrace_index_*_total` are registered here. */
  readonly metrics?: Registry;
  /** Only events of this chaincode are applied (others only advance the checkpoint). Default: all. */
  readonly chaincodeName?: string;
  /** Backoff between attempts at an event that failed (default 200 ms doubling to 10 s). */
  readonly retry?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number };
}

/** How far behind the ledger the index is. */
export interface IndexLag {
  /** Number of committed blocks (the genesis block included). */
  readonly ledgerHeight: number;
  /** Block of the last applied transaction, -1 for an empty index. */
  readonly indexedBlock: number;
  /** `ledgerHeight - 1 - indexedBlock`, at least 0 (blocks without chaincode events count as behind until a later event). */
  readonly lagBlocks: number;
}

/** What the indexer is doing. */
export interface IndexerStatus {
  readonly running: boolean;
  /** The event stream has nothing more to deliver right now: the index is caught up. */
  readonly idle: boolean;
  readonly checkpoint: Checkpoint | undefined;
  /** Ledger transactions applied since construction. */
  readonly applied: number;
  /** Failed attempts since construction (each is retried). */
  readonly failures: number;
  readonly lastError: { readonly message: string; readonly code?: string; readonly at: string; readonly position: LedgerPosition } | undefined;
}

/** One record read from the ledger, ready to write. */
type Write = (w: IndexWriter, at: LedgerPosition) => Promise<void>;

function compare(a: { blockNumber: number; transactionIndex: number }, b: { blockNumber: number; transactionIndex: number }): number {
  return a.blockNumber - b.blockNumber || a.transactionIndex - b.transactionIndex;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/**
 * Fills a {@link QueryStore} from `ledger.events()`.
 *
 * For each chaincode event it reads the records the event names (`GetPart` +
 * `GetPartHistory`, `GetMachine` + `GetMachineHistory`, …), then writes them, the event and
 * the new checkpoint in one store transaction. A failure leaves the store as it was and the
 * event is retried with backoff (never skipped: skipping would lose data).
 */
/** Events whose records are read ahead of the one being applied. */
const LOOKAHEAD = 32;

export class Indexer {
  private readonly ledger: LedgerPort;
  private readonly identity: LedgerIdentity;
  private readonly store: QueryStore;
  private readonly logger: Logger | undefined;
  private readonly chaincodeName: string | undefined;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private checkpoint: Checkpoint | undefined;
  /** True while the event stream has nothing to deliver (so the checkpoint's block is complete). */
  private idle = false;
  private applied = 0;
  private failures = 0;
  private lastError: IndexerStatus['lastError'];
  private readonly waiters = new Set<() => void>();
  private readonly appliedCounter: Counter | undefined;
  private readonly failureCounter: Counter | undefined;

  constructor(options: IndexerOptions) {
    this.ledger = options.ledger;
    this.identity = options.identity;
    this.store = options.store;
    this.logger = options.logger?.child({ component: 'indexer' });
    this.chaincodeName = options.chaincodeName;
    this.initialDelayMs = options.retry?.initialDelayMs ?? 200;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 10_000;
    if (options.metrics) {
      const lag = () => this.lag();
      new Gauge({
        name: 'forgetrace_index_lag_blocks', help: 'Blocks the query index is behind the ledger', registers: [options.metrics],
        async collect() {
          this.set((await lag()).lagBlocks);
        },
      });
      this.appliedCounter = new Counter({ name: 'forgetrace_index_transactions_total', help: 'Ledger transactions applied to the query index', registers: [options.metrics] });
      this.failureCounter = new Counter({ name: 'forgetrace_index_failures_total', help: 'Failed attempts to apply a ledger transaction (retried)', registers: [options.metrics] });
    }
  }

  /**
   * Read the checkpoint and start following the ledger from it in the background.
   * Resolves once the checkpoint is read; a second call while running does nothing.
   */
  async start(): Promise<void> {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    try {
      this.checkpoint = await this.store.getCheckpoint();
    } catch (e) {
      this.abort = undefined;
      throw e;
    }
    this.loop = this.run(abort.signal).catch((e: unknown) => {
      // Only the event iteration itself can end here (apply errors are retried).
      this.logger?.error({ err: e }, 'indexer stopped: the ledger event stream failed');
      this.recordError(e, this.checkpoint ?? { blockNumber: -1, transactionIndex: -1, transactionId: '' });
    }).finally(() => {
      if (this.abort === abort) this.abort = undefined;
      this.notify();
    });
    this.logger?.info({ checkpoint: this.checkpoint }, 'indexer started');
  }

  /** Stop after the event being applied (if any) is committed; the checkpoint stays consistent. */
  async stop(): Promise<void> {
    const abort = this.abort;
    const loop = this.loop;
    if (!abort) return;
    abort.abort();
    await loop;
    this.abort = undefined;
    this.loop = undefined;
    this.notify();
    this.logger?.info({ checkpoint: this.checkpoint }, 'indexer stopped');
  }

  /**
   * Drop all index data and re-read the ledger from block 0 (idempotency records are kept).
   * Resolves once the store is cleared and indexing restarted; use {@link waitFor} to wait for it to catch up.
   */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.store.clear();
    this.checkpoint = undefined;
    this.logger?.warn('index cleared; rebuilding from block 0');
    await this.start();
  }

  /** Ledger height against the last applied block. */
  async lag(): Promise<IndexLag> {
    const ledgerHeight = await this.ledger.height();
    const indexedBlock = this.checkpoint?.blockNumber ?? -1;
    return { ledgerHeight, indexedBlock, lagBlocks: Math.max(0, ledgerHeight - 1 - indexedBlock) };
  }

  /** A snapshot of the indexer's state. */
  status(): IndexerStatus {
    return { running: this.abort !== undefined, idle: this.idle, checkpoint: this.checkpoint, applied: this.applied, failures: this.failures, lastError: this.lastError };
  }

  /**
   * Resolve once the index has applied block `blockNumber` — for read-your-writes after a
   * submit. A block is complete when an event of a later block has been applied, or when the
   * last applied event is of that block and the event stream has nothing more to deliver
   * (the events of a block arrive together). With the submit's `transactionId` it resolves
   * as soon as that transaction is applied, without waiting for the rest of its block.
   * A block with no chaincode events after the last applied one is never "applied": wait
   * for a block that has one (e.g. your own transaction's).
   * @throws IndexError WAIT_TIMEOUT (default 10 s), INDEXER_STOPPED
   */
  async waitFor(blockNumber: number, options: { readonly transactionId?: string; readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const reached = async (): Promise<boolean> => {
      const cp = this.checkpoint;
      if (cp && cp.blockNumber > blockNumber) return true;
      if (cp && cp.blockNumber === blockNumber && this.idle) return true;
      if (options.transactionId && cp && cp.blockNumber >= blockNumber) {
        if (cp.transactionId === options.transactionId) return true;
        return (await this.store.getTransaction(options.transactionId)) !== undefined;
      }
      return false;
    };
    if (await reached()) return;
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.waiters.delete(check);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error); else resolve();
      };
      const check = (): void => {
        reached().then((ok) => {
          if (ok) finish();
          else if (!this.abort) finish(new IndexError('INDEXER_STOPPED', { blockNumber }));
        }, (e: unknown) => finish(e as Error));
      };
      const onAbort = (): void => finish(new IndexError('WAIT_TIMEOUT', { blockNumber, timeoutMs }));
      const timer = setTimeout(onAbort, timeoutMs);
      options.signal?.addEventListener('abort', onAbort);
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Follow the ledger. A producer reads events and starts reading the records each one
   * touched (up to {@link LOOKAHEAD} events ahead, so those reads overlap); the consumer
   * applies them strictly in ledger order, each with its checkpoint in one store transaction.
   * A failed event is retried in place (its records read again) and never skipped.
   */
  private async run(signal: AbortSignal): Promise<void> {
    const from = this.checkpoint;
    const iterator = this.ledger.events({ startBlock: from?.blockNumber ?? 0, signal })[Symbol.asyncIterator]();
    const queue: Array<{ readonly event: LedgerEvent; readonly reads: Promise<Write[]> }> = [];
    let producerDone = false;
    let streamQuiet = false;
    let consumerWaiting = false;
    let wakeConsumer: (() => void) | undefined;
    let wakeProducer: (() => void) | undefined;
    const wake = (which: 'consumer' | 'producer'): void => {
      const f = which === 'consumer' ? wakeConsumer : wakeProducer;
      if (which === 'consumer') wakeConsumer = undefined; else wakeProducer = undefined;
      f?.();
    };
    const markIdle = (): void => {
      if (streamQuiet && consumerWaiting && queue.length === 0 && !signal.aborted) {
        this.idle = true;
        this.notify();
      }
    };
    const producer = (async () => {
      try {
        for (;;) {
          while (queue.length >= LOOKAHEAD && !signal.aborted) await new Promise<void>((r) => (wakeProducer = r));
          if (signal.aborted) return;
          const pending = iterator.next();
          // A block's events come together (one block at a time, from memory or one gRPC message), so a
          // stream with nothing to deliver after a full macrotask turn has delivered all of the last block.
          let arrived = false;
          pending.then(() => { arrived = true; }, () => { arrived = true; });
          setImmediate(() => {
            if (!arrived) {
              streamQuiet = true;
              markIdle();
            }
          });
          const next = await pending;
          streamQuiet = false;
          if (next.done || signal.aborted) return;
          const event = next.value;
          if (from && compare(event, from) <= 0) continue;
          this.idle = false;
          const reads = this.readFor(event);
          reads.catch(() => undefined); // a failure is handled when the consumer reaches it
          queue.push({ event, reads });
          wake('consumer');
        }
      } finally {
        producerDone = true;
        wake('consumer');
      }
    })();
    try {
      for (;;) {
        while (queue.length === 0 && !producerDone && !signal.aborted) {
          consumerWaiting = true;
          markIdle();
          await new Promise<void>((r) => (wakeConsumer = r));
          consumerWaiting = false;
        }
        if (signal.aborted || queue.length === 0) break;
        const item = queue.shift()!;
        wake('producer');
        let reads = item.reads;
        let delay = this.initialDelayMs;
        for (;;) {
          try {
            await this.write(item.event, await reads);
            break;
          } catch (e) {
            this.failures += 1;
            this.failureCounter?.inc();
            this.recordError(e, item.event);
            this.logger?.error({ err: e, blockNumber: item.event.blockNumber, txIndex: item.event.transactionIndex, txId: item.event.transactionId, event: item.event.eventName },
              'applying a ledger transaction failed; will retry');
            await sleep(delay, signal);
            if (signal.aborted) return;
            delay = Math.min(delay * 2, this.maxDelayMs);
            reads = this.readFor(item.event);
          }
        }
        if (signal.aborted) return;
      }
    } finally {
      this.idle = false;
      wake('producer');
      await iterator.return?.();
      await producer.catch(() => undefined);
    }
  }

  private recordError(e: unknown, at: LedgerPosition): void {
    const err = e as { message?: string; code?: unknown };
    this.lastError = {
      message: String(err?.message ?? e),
      ...(typeof err?.code === 'string' ? { code: err.code } : {}),
      at: new Date().toISOString(),
      position: { blockNumber: at.blockNumber, transactionIndex: at.transactionIndex, transactionId: at.transactionId },
    };
  }

  /** Read the records an event touched (current state on the ledger). */
  private async readFor(event: LedgerEvent): Promise<Write[]> {
    const ours = this.chaincodeName === undefined || event.chaincodeName === this.chaincodeName;
    return ours ? this.read(event.eventName, JSON.parse(text(event.payload)) as Record<string, unknown>) : [];
  }

  /** Write what was read, with the checkpoint, in one store transaction. */
  private async write(event: LedgerEvent, writes: readonly Write[]): Promise<void> {
    const at: LedgerPosition = { blockNumber: event.blockNumber, transactionIndex: event.transactionIndex, transactionId: event.transactionId };
    const payloadText = text(event.payload);
    const ours = this.chaincodeName === undefined || event.chaincodeName === this.chaincodeName;
    await this.store.transaction(async (w) => {
      for (const write of writes) await write(w, at);
      if (ours) await w.recordTransaction(at, event.eventName, payloadText);
      await w.setCheckpoint(at);
    });
    this.checkpoint = at;
    this.applied += 1;
    this.appliedCounter?.inc();
    this.logger?.debug({ blockNumber: at.blockNumber, txIndex: at.transactionIndex, event: event.eventName }, 'applied');
    this.notify();
  }

  private async get<T>(transaction: string, id: string): Promise<{ record: T; text: string }> {
    const t = text(await this.ledger.evaluate(this.identity, transaction, [id]));
    return { record: JSON.parse(t) as T, text: t };
  }

  private async member(id: string): Promise<Write> {
    const { record, text: t } = await this.get<Member>('registry:GetMember', id);
    return (w, at) => w.upsertMember(record, t, at);
  }

  private async machine(id: string): Promise<Write> {
    const [m, h] = await Promise.all([this.get<Machine>('machines:GetMachine', id), this.get<MachineEvent[]>('machines:GetMachineHistory', id)]);
    return async (w, at) => {
      await w.upsertMachineEvents(h.record, at);
      await w.upsertMachine(m.record, m.text, at);
    };
  }

  private async lot(id: string): Promise<Write> {
    const [l, h] = await Promise.all([this.get<Lot>('orders:GetLot', id), this.get<LotEvent[]>('orders:GetLotHistory', id)]);
    return async (w, at) => {
      await w.upsertLotEvents(h.record, at);
      await w.upsertLot(l.record, l.text, at);
    };
  }

  private async order(id: string): Promise<Write> {
    const { record, text: t } = await this.get<Order>('orders:GetOrder', id);
    return (w, at) => w.upsertOrder(record, t, at);
  }

  private async part(id: string): Promise<Write> {
    const [p, h] = await Promise.all([this.get<Part>('orders:GetPart', id), this.get<PartEvent[]>('orders:GetPartHistory', id)]);
    return async (w, at) => {
      await w.upsertPartEvents(h.record, at);
      await w.upsertPart(p.record, p.text, at);
    };
  }

  /** Several parts, read a bounded number at a time (an order may create hundreds). */
  private async parts(partIds: readonly string[]): Promise<Write[]> {
    const writes: Write[] = [];
    for (let i = 0; i < partIds.length; i += 16) writes.push(...(await Promise.all(partIds.slice(i, i + 16).map((partId) => this.part(partId)))));
    return writes;
  }

  private async job(id: string): Promise<Write> {
    const { record, text: t } = await this.get<Job>('jobs:GetJob', id);
    return (w, at) => w.upsertJob(record, t, at);
  }

  private async twin(id: string): Promise<Write> {
    const { record, text: t } = await this.get<TwinSnapshot>('twins:GetTwinSnapshot', id);
    return (w, at) => w.upsertTwinSnapshot(record, t, at);
  }

  private async anchor(id: string): Promise<Write> {
    const { record, text: t } = await this.get<Anchor>('anchors:GetAnchor', id);
    return (w, at) => w.upsertAnchor(record, t, at);
  }

  /** The records an event touched, by the ids its payload carries (see chaincode/src/contracts). */
  private async read(name: string, p: Record<string, unknown>): Promise<Write[]> {
    const id = (field: string): string => {
      const value = p[field];
      if (typeof value !== 'string') throw new Error(`event ${name} has no string field ${field}`);
      return value;
    };
    const ids = (field: string): string[] => (Array.isArray(p[field]) ? (p[field] as unknown[]).filter((v): v is string => typeof v === 'string') : []);
    switch (name) {
      case EVENTS.ConsortiumInitialised:
        return [];
      case EVENTS.MemberRegistered:
      case EVENTS.MemberUpdated:
        return [await this.member(id('mspId'))];
      case EVENTS.MachineRegistered:
      case EVENTS.MachineEventRecorded:
        return [await this.machine(id('machineId'))];
      case EVENTS.LotRegistered:
        return [await this.lot(id('lotId'))];
      case EVENTS.OrderCreated:
        return [await this.order(id('orderId')), ...(await this.parts(ids('partIds')))];
      case EVENTS.OrderCancelled:
        return [await this.order(id('orderId')), ...(await this.parts(ids('cancelledParts')))];
      case EVENTS.CommercialTermsSet:
        return [await this.order(id('orderId'))];
      case EVENTS.ComponentConsumed: {
        const writes = [await this.part(id('partId'))];
        const component = p['component'] as { kind?: unknown; id?: unknown } | undefined;
        if (component && typeof component.id === 'string') {
          writes.push(component.kind === 'part' ? await this.part(component.id) : await this.lot(component.id));
        }
        return writes;
      }
      case EVENTS.PartShipped:
      case EVENTS.PartDelivered:
      case EVENTS.QcRecorded:
      case EVENTS.QcDisputed:
      case EVENTS.QcDisputeResolved:
        return [await this.part(id('partId'))];
      case EVENTS.JobAssigned:
      case EVENTS.JobAccepted:
      case EVENTS.JobDeclined:
      case EVENTS.OperationStarted:
      case EVENTS.OperationFinished:
        return Promise.all([this.job(id('jobId')), this.part(id('partId'))]);
      case EVENTS.TwinSnapshotRecorded:
        return [await this.twin(id('snapshotId'))];
      case EVENTS.AnchorCreated:
        return [await this.anchor(id('anchorId'))];
      default:
        this.logger?.warn({ event: name }, 'unknown chaincode event; recorded without records');
        return [];
    }
  }
}
