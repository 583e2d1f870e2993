/**
 * A TEST DOUBLE of @hyperledger/fabric-gateway's client API (Gateway → Network → Contract →
 * Proposal → Transaction → SubmittedTransaction, chaincode events, qscc GetChainInfo), backed
 * by an embedded ledger, so that FabricLedger's mapping and retry logic can be tested without
 * a Fabric network. It raises fabric-gateway's own error classes the way a peer's Gateway
 * service does: chaincode errors as EndorseError details `chaincode response 500, <message>`,
 * orderer failures as SubmitError, unknown commit status as CommitStatusError.
 *
 * It is not Fabric: endorsement, ordering and commit happen in one embedded `submit` during
 * `endorse()`, whose outcome `submit()`/`getStatus()` then report (faults injected on top).
 */
import * as grpc from '@grpc/grpc-js';
import { CommitStatusError, EndorseError, GatewayError, StatusCode, type ConnectOptions, type Gateway } from '@hyperledger/fabric-gateway';
import { SubmitError } from '@hyperledger/fabric-gateway/dist/submiterror';
import { common } from '@hyperledger/fabric-protos';
import { LedgerError, type LedgerIdentity, type LedgerPort } from '../../port';

/** Faults to inject, counted down as they fire. */
export interface GatewayFaults {
  /** The next N sends to the orderer fail with UNAVAILABLE (the transaction is not ordered). */
  submitUnavailable: number;
  /** The next N commit status requests fail with DEADLINE_EXCEEDED. */
  commitStatusUnknown: number;
  /** The next N endorsements fail with UNAVAILABLE (no peer reachable). */
  endorseUnavailable: number;
}

export interface GatewayDouble {
  readonly connect: (options: ConnectOptions) => Gateway;
  readonly faults: GatewayFaults;
  /** Sends to the orderer that reached it (what a duplicate check would see). */
  readonly ordered: string[];
}

function serviceError(code: grpc.status, message: string): grpc.ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
}

const PEER = (mspId: string) => ({ address: `peer0.${mspId.toLowerCase()}.test:7051`, mspId });

/**
 * A Gateway API double over `ledger`. `identities` are the identities the test will connect
 * with (the double needs their keys to sign on the embedded ledger; a real Gateway gets only
 * signatures).
 */
