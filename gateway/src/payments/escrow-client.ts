/**
 * An ethers v6 client of one OrderEscrow deployment: reads escrow state, builds or sends funding
 * transactions, signs and submits attestations, and reads the escrow's events.
 */
import { Contract, JsonRpcProvider, Network, Wallet, isError, type Log, type TransactionRequest, type TypedDataDomain } from 'ethers';
import { ATTESTATION_TYPES, attestationDigest, attestationOf, escrowDomain, escrowOrderId, type Evidence } from './attestation';
import { ERC20_ABI, contractArtifact } from './escrow-artifacts';
import { PaymentsError } from './errors';
import { MILESTONE_KINDS, milestoneKindOf, type MilestoneKind } from './milestones';

/** Milestone statuses, in the order of the contract's `MilestoneStatus` enum. */
export const MILESTONE_STATUSES = ['none', 'pending', 'disputed', 'released', 'refunded', 'resolved'] as const;
/** A milestone status. */
export type MilestoneStatus = (typeof MILESTONE_STATUSES)[number];

/** Options of {@link EscrowClient.connect}. */
export interface EscrowClientOptions {
  /** JSON-RPC URL of the chain, e.g. `http://127.0.0.1:8545`. */
  readonly rpcUrl: string;
  /** Address of the OrderEscrow contract. */
  readonly escrowAddress: string;
  /** This member gateway's attestor private key (0x + 64 hex); needed to attest. */
  readonly attestorKey?: string;
  /** A buyer key the gateway may fund orders with (optional; without it, funding returns transactions to sign). */
  readonly funderKey?: string;
  /** Chain id; read from the node when omitted. */
  readonly chainId?: bigint;
}

/** A milestone of an escrowed order. */
export interface EscrowMilestone {
  readonly index: number;
  readonly kind: MilestoneKind;
  readonly status: MilestoneStatus;
  readonly amount: bigint;
  /** Unix time in seconds. */
  readonly deadline: number;
  readonly shares: readonly number[];
}

/** An escrowed order as the contract holds it. */
export interface EscrowOrder {
  readonly ledgerOrderId: string;
  readonly escrowOrderId: string;
  readonly buyer: string;
  readonly token: string;
  readonly nonce: bigint;
  readonly total: bigint;
  readonly payees: readonly string[];
  readonly milestones: readonly EscrowMilestone[];
}

/** What a buyer asks the escrow to hold for an order. */
export interface FundingPlan {
  readonly ledgerOrderId: string;
  readonly token: string;
  /** Main factory first, then its subcontractors. */
  readonly payees: readonly string[];
  readonly milestones: readonly { readonly kind: MilestoneKind; readonly amount: bigint; readonly deadline: number; readonly shares: readonly number[] }[];
}

/** An unsigned transaction for a wallet to sign. */
export interface UnsignedTransaction {
  readonly purpose: 'approve' | 'fund';
  readonly chainId: string;
  readonly from: string;
  readonly to: string;
  readonly data: string;
  readonly value: '0';
}

/** A parsed escrow event. */
export type EscrowEvent =
  | { readonly name: 'OrderFunded'; readonly blockNumber: number; readonly transactionHash: string; readonly escrowOrderId: string; readonly ledgerOrderId: string; readonly nonce: bigint }
  | { readonly name: 'MilestoneAttested'; readonly blockNumber: number; readonly transactionHash: string; readonly escrowOrderId: string; readonly milestone: number; readonly attestor: string; readonly digest: string; readonly approvals: number }
  | { readonly name: 'MilestoneReleased' | 'MilestoneRefunded' | 'DisputeOpened' | 'DisputeResolved'; readonly blockNumber: number; readonly transactionHash: string; readonly escrowOrderId: string; readonly milestone: number };

/** An attestation submitted by {@link EscrowClient.attest}. */
export interface SubmittedAttestation {
  readonly transactionHash: string;
  readonly digest: string;
  /** Whether this attestation reached the threshold and released the milestone. */
  readonly released: boolean;
}

const MAX_PAYEES = 8;
const MAX_MILESTONES = 16;

/** Client of one OrderEscrow deployment. Create with {@link EscrowClient.connect}; `close()` when done. */
export class EscrowClient {
  private readonly escrow: Contract;
  private readonly attestor: Wallet | undefined;
  private readonly funder: Wallet | undefined;

  private constructor(
    readonly provider: JsonRpcProvider,
    readonly chainId: bigint,
    readonly address: string,
    options: EscrowClientOptions,
  ) {
    this.escrow = new Contract(address, contractArtifact('OrderEscrow').abi, provider);
    this.attestor = options.attestorKey ? new Wallet(options.attestorKey, provider) : undefined;
    this.funder = options.funderKey ? new Wallet(options.funderKey, provider) : undefined;
  }

