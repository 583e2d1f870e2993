/**
 * Proposals as the embedded ledger's client side makes them. A Fabric client signs the
 * protobuf bytes of its proposal; encoding and then decoding that protobuf for every
 * transaction was the largest cost of a simulated endorsement, so the embedded ledger's
 * client signs a digest of the same fields ({@link proposalDigest}) instead, and the
 * SignedProposal protobuf (as the chaincode sees it through `getSignedProposal()`) is built
 * only when chaincode asks for it. Its signature field then carries the digest signature.
 */
import { createHash, randomBytes } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';

interface TimestampMessage {
  setSeconds(value: number): void;
  setNanos(value: number): void;
}
// google-protobuf ships no types; fabric-protos builds on this very module.
const { Timestamp } = require('google-protobuf/google/protobuf/timestamp_pb') as { Timestamp: new () => TimestampMessage };

/** A signed proposal: the fields a peer reads, the client's signature, the protobuf on demand. */
export interface Proposal {
  readonly txId: string;
  readonly channelName: string;
  readonly chaincodeName: string;
  readonly nonce: Uint8Array;
  readonly creator: { readonly mspid: string; readonly idBytes: Uint8Array };
  /** Serialized identity bytes (msp.SerializedIdentity), as in the signature header. */
  readonly creatorBytes: Uint8Array;
  /** Function name followed by the arguments. */
  readonly args: readonly Buffer[];
  readonly transient: ReadonlyMap<string, Uint8Array>;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  /** What the client signed: {@link proposalDigest} of the fields above. */
  readonly signedBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** The same proposal as Fabric's SignedProposal protobuf (built once, on first call). */
  signedProposal(): peer.SignedProposal;
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
  readonly transactionId?: string | undefined;
  /** Fixed nonce (with a fixed transaction id for reproducible proposals). */
  readonly nonce?: Uint8Array | undefined;
  readonly sign: (bytes: Uint8Array) => Promise<Uint8Array>;
}

const serializedIdentities = new Map<string, Uint8Array>();

/** msp.SerializedIdentity bytes of a certificate (cached: the same few identities sign everything). */
function serializedIdentity(mspId: string, certificate: string): Uint8Array {
  const key = `${mspId}\n${certificate}`;
  let bytes = serializedIdentities.get(key);
  if (!bytes) {
    const identity = new msp.SerializedIdentity();
    identity.setMspid(mspId);
    identity.setIdBytes(Buffer.from(certificate));
    bytes = identity.serializeBinary();
    if (serializedIdentities.size >= 1024) serializedIdentities.delete(serializedIdentities.keys().next().value!);
    serializedIdentities.set(key, bytes);
  }
  return bytes;
}

/**
 * SHA-256 over every field of a proposal, each length-prefixed, transient entries in key
 * order: two proposals have the same digest only if a peer would read the same proposal.
 */
export function proposalDigest(p: Omit<Proposal, 'signedBytes' | 'signature' | 'signedProposal' | 'creator'>): Buffer {
  const hash = createHash('sha256');
  const field = (bytes: Uint8Array | string): void => {
    const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(b.length);
    hash.update(len).update(b);
  };
  field('forgetrace-embedded-proposal/1');
  field(p.channelName);
  field(p.chaincodeName);
  field(p.txId);
  field(p.nonce);
  field(p.creatorBytes);
  field(`${p.timestamp.seconds}.${p.timestamp.nanos}`);
  field(String(p.args.length));
  for (const a of p.args) field(a);
  const keys = [...p.transient.keys()].sort();
  field(String(keys.length));
  for (const k of keys) {
    field(k);
    field(p.transient.get(k)!);
  }
  return hash.digest();
}

/** Make and sign a proposal as a client does. */
export async function buildProposal(p: ProposalParams): Promise<Proposal> {
  const creatorBytes = serializedIdentity(p.mspId, p.certificate);
  const nonce = p.nonce ?? randomBytes(24);
  const txId = p.transactionId ?? createHash('sha256').update(nonce).update(creatorBytes).digest('hex');
  const ms = p.time.getTime();
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  const fields = {
    txId,
    channelName: p.channelName,
    chaincodeName: p.chaincodeName,
    nonce,
    creatorBytes,
    args: [p.fn, ...p.args].map((a) => Buffer.from(a)),
    transient: p.transient,
    timestamp: { seconds, nanos },
  };
  const signedBytes = proposalDigest(fields);
  const signature = await p.sign(signedBytes);
  let built: peer.SignedProposal | undefined;
  const proposal: Proposal = {
    ...fields,
    creator: { mspid: p.mspId, idBytes: Buffer.from(p.certificate) },
    signedBytes,
    signature,
    signedProposal() {
      built ??= encodeSignedProposal(proposal);
      return built;
    },
  };
  return proposal;
}

/** Fabric's SignedProposal for a proposal. */
function encodeSignedProposal(p: Proposal): peer.SignedProposal {
  const ts = new Timestamp();
  ts.setSeconds(p.timestamp.seconds);
  ts.setNanos(p.timestamp.nanos);

  const ccId = new peer.ChaincodeID();
  ccId.setName(p.chaincodeName);
  const ext = new peer.ChaincodeHeaderExtension();
  ext.setChaincodeId(ccId);

  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setVersion(0);
  channelHeader.setChannelId(p.channelName);
  channelHeader.setTxId(p.txId);
  channelHeader.setEpoch(0);
  channelHeader.setTimestamp(ts as never);
  channelHeader.setExtension$(ext.serializeBinary());

  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(p.creatorBytes);
  signatureHeader.setNonce(p.nonce);

  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const input = new peer.ChaincodeInput();
  input.setArgsList([...p.args]);
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

  const signedProposal = new peer.SignedProposal();
  signedProposal.setProposalBytes(proposal.serializeBinary());
  signedProposal.setSignature(p.signature);
  return signedProposal;
}
