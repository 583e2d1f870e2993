/**
 * The gateway's payments agent: follows the escrow's events and, for each pending milestone that
 * this member's ledger shows as reached, attests it with the evidence someone already published, or
 * (reporter mode, with an anchoring outbox) records and anchors the milestone record and publishes
 * the first attestation. Every attestation is checked against this member's own ledger first: the
 * Fabric transaction, the anchor's Merkle root and the inclusion proof of the milestone record.
 */
import type { Anchor, Order, PartEvent } from '@forgetrace/chaincode/api';
import type { AnchorOutbox } from '../anchoring/anchor-outbox';
import { verifyRecordProof, type RecordProof } from '../anchoring/record-proof';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError, type LedgerIdentity } from '../ledger/port';
import { evidenceFromProof, ledgerTxIdBytes, outboxAnchorId, type Evidence } from './attestation';
import type { EscrowClient, EscrowMilestone, EscrowOrder } from './escrow-client';
import { PaymentsError } from './errors';
import { milestoneFact, milestoneRecord, type MilestoneFact, type MilestoneRecord } from './milestones';

/** Options of {@link PaymentsAgent}. */
export interface PaymentsAgentOptions {
  /** The escrow, with this member's attestor key. */
  readonly escrow: EscrowClient;
  readonly ledger: LedgerClient;
  /** Ledger identity the agent reads orders, part histories and anchors with. */
  readonly identity: LedgerIdentity;
  /** Reporter mode: reached milestones are recorded in this outbox (kind `other`) and anchored. */
  readonly outbox?: AnchorOutbox;
  /** First escrow block to read (default 0, the whole chain). */
  readonly fromBlock?: number;
  /** Errors of timer-driven syncs (default: ignored; the next tick retries). */
  readonly onError?: (error: unknown) => void;
}

/** What one {@link PaymentsAgent.sync} did for one milestone. */
export interface AgentAction {
  readonly orderId: string;
  readonly milestone: number;
  /**
   * `reported`: recorded, anchored and first attested by this gateway; `attested`: co-attested evidence
   * someone published; `released`: this attestation reached the threshold; `already-attested`: nothing to
   * do; `rejected-evidence`: published evidence failed the checks (see `detail`); `waiting`: reached on
   * the ledger, but no evidence is published yet and this gateway is not a reporter; `lost-race`: the
   * milestone left `pending` meanwhile.
   */
  readonly action: 'reported' | 'attested' | 'released' | 'already-attested' | 'rejected-evidence' | 'waiting' | 'lost-race';
  readonly detail?: string;
  readonly transactionHash?: string;
}

