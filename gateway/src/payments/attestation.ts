/**
 * EIP-712 attestations of the OrderEscrow contract and the evidence they name: pure helpers
 * (ethers v6 encoding, no network). The contract computes the same digest (`attestationDigest`).
 */
import { AbiCoder, TypedDataEncoder, concat, id, keccak256, type TypedDataDomain, type TypedDataField } from 'ethers';
import { LEAF_ENCODING, type RecordProof } from '../anchoring/record-proof';

/** EIP-712 domain name and version of the escrow. */
export const ESCROW_DOMAIN = { name: 'ForgeTrace OrderEscrow', version: '1' } as const;

/** EIP-712 types of an attestation. */
export const ATTESTATION_TYPES: Record<string, TypedDataField[]> = {
  Attestation: [
    { name: 'orderId', type: 'bytes32' },
    { name: 'nonce', type: 'uint64' },
    { name: 'milestone', type: 'uint8' },
    { name: 'ledgerTxId', type: 'bytes32' },
    { name: 'anchorRoot', type: 'bytes32' },
    { name: 'recordLeaf', type: 'bytes32' },
  ],
};

/** Ledger evidence of a milestone, as the contract's `Evidence` struct takes it. */
export interface Evidence {
  /** Fabric transaction id as bytes32 (0x + 64 hex). */
  readonly ledgerTxId: string;
  /** Merkle root of the anchor (0x + 64 hex). */
  readonly anchorRoot: string;
  readonly recordId: string;
  /** SHA-256 of the record's canonical JSON (0x + 64 hex). */
  readonly payloadHash: string;
  readonly proof: readonly string[];
}

/** The values an attestor signs. */
export interface Attestation {
  readonly orderId: string;
  readonly nonce: bigint;
  readonly milestone: number;
  readonly ledgerTxId: string;
  readonly anchorRoot: string;
  readonly recordLeaf: string;
}

/** Escrow id of a ledger order id: `keccak256(bytes(ledgerOrderId))`, as the contract derives it. */
export function escrowOrderId(ledgerOrderId: string): string {
  return id(ledgerOrderId);
}

/** The anchor id the outbox gives a batch with Merkle root `root` (`ob-` + first 24 hex of the root). */
export function outboxAnchorId(root: string): string {
  return `ob-${root.slice(2, 26).toLowerCase()}`;
}

/** Merkle leaf of a record, as OpenZeppelin's StandardMerkleTree and the contract compute it. */
export function recordLeaf(recordId: string, payloadHash: string): string {
  return keccak256(concat([keccak256(AbiCoder.defaultAbiCoder().encode([...LEAF_ENCODING], [recordId, payloadHash]))]));
}

/** A Fabric transaction id (64 hex characters) as bytes32. */
export function ledgerTxIdBytes(transactionId: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(transactionId)) throw new RangeError(`not a Fabric transaction id: ${transactionId}`);
  return '0x' + transactionId.toLowerCase();
}

/** Evidence from an outbox inclusion proof and the Fabric transaction of the milestone. */
export function evidenceFromProof(proof: RecordProof, transactionId: string): Evidence {
  return { ledgerTxId: ledgerTxIdBytes(transactionId), anchorRoot: proof.root.toLowerCase(), recordId: proof.recordId, payloadHash: proof.leaf[1].toLowerCase(), proof: [...proof.proof] };
}

/** The attestation of `evidence` for milestone `milestone` of the order funded with `nonce`. */
export function attestationOf(orderId: string, nonce: bigint, milestone: number, evidence: Evidence): Attestation {
  return { orderId, nonce, milestone, ledgerTxId: evidence.ledgerTxId, anchorRoot: evidence.anchorRoot, recordLeaf: recordLeaf(evidence.recordId, evidence.payloadHash) };
}

/** The escrow's EIP-712 domain. */
export function escrowDomain(chainId: bigint, escrowAddress: string): TypedDataDomain {
  return { ...ESCROW_DOMAIN, chainId, verifyingContract: escrowAddress };
}

/** The digest an attestor signs (equals the contract's `attestationDigest`). */
export function attestationDigest(domain: TypedDataDomain, attestation: Attestation): string {
  return TypedDataEncoder.hash(domain, ATTESTATION_TYPES, { ...attestation });
}
