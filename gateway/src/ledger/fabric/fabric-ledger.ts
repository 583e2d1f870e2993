/**
 * The Fabric adapter of the ledger port: a Fabric peer's Gateway service through
 * @hyperledger/fabric-gateway. One gRPC connection to the peer, one fabric-gateway `Gateway`
 * per signing identity; failures are mapped by stage (STYLE: retries by kind):
 * - endorsement: the chaincode's catalogue code from the peers' messages → LedgerError `endorsement`
 *   (never retried);
 * - submit to the orderer failed (SubmitError): the same signed transaction is sent again, a
 *   bounded number of times (a duplicate would be invalidated as DUPLICATE_TXID, never applied twice);
 * - commit status unknown (CommitStatusError): asked again for the same transaction id;
 * - invalidated at commit: LedgerError `commit` with Fabric's validation code name
 *   (MVCC_READ_CONFLICT → LedgerClient resubmits as a new transaction).
 */
import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  connect as fabricConnect, CommitStatusError, EndorseError, GatewayError, hash, signers, StatusCode,
  type ConnectOptions, type Gateway, type Network,
} from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { parseChaincodeError } from '@forgetrace/chaincode/api';
import { LedgerError, type EventReadOptions, type LedgerEvent, type LedgerIdentity, type LedgerPort, type ProposalOptions, type SubmitResult } from '../port';

/** How to reach the peer and what to call. */
export interface FabricLedgerOptions {
  /** Peer Gateway endpoint, `host:port`. */
  readonly peerEndpoint: string;
  /** PEM of the peer's TLS CA; without it the connection is plaintext (a test network only). */
  readonly tlsRootCertificate?: string;
  /** TLS server name when it differs from the endpoint's host (`grpc.ssl_target_name_override`). */
  readonly hostAlias?: string;
  readonly channel: string;
  readonly chaincode: string;
  /** Identity used to read events and the chain height (a member of this organisation). */
  readonly readIdentity: LedgerIdentity;
  /** Sends of one signed transaction to the orderer when the send fails (default 3). */
  readonly submitAttempts?: number;
  /** Commit status requests for one transaction when the answer is unknown (default 5). */
  readonly commitStatusAttempts?: number;
  /** Pause between retries in ms, doubled each time (default 100). */
  readonly retryBackoffMs?: number;
  /** Deadlines in ms (defaults: evaluate 5 s, endorse 15 s, submit 5 s, commit status 60 s). */
  readonly deadlines?: { readonly evaluateMs?: number; readonly endorseMs?: number; readonly submitMs?: number; readonly commitStatusMs?: number };
  /** fabric-gateway's `connect`; replaced only by tests (with a test double of the Gateway API). */
  readonly connect?: (options: ConnectOptions) => Gateway;
}

/** Fabric's transaction validation code names by number (MVCC_READ_CONFLICT, …). */
const STATUS_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code as number, name]));

const UNAVAILABLE_GRPC = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED, grpc.status.RESOURCE_EXHAUSTED]);

/** The ledger port over a Fabric peer's Gateway service. */
export class FabricLedger implements LedgerPort {
  private readonly client: grpc.Client | undefined;
  private readonly gateways = new Map<string, Gateway>();
  private closed = false;

  constructor(private readonly options: FabricLedgerOptions) {
    // Tests that replace `connect` need no channel; fabric-gateway itself only uses the client passed in.
    if (!options.connect) {
      const credentials = options.tlsRootCertificate ? grpc.credentials.createSsl(Buffer.from(options.tlsRootCertificate)) : grpc.credentials.createInsecure();
      this.client = new grpc.Client(options.peerEndpoint, credentials, options.hostAlias ? { 'grpc.ssl_target_name_override': options.hostAlias } : {});
    }
  }

