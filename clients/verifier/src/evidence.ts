/**
 * What the embedded ledger signs and hashes, defined once: the ledger builds its evidence with
 * these functions and the verifier recomputes them. Pure and synchronous; browser-safe.
 *
 * - A transaction's **digest form** ({@link transactionDigest}) replaces its arguments, response,
 *   event, certificates, each write and the rest of the read-write set by their SHA-256.
 * - Its **endorsed payload** (what each endorsing peer signs) is the canonical JSON of the digest
 *   without endorsements, client signature and validation code, plus the channel.
 * - Its **envelope** (what the client signs before ordering) is the endorsed payload plus the
 *   endorsements.
 * - Its **hash** is SHA-256 of the digest form's canonical JSON (signatures and the validation
 *   code the committer assigned included).
 * - A format-2 block's `dataHash` is SHA-256 over the concatenated 32-byte transaction hashes, so
 *   one transaction can be shown to be in a block with the list of hashes instead of the block.
 * - A block's `hash` is SHA-256 of its header's canonical JSON; the orderer signs those 32 bytes.
 */
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { base64ToBytes, sha256Hex } from './bytes';
import { canonicalJson } from './canonical';
import { commitmentsHash, commitWrite } from './disclosure';

/** A signature with the signer's certificate (PEM) and MSP. `signature` is base64 DER ECDSA. */
export interface SignatureEvidence {
  readonly certificate: string;
  readonly mspId: string;
  readonly signature: string;
}

/** A transaction as a format-2 block of the embedded ledger holds it. */
export interface EvidenceTransaction {
  readonly args: readonly string[];
  readonly chaincode: string;
  readonly creator: { readonly certificate?: string; readonly certificateHash: string; readonly mspId: string };
  readonly endorsements?: readonly SignatureEvidence[];
  readonly endorsers: readonly string[];
  readonly event: { readonly name: string; readonly payload: string } | null;
  readonly function: string;
  readonly nonce?: string;
  readonly response: { readonly payload: string; readonly status: number };
  readonly rwset: {
    readonly writes: ReadonlyArray<{ readonly key: string; readonly isDelete: boolean; readonly value: string }>;
  };
  readonly signature?: string;
  readonly timestamp: { readonly nanos: number; readonly seconds: number };
  readonly txId: string;
  readonly validationCode: string;
}

/** A block header; `format: 2` marks blocks whose data hash is over transaction hashes. */
export interface BlockHeader {
  readonly dataHash: string;
  readonly format?: 2;
  readonly number: number;
  readonly previousHash: string;
}

/**
 * A transaction's digest form: the transaction with its bulky or private parts replaced by their
 * SHA-256 (arguments, response, event, the non-write parts of the read-write set, each write,
 * certificates). Signatures and block hashes are over this form, so a bundle can carry a
 * transaction's digest with only the writes it needs and a shared table of certificates.
 */
export interface TransactionDigest {
  readonly argsHash: string;
  readonly chaincode: string;
  readonly creator: { readonly certificateHash: string; readonly mspId: string };
  readonly endorsements: ReadonlyArray<{ readonly certificateHash: string; readonly mspId: string; readonly signature: string }>;
  readonly endorsers: readonly string[];
  readonly eventHash: string | null;
  readonly function: string;
  /** SHA-256 of the nonce: the nonce itself keys the field salts of the writes, so it is not in the digest. */
  readonly nonceHash: string | null;
  readonly responseHash: string;
  /** `writes[i]` = hash of the i-th write's field commitments (`commitWrite`, `commitmentsHash`); `otherHash` covers reads, range queries, metadata writes and private-data hashes. */
  readonly rwset: { readonly otherHash: string; readonly writes: readonly string[] };
  readonly signature: string | null;
  readonly timestamp: { readonly nanos: number; readonly seconds: number };
  readonly txId: string;
  readonly validationCode: string;
}

/** The digest form of a transaction as its block holds it. */
export function transactionDigest(tx: EvidenceTransaction): TransactionDigest {
  const { writes, ...other } = tx.rwset as EvidenceTransaction['rwset'] & Record<string, unknown>;
  return {
    argsHash: sha256Hex(canonicalJson(tx.args)),
    chaincode: tx.chaincode,
    creator: { certificateHash: tx.creator.certificateHash, mspId: tx.creator.mspId },
    endorsements: digestEndorsements(tx.endorsements ?? []),
    endorsers: tx.endorsers,
    eventHash: tx.event === null ? null : sha256Hex(canonicalJson(tx.event)),
    function: tx.function,
    nonceHash: tx.nonce === undefined ? null : sha256Hex(base64ToBytes(tx.nonce)),
    responseHash: sha256Hex(canonicalJson(tx.response)),
    rwset: { otherHash: sha256Hex(canonicalJson(other)), writes: writes.map((w) => commitmentsHash(commitWrite(w, tx.nonce))) },
    signature: tx.signature ?? null,
    timestamp: tx.timestamp,
    txId: tx.txId,
    validationCode: tx.validationCode,
  };
}

