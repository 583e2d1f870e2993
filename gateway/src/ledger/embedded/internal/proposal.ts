/**
 * Building signed proposals as a Fabric client does (protobuf, signed over the proposal
 * bytes), so fabric-shim's ChaincodeStub can decode them exactly as it does on a peer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';

interface TimestampMessage {
  setSeconds(value: number): void;
  setNanos(value: number): void;
}
// google-protobuf ships no types; fabric-protos builds on this very module.
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb') as { Timestamp: new () => TimestampMessage };

/** A proposal ready for a peer. */
export interface BuiltProposal {
  readonly txId: string;
  readonly signedProposal: peer.SignedProposal;
  readonly proposalBytes: Uint8Array;
  readonly input: peer.ChaincodeInput;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
}

export interface ProposalParams {
  readonly channelName: string;
  readonly chaincodeName: string;
  readonly mspId: string;
  readonly certificate: string;
  readonly fn: string;
  readonly args: readonly string[];
  readonly transient: ReadonlyMap<string, Uint8Array>;
  readonly time: Date;
  /** Fixed transaction id; default is Fabric's sha256(nonce ‖ creator). */
  readonly transactionId?: string;
  /** Fixed nonce (with a fixed transaction id for reproducible proposals). */
  readonly nonce?: Uint8Array;
  readonly sign: (bytes: Uint8Array) => Promise<Uint8Array>;
}

export async function buildProposal(p: ProposalParams): Promise<BuiltProposal> {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(p.mspId);
  identity.setIdBytes(Buffer.from(p.certificate));
  const creator = identity.serializeBinary();
  const nonce = p.nonce ?? randomBytes(24);
  const txId = p.transactionId ?? createHash('sha256').update(nonce).update(creator).digest('hex');

  const ms = p.time.getTime();
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  const ts = new Timestamp();
  ts.setSeconds(seconds);
  ts.setNanos(nanos);

  const ccId = new peer.ChaincodeID();
  ccId.setName(p.chaincodeName);
  const ext = new peer.ChaincodeHeaderExtension();
  ext.setChaincodeId(ccId);

  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setVersion(0);
  channelHeader.setChannelId(p.channelName);
  channelHeader.setTxId(txId);
  channelHeader.setEpoch(0);
  channelHeader.setTimestamp(ts as never);
  channelHeader.setExtension$(ext.serializeBinary());

  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator);
  signatureHeader.setNonce(nonce);

  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const input = new peer.ChaincodeInput();
  input.setArgsList([p.fn, ...p.args].map((a) => Buffer.from(a)));
  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.NODE);
  spec.setChaincodeId(ccId);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);

  const payload = new peer.ChaincodeProposalPayload();
  payload.setInput(invocation.serializeBinary());
  const transientMap = payload.getTransientmapMap();
  for (const [k, v] of p.transient) transientMap.set(k, v);

  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(payload.serializeBinary());
  const proposalBytes = proposal.serializeBinary();

  const signedProposal = new peer.SignedProposal();
  signedProposal.setProposalBytes(proposalBytes);
  signedProposal.setSignature(await p.sign(proposalBytes));
  return { txId, signedProposal, proposalBytes, input, timestamp: { seconds, nanos } };
}