  async submit(identity: LedgerIdentity, transaction: string, args: readonly string[], options: ProposalOptions = {}): Promise<SubmitResult> {
    const proposal = this.contract(identity).newProposal(transaction, proposalOptions(args, options));
    let endorsed;
    try {
      endorsed = await proposal.endorse();
    } catch (e) {
      throw mapGatewayError(e, proposal.getTransactionId(), 'endorse');
    }
    const txId = endorsed.getTransactionId();
    const backoff = this.options.retryBackoffMs ?? 100;
    let submitted;
    for (let attempt = 1; ; attempt++) {
      try {
        submitted = await endorsed.submit();
        break;
      } catch (e) {
        if (attempt >= (this.options.submitAttempts ?? 3) || !(e instanceof GatewayError) || !UNAVAILABLE_GRPC.has(e.code)) throw mapGatewayError(e, txId, 'submit');
        await sleep(backoff * 2 ** (attempt - 1));
      }
    }
    let status;
    for (let attempt = 1; ; attempt++) {
      try {
        status = await submitted.getStatus();
        break;
      } catch (e) {
        if (!(e instanceof CommitStatusError) || attempt >= (this.options.commitStatusAttempts ?? 5)) {
          const err = mapGatewayError(e, txId, 'commit status');
          throw new LedgerError('unavailable', 'COMMIT_STATUS_UNKNOWN', `transaction ${txId} was sent to the orderer but its commit status is unknown after ${attempt} requests: ${err.message}`, txId);
        }
        await sleep(backoff * 2 ** (attempt - 1));
      }
    }
    if (!status.successful) {
      const name = STATUS_NAMES.get(status.code) ?? `VALIDATION_CODE_${status.code}`;
      throw new LedgerError('commit', name, `transaction ${txId} was invalidated at commit in block ${status.blockNumber}: ${name}`, txId);
    }
    return { transactionId: txId, blockNumber: Number(status.blockNumber), result: submitted.getResult() };
  }

  async evaluate(identity: LedgerIdentity, transaction: string, args: readonly string[], options: ProposalOptions = {}): Promise<Uint8Array> {
    const proposal = this.contract(identity).newProposal(transaction, proposalOptions(args, options));
    try {
      return await proposal.evaluate();
    } catch (e) {
      throw mapGatewayError(e, proposal.getTransactionId(), 'evaluate');
    }
  }

  /**
   * Chaincode events from `startBlock`, then live ones. Fabric's chaincode event carries no
   * transaction index: `transactionIndex` here is the ordinal of the event's transaction among
   * the event-bearing transactions of its block (stable across replays, since a replay always
   * starts at a block boundary), which is what the index's checkpoint needs.
   */
  async *events(options: EventReadOptions = {}): AsyncIterable<LedgerEvent> {
    const signal = options.signal;
    if (signal?.aborted) return;
    const network = this.network(this.options.readIdentity);
    let iterable;
    try {
      iterable = await network.getChaincodeEvents(this.options.chaincode, { startBlock: BigInt(options.startBlock ?? 0) });
    } catch (e) {
      throw mapGatewayError(e, undefined, 'chaincode events');
    }
    const stop = (): void => iterable.close();
    signal?.addEventListener('abort', stop, { once: true });
    let block = -1;
    let ordinal = -1;
    let lastTx = '';
    try {
      for await (const ev of iterable) {
        const b = Number(ev.blockNumber);
        if (b !== block) {
          block = b;
          ordinal = -1;
          lastTx = '';
        }
        if (ev.transactionId !== lastTx) {
          ordinal++;
          lastTx = ev.transactionId;
        }
        yield { blockNumber: b, transactionIndex: ordinal, transactionId: ev.transactionId, chaincodeName: ev.chaincodeName, eventName: ev.eventName, payload: ev.payload };
        if (signal?.aborted) return;
      }
    } catch (e) {
      if (signal?.aborted) return;
      throw mapGatewayError(e, undefined, 'chaincode events');
    } finally {
      signal?.removeEventListener('abort', stop);
      iterable.close();
    }
  }