/** Follows one escrow for one member gateway. Call {@link sync} (tests) or {@link start} (service). */
export class PaymentsAgent {
  private nextBlock: number;
  private readonly orders = new Map<string, string>();
  private readonly published = new Map<string, string[]>();
  private readonly recorded = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PaymentsAgentOptions) {
    this.nextBlock = options.fromBlock ?? 0;
    if (!options.escrow.attestorAddress) throw new PaymentsError('NO_ATTESTOR_KEY');
  }

  /** Escrowed orders seen so far: escrow id → ledger order id. */
  get watched(): ReadonlyMap<string, string> {
    return this.orders;
  }

  /**
   * Read new escrow events, then settle every pending milestone the ledger shows as reached.
   * Calls are serialised. @throws PaymentsError CHAIN_UNAVAILABLE, LedgerError
   */
  sync(): Promise<AgentAction[]> {
    const next = this.running.then(() => this.syncNow());
    this.running = next.catch(() => undefined);
    return next;
  }

  /** Sync every `intervalMs` until {@link stop}. */
  start(intervalMs = 2000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sync().catch((e: unknown) => this.options.onError?.(e));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stop the timer and wait for a running sync. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async syncNow(): Promise<AgentAction[]> {
    const { escrow } = this.options;
    const latest = await escrow.blockNumber();
    for (const event of await escrow.events(this.nextBlock, latest)) {
      if (event.name === 'OrderFunded') this.orders.set(event.escrowOrderId, event.ledgerOrderId);
      if (event.name === 'MilestoneAttested') {
        const key = `${event.escrowOrderId}:${event.milestone}`;
        const list = this.published.get(key) ?? [];
        if (!list.includes(event.transactionHash)) list.push(event.transactionHash);
        this.published.set(key, list);
      }
    }
    this.nextBlock = latest + 1;
    const now = await escrow.now();
    const actions: AgentAction[] = [];
    for (const ledgerOrderId of this.orders.values()) {
      const order = await escrow.order(ledgerOrderId);
      const pending = order?.milestones.filter((m) => m.status === 'pending' && m.deadline >= now) ?? [];
      if (!order || pending.length === 0) continue;
      const facts = await this.ledgerFacts(ledgerOrderId);
      if (!facts) continue;
      for (const m of pending) {
        const fact = milestoneFact(m.kind, facts.order, facts.histories);
        if (fact) actions.push(await this.settle(order, m, fact));
      }
    }
    return actions;
  }

  private async ledgerFacts(orderId: string): Promise<{ order: Order; histories: Map<string, PartEvent[]> } | undefined> {
    const { ledger, identity } = this.options;
    let order: Order;
    try {
      order = await ledger.evaluate<Order>(identity, 'orders:GetOrder', [orderId]);
    } catch (e) {
      if (e instanceof LedgerError && e.code === 'NOT_FOUND') return undefined; // escrow for an order this ledger does not know
      throw e;
    }
    const histories = new Map<string, PartEvent[]>();
    for (const partId of order.partIds) histories.set(partId, await ledger.evaluate<PartEvent[]>(identity, 'orders:GetPartHistory', [partId]));
    return { order, histories };
  }

  private async settle(order: EscrowOrder, m: EscrowMilestone, fact: MilestoneFact): Promise<AgentAction> {
    const { escrow, outbox } = this.options;
    const key = `${order.escrowOrderId}:${m.index}`;
    const base = { orderId: order.ledgerOrderId, milestone: m.index };
    const record = milestoneRecord({ chainId: escrow.chainId, address: escrow.address }, order, m.index, fact);
    const rejected: string[] = [];
    for (const hash of this.published.get(key) ?? []) {
      const published = await escrow.publishedEvidence(hash);
      if (!published || published.escrowOrderId !== order.escrowOrderId || published.milestone !== m.index) continue;
      const problem = await this.checkEvidence(published.evidence, record, fact);
      if (problem) {
        rejected.push(`${hash}: ${problem}`);
        continue;
      }
      return this.attestOnce(order, m, published.evidence, 'attested');
    }
    if (outbox) {
      let recordId = this.recorded.get(key);
      if (!recordId) {
        recordId = outbox.add({ kind: 'other', payload: record });
        this.recorded.set(key, recordId);
      }
      if (outbox.get(recordId)?.state !== 'anchored') await outbox.flush({ force: true });
      const evidence = evidenceFromProof(outbox.proof(recordId), fact.transactionId);
      const problem = await this.checkEvidence(evidence, record, fact);
      if (problem) throw new PaymentsError('EVIDENCE_MISMATCH', { orderId: order.ledgerOrderId, milestone: m.index, reason: problem });
      return this.attestOnce(order, m, evidence, 'reported');
    }
    if (rejected.length > 0) return { ...base, action: 'rejected-evidence', detail: rejected.join('; ') };
    return { ...base, action: 'waiting', detail: 'reached on the ledger; no evidence published yet' };
  }

  private async attestOnce(order: EscrowOrder, m: EscrowMilestone, evidence: Evidence, action: 'reported' | 'attested'): Promise<AgentAction> {
    const { escrow } = this.options;
    const base = { orderId: order.ledgerOrderId, milestone: m.index };
    const digest = escrow.digest(order.escrowOrderId, order.nonce, m.index, evidence);
    if (await escrow.hasAttested(digest, escrow.attestorAddress!)) return { ...base, action: 'already-attested' };
    try {
      const submitted = await escrow.attest(order.escrowOrderId, order.nonce, m.index, evidence);
      return { ...base, action: submitted.released ? 'released' : action, transactionHash: submitted.transactionHash };
    } catch (e) {
      if (e instanceof PaymentsError && e.code === 'CHAIN_REJECTED' && (e.details.revert === 'MilestoneNotPending' || e.details.revert === 'MilestoneDeadlinePassed')) {
        return { ...base, action: 'lost-race', detail: e.message };
      }
      throw e;
    }
  }

  /** Why `evidence` does not prove `record` on this member's ledger, or undefined when it does. */
  private async checkEvidence(evidence: Evidence, record: MilestoneRecord, fact: MilestoneFact): Promise<string | undefined> {
    const { ledger, identity } = this.options;
    const expectedTx = ledgerTxIdBytes(fact.transactionId);
    if (evidence.ledgerTxId.toLowerCase() !== expectedTx) return `it names ledger transaction ${evidence.ledgerTxId}, the ledger shows ${expectedTx}`;
    const anchorId = outboxAnchorId(evidence.anchorRoot);
    let anchor: Anchor;
    try {
      anchor = await ledger.evaluate<Anchor>(identity, 'anchors:GetAnchor', [anchorId]);
    } catch (e) {
      if (e instanceof LedgerError && e.code === 'NOT_FOUND') return `no anchor ${anchorId} (root ${evidence.anchorRoot}) on the ledger`;
      throw e;
    }
    const proof: RecordProof = { recordId: evidence.recordId, leaf: [evidence.recordId, evidence.payloadHash], root: evidence.anchorRoot, proof: evidence.proof, anchorId, transactionId: anchor.recorded.txId, blockNumber: null };
    if (!verifyRecordProof(record, proof, anchor)) return `record ${evidence.recordId} is not the milestone record this ledger implies, or is not in anchor ${anchorId}`;
    return undefined;
  }
}