  /**
   * Connect to the chain and check that the escrow contract is deployed there.
   * @throws PaymentsError CHAIN_UNAVAILABLE when the node does not answer, NOT_AN_ESCROW when there is no code at the address.
   */
  static async connect(options: EscrowClientOptions): Promise<EscrowClient> {
    const chainId = options.chainId ?? (await readChainId(options.rpcUrl));
    const provider = new JsonRpcProvider(options.rpcUrl, Network.from(chainId), { staticNetwork: true, pollingInterval: 250, cacheTimeout: -1 });
    try {
      const code = await chain('connect', () => provider.getCode(options.escrowAddress));
      if (code === '0x') throw new PaymentsError('NOT_AN_ESCROW', { escrow: options.escrowAddress, chainId: chainId.toString() });
    } catch (e) {
      provider.destroy();
      throw e;
    }
    return new EscrowClient(provider, chainId, options.escrowAddress, options);
  }

  /** The attestor's address, if this gateway has an attestor key. */
  get attestorAddress(): string | undefined {
    return this.attestor?.address;
  }

  /** The funder's address, if this gateway has a funding key. */
  get funderAddress(): string | undefined {
    return this.funder?.address;
  }

  /** The escrow's EIP-712 domain. */
  get domain(): TypedDataDomain {
    return escrowDomain(this.chainId, this.address);
  }

  /**
   * The escrowed order for a ledger order id, or undefined when it was never funded.
   * @throws PaymentsError CHAIN_UNAVAILABLE
   */
  async order(ledgerOrderId: string): Promise<EscrowOrder | undefined> {
    const id = escrowOrderId(ledgerOrderId);
    const order = await chain('getOrder', async () => {
      try {
        return (await this.escrow.getFunction('getOrder')(id)) as { buyer: string; token: string; nonce: bigint; total: bigint; payees: string[]; milestoneCount: bigint };
      } catch (e) {
        if (isError(e, 'CALL_EXCEPTION') && e.revert?.name === 'UnknownOrder') return undefined;
        throw e;
      }
    });
    if (!order) return undefined;
    const milestones: EscrowMilestone[] = [];
    for (let i = 0; i < Number(order.milestoneCount); ++i) {
      const m = (await chain('getMilestone', () => this.escrow.getFunction('getMilestone')(id, i))) as { kind: bigint; status: bigint; amount: bigint; deadline: bigint; shares: bigint[] };
      milestones.push({ index: i, kind: milestoneKindOf(Number(m.kind))!, status: MILESTONE_STATUSES[Number(m.status)]!, amount: m.amount, deadline: Number(m.deadline), shares: m.shares.map(Number) });
    }
    return { ledgerOrderId, escrowOrderId: id, buyer: order.buyer, token: order.token, nonce: order.nonce, total: order.total, payees: [...order.payees], milestones };
  }

  /** Amount of `token` that `account` can withdraw. */
  async owed(token: string, account: string): Promise<bigint> {
    return (await chain('owed', () => this.escrow.getFunction('owed')(token, account))) as bigint;
  }

  /** Timestamp of the latest block (seconds). */
  async now(): Promise<number> {
    const block = await chain('getBlock', () => this.provider.getBlock('latest'));
    return block!.timestamp;
  }

  /**
   * The transactions `from` must sign to fund the order: an ERC-20 approval (omitted when the allowance
   * already covers the total) and the `fund` call.
   * @throws PaymentsError INVALID_FUNDING, CHAIN_UNAVAILABLE
   */
  async fundingTransactions(from: string, plan: FundingPlan): Promise<UnsignedTransaction[]> {
    const total = await this.checkPlan(plan);
    const token = new Contract(plan.token, ERC20_ABI, this.provider);
    const allowance = (await chain('allowance', () => token.getFunction('allowance')(from, this.address))) as bigint;
    const base = { chainId: this.chainId.toString(), from, value: '0' as const };
    const out: UnsignedTransaction[] = [];
    if (allowance < total) out.push({ ...base, purpose: 'approve', to: plan.token, data: token.interface.encodeFunctionData('approve', [this.address, total]) });
    out.push({ ...base, purpose: 'fund', to: this.address, data: this.escrow.interface.encodeFunctionData('fund', fundArgs(plan)) });
    return out;
  }