/** Endorsements as a digest holds them: certificates by fingerprint. */
export function digestEndorsements(endorsements: readonly SignatureEvidence[]): TransactionDigest['endorsements'] {
  return endorsements.map((e) => ({ certificateHash: certificateHash(e.certificate), mspId: e.mspId, signature: e.signature }));
}

/** What each endorsing peer signs, as text: the digest without endorsements, signature and validation code, with the channel. */
export function endorsedPayload(d: TransactionDigest, channel: string): string {
  return canonicalJson({
    argsHash: d.argsHash,
    chaincode: d.chaincode,
    channel,
    creator: d.creator,
    eventHash: d.eventHash,
    function: d.function,
    nonceHash: d.nonceHash,
    responseHash: d.responseHash,
    rwset: d.rwset,
    timestamp: d.timestamp,
    txId: d.txId,
  });
}

/** What the client signs before sending the transaction to ordering, as text: the endorsed payload and the endorsements. */
export function envelopePayload(d: TransactionDigest, channel: string): string {
  return `{"endorsed":${endorsedPayload(d, channel)},"endorsements":${canonicalJson(d.endorsements)}}`;
}

/** A transaction's hash in its block: SHA-256 of its digest form's canonical JSON. */
export function transactionHash(d: TransactionDigest): string {
  return sha256Hex(canonicalJson(d));
}

/** SHA-256 (hex) of a PEM certificate's DER bytes: its fingerprint. */
export function certificateHash(pem: string): string {
  let hash = fingerprints.get(pem);
  if (hash) return hash;
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (!body) throw new TypeError('not a PEM certificate');
  hash = sha256Hex(base64ToBytes(body.replace(/\s+/g, '')));
  if (fingerprints.size >= 1024) fingerprints.clear();
  fingerprints.set(pem, hash);
  return hash;
}
const fingerprints = new Map<string, string>();

/** A format-2 block's data hash: SHA-256 over the concatenated 32-byte transaction hashes. */
export function blockDataHash(transactionHashes: readonly string[]): string {
  const all = new Uint8Array(transactionHashes.length * 32);
  transactionHashes.forEach((h, i) => all.set(hexToBytes(h), i * 32));
  return sha256Hex(all);
}

/** A block's hash: SHA-256 of its header's canonical JSON. */
export function blockHeaderHash(header: BlockHeader): string {
  return sha256Hex(canonicalJson(header));
}

/** Fabric's transaction id: SHA-256 of the nonce followed by the serialized creator identity. */
export function transactionIdFor(nonceBase64: string, mspId: string, certificatePem: string): string {
  const nonce = base64ToBytes(nonceBase64);
  const creator = serializedIdentity(mspId, certificatePem);
  const joined = new Uint8Array(nonce.length + creator.length);
  joined.set(nonce);
  joined.set(creator, nonce.length);
  return sha256Hex(joined);
}

/** Fabric's `msp.SerializedIdentity` protobuf: field 1 the MSP ID, field 2 the certificate PEM bytes. */
export function serializedIdentity(mspId: string, certificatePem: string): Uint8Array {
  const id = `${mspId}\n${certificatePem}`;
  let bytes = identities.get(id);
  if (!bytes) {
    const msp = utf8ToBytes(mspId);
    const cert = utf8ToBytes(certificatePem);
    const parts = [[0x0a, ...varint(msp.length)], msp, [0x12, ...varint(cert.length)], cert];
    bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    if (identities.size >= 1024) identities.clear();
    identities.set(id, bytes);
  }
  return bytes;
}
const identities = new Map<string, Uint8Array>();

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** The composite key chaincode's `createCompositeKey(objectType, attributes)` makes. */
export function compositeKey(objectType: string, ...attributes: string[]): string {
  return `\u0000${objectType}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`;
}

/** Zero-padded sequence number as ForgeTrace's chaincode puts it in event keys. */
export function sequenceKey(n: number): string {
  return n.toString().padStart(8, '0');
}

export { base64ToBytes, portableBytes, sha256Hex, useNativeBytes, type BytesProvider, type EcdsaP256 } from './bytes';