  /** Chain height from the peer's query system chaincode (`qscc GetChainInfo`). */
  async height(): Promise<number> {
    try {
      const bytes = await this.network(this.options.readIdentity).getContract('qscc').evaluateTransaction('GetChainInfo', this.options.channel);
      return common.BlockchainInfo.deserializeBinary(bytes).getHeight();
    } catch (e) {
      throw mapGatewayError(e, undefined, 'GetChainInfo');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const g of this.gateways.values()) g.close();
    this.gateways.clear();
    this.client?.close();
  }

  private network(identity: LedgerIdentity): Network {
    if (this.closed) throw new LedgerError('unavailable', 'LEDGER_CLOSED', 'the Fabric connection is closed');
    let gateway = this.gateways.get(identity.certificate);
    if (!gateway) {
      const d = this.options.deadlines ?? {};
      const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });
      const connectOptions: ConnectOptions = {
        client: this.client as grpc.Client,
        identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificate) },
        signer: signers.newPrivateKeySigner(createPrivateKey(identity.privateKey)),
        hash: hash.sha256,
        evaluateOptions: deadline(d.evaluateMs ?? 5_000),
        endorseOptions: deadline(d.endorseMs ?? 15_000),
        submitOptions: deadline(d.submitMs ?? 5_000),
        commitStatusOptions: deadline(d.commitStatusMs ?? 60_000),
      };
      gateway = (this.options.connect ?? fabricConnect)(connectOptions);
      this.gateways.set(identity.certificate, gateway);
    }
    return gateway.getNetwork(this.options.channel);
  }

  private contract(identity: LedgerIdentity) {
    return this.network(identity).getContract(this.options.chaincode);
  }
}

function proposalOptions(args: readonly string[], options: ProposalOptions) {
  const transientData: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(options.transient ?? {})) transientData[k] = typeof v === 'string' ? Buffer.from(v) : v;
  return {
    arguments: [...args],
    ...(options.transient ? { transientData } : {}),
    ...(options.endorsingOrganizations?.length ? { endorsingOrganizations: [...options.endorsingOrganizations] } : {}),
  };
}

/**
 * Map a fabric-gateway failure to a LedgerError: the chaincode's catalogue error when a peer's
 * message carries one; otherwise by gRPC status.
 */
export function mapGatewayError(e: unknown, transactionId: string | undefined, stage: string): LedgerError {
  if (e instanceof LedgerError) return e;
  if (!(e instanceof GatewayError)) return new LedgerError('unavailable', 'LEDGER_FAILED', `${stage} failed: ${(e as Error)?.message ?? String(e)}`, transactionId);
  const txId = e instanceof EndorseError || e instanceof CommitStatusError ? e.transactionId : ((e as { transactionId?: string }).transactionId ?? transactionId);
  for (const text of [...e.details.map((d) => d.message), e.message]) {
    const parsed = parseChaincodeError(text);
    if (parsed) return new LedgerError('endorsement', parsed.code, parsed.message, txId, parsed.details);
  }
  const where = e.details.length > 0 ? ` (${e.details.map((d) => `${d.mspId} ${d.address}: ${d.message}`).join('; ')})` : '';
  if (UNAVAILABLE_GRPC.has(e.code)) return new LedgerError('unavailable', 'LEDGER_UNAVAILABLE', `${stage}: the peer or orderer is unreachable: ${e.message}${where}`, txId);
  if (e.code === grpc.status.PERMISSION_DENIED) return new LedgerError('endorsement', 'INVALID_CREATOR', `${stage}: access denied: ${e.message}${where}`, txId);
  if (e.code === grpc.status.NOT_FOUND) return new LedgerError('endorsement', 'NOT_FOUND_ON_PEER', `${stage}: ${e.message}${where}`, txId);
  return new LedgerError('endorsement', 'CHAINCODE_ERROR', `${stage}: ${e.message}${where}`, txId);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