  /**
   * Fund the order with the gateway's funding key (approve if needed, then fund); resolves once mined.
   * @throws PaymentsError NO_FUNDER_KEY, INVALID_FUNDING, CHAIN_REJECTED, CHAIN_UNAVAILABLE
   */
  async fund(plan: FundingPlan): Promise<{ readonly escrowOrderId: string; readonly nonce: bigint; readonly transactionHashes: readonly string[] }> {
    const funder = this.funder;
    if (!funder) throw new PaymentsError('NO_FUNDER_KEY');
    const hashes: string[] = [];
    for (const tx of await this.fundingTransactions(funder.address, plan)) {
      const request: TransactionRequest = { to: tx.to, data: tx.data, chainId: this.chainId };
      const receipt = await chain(tx.purpose, async () => (await funder.sendTransaction(request)).wait(), this.escrow);
      hashes.push(receipt!.hash);
    }
    const order = await this.order(plan.ledgerOrderId);
    return { escrowOrderId: escrowOrderId(plan.ledgerOrderId), nonce: order!.nonce, transactionHashes: hashes };
  }

  /** This gateway's EIP-712 signature of an attestation. @throws PaymentsError NO_ATTESTOR_KEY */
  async signAttestation(escrowOrder: string, nonce: bigint, milestone: number, evidence: Evidence): Promise<string> {
    if (!this.attestor) throw new PaymentsError('NO_ATTESTOR_KEY');
    return this.attestor.signTypedData(this.domain, ATTESTATION_TYPES, { ...attestationOf(escrowOrder, nonce, milestone, evidence) });
  }

  /** The digest of an attestation (as the contract computes it). */
  digest(escrowOrder: string, nonce: bigint, milestone: number, evidence: Evidence): string {
    return attestationDigest(this.domain, attestationOf(escrowOrder, nonce, milestone, evidence));
  }

  /** Whether `attestor` has attested `digest` through `attest`. */
  async hasAttested(digest: string, attestor: string): Promise<boolean> {
    return (await chain('hasAttested', () => this.escrow.getFunction('hasAttested')(digest, attestor))) as boolean;
  }

  /**
   * Sign and submit this gateway's attestation (`attest`; the contract aggregates and releases at the threshold).
   * @throws PaymentsError NO_ATTESTOR_KEY, CHAIN_REJECTED, CHAIN_UNAVAILABLE
   */
  async attest(escrowOrder: string, nonce: bigint, milestone: number, evidence: Evidence): Promise<SubmittedAttestation> {
    const attestor = this.attestor;
    if (!attestor) throw new PaymentsError('NO_ATTESTOR_KEY');
    const signature = await this.signAttestation(escrowOrder, nonce, milestone, evidence);
    const data = this.escrow.interface.encodeFunctionData('attest', [escrowOrder, milestone, evidenceTuple(evidence), signature]);
    const receipt = await chain('attest', async () => (await attestor.sendTransaction({ to: this.address, data, chainId: this.chainId })).wait(), this.escrow);
    const released = receipt!.logs.some((l) => this.escrow.interface.parseLog(l)?.name === 'MilestoneReleased');
    return { transactionHash: receipt!.hash, digest: this.digest(escrowOrder, nonce, milestone, evidence), released };
  }

  /** Latest block number. */
  async blockNumber(): Promise<number> {
    return chain('blockNumber', () => this.provider.getBlockNumber());
  }

  /** Escrow events in blocks `fromBlock..toBlock` (inclusive), in chain order. */
  async events(fromBlock: number, toBlock: number): Promise<EscrowEvent[]> {
    if (toBlock < fromBlock) return [];
    const logs = await chain('getLogs', () => this.provider.getLogs({ address: this.address, fromBlock, toBlock }));
    return logs.flatMap((log) => this.parseEvent(log));
  }

  /**
   * The evidence published by an `attest` or `release` transaction (its calldata), or undefined when the
   * transaction is not a direct call of either.
   */
  async publishedEvidence(transactionHash: string): Promise<{ readonly escrowOrderId: string; readonly milestone: number; readonly evidence: Evidence } | undefined> {
    const tx = await chain('getTransaction', () => this.provider.getTransaction(transactionHash));
    if (!tx || tx.to?.toLowerCase() !== this.address.toLowerCase()) return undefined;
    const parsed = this.escrow.interface.parseTransaction({ data: tx.data });
    if (!parsed || (parsed.name !== 'attest' && parsed.name !== 'release')) return undefined;
    const [orderId, milestone, ev] = parsed.args as unknown as [string, bigint, [string, string, string, string, string[]]];
    return { escrowOrderId: orderId, milestone: Number(milestone), evidence: { ledgerTxId: ev[0], anchorRoot: ev[1], recordId: ev[2], payloadHash: ev[3], proof: [...ev[4]] } };
  }