export function createGatewayDouble(ledger: LedgerPort, identities: readonly LedgerIdentity[]): GatewayDouble {
  const byCert = new Map(identities.map((i) => [i.certificate, i]));
  const faults: GatewayFaults = { submitUnavailable: 0, commitStatusUnknown: 0, endorseUnavailable: 0 };
  const ordered: string[] = [];
  let proposals = 0;

  const connect = (options: ConnectOptions): Gateway => {
    const cert = Buffer.from(options.identity.credentials).toString('utf8');
    const identity = byCert.get(cert);
    if (!identity) throw new Error('gateway double: connect with an identity the test did not declare');
    const contract = (channel: string, chaincode: string) => ({
      getChaincodeName: () => chaincode,
      getContractName: () => undefined,
      async evaluateTransaction(name: string, ...args: string[]): Promise<Uint8Array> {
        if (chaincode !== 'qscc' || name !== 'GetChainInfo' || args[0] !== channel) throw new Error(`gateway double: ${chaincode}:${name} is not simulated`);
        const info = new common.BlockchainInfo();
        info.setHeight(await ledger.height());
        return info.serializeBinary();
      },
      newProposal(name: string, p: { arguments?: (string | Uint8Array)[]; transientData?: Record<string, Uint8Array>; endorsingOrganizations?: string[] } = {}) {
        const proposalId = `double-proposal-${++proposals}`;
        const args = (p.arguments ?? []).map((a) => (typeof a === 'string' ? a : Buffer.from(a).toString('utf8')));
        const opts = { ...(p.transientData ? { transient: p.transientData } : {}), ...(p.endorsingOrganizations ? { endorsingOrganizations: p.endorsingOrganizations } : {}) };
        const asEndorseError = (e: unknown, txId: string): unknown => {
          if (!(e instanceof LedgerError)) return e;
          if (e.kind === 'unavailable') return new EndorseError({ code: grpc.status.UNAVAILABLE, details: [], cause: serviceError(grpc.status.UNAVAILABLE, e.message), transactionId: txId, message: e.message });
          if (e.code === 'INVALID_CREATOR') return new EndorseError({ code: grpc.status.PERMISSION_DENIED, details: [], cause: serviceError(grpc.status.PERMISSION_DENIED, e.message), transactionId: txId, message: `evaluate call to endorse: ${e.message}` });
          // What a peer reports for a chaincode error: status 500 and the chaincode's message.
          const message = `chaincode response 500, ${JSON.stringify({ code: e.code, message: e.message, details: e.details ?? {} })}`;
          return new EndorseError({ code: grpc.status.ABORTED, details: [{ ...PEER(identity.mspId), message }], cause: serviceError(grpc.status.ABORTED, 'failed to endorse transaction'), transactionId: txId, message: '10 ABORTED: failed to endorse transaction, see attached details for more info' });
        };
        return {
          getTransactionId: () => proposalId,
          async evaluate(): Promise<Uint8Array> {
            try {
              return await ledger.evaluate(identity, name, args, opts);
            } catch (e) {
              const mapped = asEndorseError(e, proposalId);
              if (mapped instanceof EndorseError) throw new GatewayError({ code: mapped.code, details: mapped.details, cause: mapped.cause, message: mapped.message });
              throw mapped;
            }
          },
          async endorse() {
            if (faults.endorseUnavailable > 0) {
              faults.endorseUnavailable--;
              throw new EndorseError({ code: grpc.status.UNAVAILABLE, details: [], cause: serviceError(grpc.status.UNAVAILABLE, 'connect ECONNREFUSED'), transactionId: proposalId, message: '14 UNAVAILABLE: connect ECONNREFUSED' });
            }
            let outcome: { txId: string; block: number; result: Uint8Array; code: number };
            try {
              const r = await ledger.submit(identity, name, args, opts);
              outcome = { txId: r.transactionId, block: r.blockNumber, result: r.result, code: StatusCode.VALID };
            } catch (e) {
              if (e instanceof LedgerError && e.kind === 'commit') {
                const code = (StatusCode as Record<string, number>)[e.code] ?? StatusCode.INVALID_OTHER_REASON;
                outcome = { txId: e.transactionId ?? proposalId, block: await ledger.height() - 1, result: new Uint8Array(), code };
              } else {
                throw asEndorseError(e, e instanceof LedgerError && e.transactionId ? e.transactionId : proposalId);
              }
            }
            const submitted = {
              getTransactionId: () => outcome.txId,
              getResult: () => outcome.result,
              async getStatus() {
                if (faults.commitStatusUnknown > 0) {
                  faults.commitStatusUnknown--;
                  throw new CommitStatusError({ code: grpc.status.DEADLINE_EXCEEDED, details: [], cause: serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'), transactionId: outcome.txId, message: '4 DEADLINE_EXCEEDED: Deadline exceeded' });
                }
                return { blockNumber: BigInt(outcome.block), code: outcome.code, successful: outcome.code === StatusCode.VALID, transactionId: outcome.txId };
              },
            };
            return {
              getTransactionId: () => outcome.txId,
              getResult: () => outcome.result,
              async submit() {
                if (faults.submitUnavailable > 0) {
                  faults.submitUnavailable--;
                  throw new SubmitError({ code: grpc.status.UNAVAILABLE, details: [], cause: serviceError(grpc.status.UNAVAILABLE, 'orderer unreachable'), transactionId: outcome.txId, message: '14 UNAVAILABLE: no orderer reachable' });
                }
                ordered.push(outcome.txId);
                return submitted;
              },
            };
          },
        };
      },
    });
    const network = (channel: string) => ({
      getName: () => channel,
      getContract: (chaincode: string) => contract(channel, chaincode),
      // The embedded ledger runs one chaincode, so every event is that chaincode's.
      async getChaincodeEvents(_chaincode: string, o: { startBlock?: bigint } = {}) {
        const abort = new AbortController();
        const source = ledger.events({ startBlock: Number(o.startBlock ?? 0n), signal: abort.signal });
        return {
          close: () => abort.abort(),
          async *[Symbol.asyncIterator]() {
            for await (const e of source) {
              yield { blockNumber: BigInt(e.blockNumber), transactionId: e.transactionId, chaincodeName: e.chaincodeName, eventName: e.eventName, payload: e.payload };
            }
          },
        };
      },
    });
    return { getIdentity: () => options.identity, getNetwork: network, close: () => undefined } as unknown as Gateway;
  };
  return { connect, faults, ordered };
}