  /** Stop the provider. */
  close(): void {
    this.provider.destroy();
  }

  private parseEvent(log: Log): EscrowEvent[] {
    const parsed = this.escrow.interface.parseLog(log);
    if (!parsed) return [];
    const base = { blockNumber: log.blockNumber, transactionHash: log.transactionHash };
    const a = parsed.args;
    switch (parsed.name) {
      case 'OrderFunded':
        return [{ ...base, name: 'OrderFunded', escrowOrderId: a.orderId as string, ledgerOrderId: a.ledgerOrderId as string, nonce: a.nonce as bigint }];
      case 'MilestoneAttested':
        return [{ ...base, name: 'MilestoneAttested', escrowOrderId: a.orderId as string, milestone: Number(a.milestone), attestor: a.attestor as string, digest: a.digest as string, approvals: Number(a.approvals) }];
      case 'MilestoneReleased':
      case 'MilestoneRefunded':
      case 'DisputeOpened':
      case 'DisputeResolved':
        return [{ ...base, name: parsed.name, escrowOrderId: a.orderId as string, milestone: Number(a.milestone) }];
      default:
        return [];
    }
  }

  private async checkPlan(plan: FundingPlan): Promise<bigint> {
    const bad = (reason: string): never => {
      throw new PaymentsError('INVALID_FUNDING', { reason });
    };
    const existing = await this.order(plan.ledgerOrderId);
    if (existing) throw new PaymentsError('ALREADY_FUNDED', { orderId: plan.ledgerOrderId, escrow: this.address, nonce: existing.nonce.toString() });
    if (plan.payees.length < 1 || plan.payees.length > MAX_PAYEES) bad(`payees: 1 to ${MAX_PAYEES} addresses, got ${plan.payees.length}`);
    const seen = new Set<string>();
    for (const p of plan.payees) {
      if (/^0x0{40}$/i.test(p) || seen.has(p.toLowerCase())) bad(`payees: ${p} is the zero address or listed twice`);
      seen.add(p.toLowerCase());
    }
    if (plan.milestones.length < 1 || plan.milestones.length > MAX_MILESTONES) bad(`milestones: 1 to ${MAX_MILESTONES}, got ${plan.milestones.length}`);
    const now = await this.now();
    let total = 0n;
    plan.milestones.forEach((m, i) => {
      if (m.amount <= 0n || m.amount >= 2n ** 128n) bad(`milestones.${i}.amount must be between 1 and 2^128 - 1`);
      if (m.deadline <= now) bad(`milestones.${i}.deadline must be after the chain's time ${new Date(now * 1000).toISOString()}`);
      if (m.shares.length !== plan.payees.length) bad(`milestones.${i}.shares must have one entry per payee (${plan.payees.length})`);
      if (m.shares.reduce((x, y) => x + y, 0) !== 10_000) bad(`milestones.${i}.shares must add up to 10000 basis points`);
      total += m.amount;
    });
    return total;
  }
}

function fundArgs(plan: FundingPlan): unknown[] {
  return [plan.ledgerOrderId, plan.token, [...plan.payees], plan.milestones.map((m) => [MILESTONE_KINDS.indexOf(m.kind), m.amount, m.deadline, [...m.shares]])];
}

function evidenceTuple(e: Evidence): unknown[] {
  return [e.ledgerTxId, e.anchorRoot, e.recordId, e.payloadHash, [...e.proof]];
}

async function readChainId(rpcUrl: string): Promise<bigint> {
  const body = await chain('eth_chainId', async () => {
    const res = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }), signal: AbortSignal.timeout(5000) });
    return (await res.json()) as { result?: string };
  });
  if (typeof body.result !== 'string') throw new PaymentsError('CHAIN_UNAVAILABLE', { action: 'eth_chainId', reason: `unexpected answer ${JSON.stringify(body)}` });
  return BigInt(body.result);
}

/** Run a chain call, mapping contract reverts to CHAIN_REJECTED and transport failures to CHAIN_UNAVAILABLE. */
async function chain<T>(action: string, call: () => Promise<T>, contract?: Contract): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof PaymentsError) throw e;
    if (isError(e, 'CALL_EXCEPTION')) {
      const decoded = e.revert ?? (e.data && contract ? contract.interface.parseError(e.data) : null);
      const name = decoded?.name ?? e.shortMessage;
      const args = decoded ? `(${[...decoded.args].map(String).join(', ')})` : '';
      throw new PaymentsError('CHAIN_REJECTED', { action, error: name, args, revert: name });
    }
    throw new PaymentsError('CHAIN_UNAVAILABLE', { action, reason: (e as Error).message });
  }
}
