/** Pure leaf, hash and proof functions of the anchoring outbox (no I/O). */
import { createHash } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { canonicalJson } from '@forgetrace/chaincode/api';

/** Leaf encoding of every outbox tree, as Solidity's `abi.encode(string, bytes32)` sees it. */
export const LEAF_ENCODING: readonly string[] = ['string', 'bytes32'];

/** One Merkle leaf: the record id and the SHA-256 of its payload's canonical JSON as 0x-hex bytes32. */
export type OutboxLeaf = [recordId: string, payloadHash: string];

/** Everything needed to show that a record is covered by an anchor on the ledger. */
export interface RecordProof {
  readonly recordId: string;
  readonly leaf: OutboxLeaf;
  /** Merkle root, 0x-prefixed (the anchor's `merkleRoot` is the same without `0x`). */
  readonly root: string;
  /** Sibling hashes from leaf to root, 0x-prefixed. */
  readonly proof: readonly string[];
  readonly anchorId: string;
  readonly transactionId: string;
  /** Block of the CreateAnchor transaction; null when it could not be found during crash recovery. */
  readonly blockNumber: number | null;
}

/** SHA-256 of the canonical JSON of `payload` (keys sorted recursively), as 0x-hex bytes32. */
export function payloadHash(payload: unknown): string {
  return '0x' + createHash('sha256').update(canonicalJson(payload), 'utf8').digest('hex');
}

/** The Merkle leaf of a record. */
export function recordLeaf(recordId: string, payload: unknown): OutboxLeaf {
  return [recordId, payloadHash(payload)];
}

/**
 * The anchor's `inputHash`: SHA-256 over the concatenated 32-byte tree leaf hashes
 * (`StandardMerkleTree.leafHash`) in ascending order, as 64 lowercase hex characters.
 */
export function leafSetHash(tree: StandardMerkleTree<OutboxLeaf>): string {
  const hashes: string[] = [];
  for (const [, leaf] of tree.entries()) hashes.push(tree.leafHash(leaf).slice(2).toLowerCase());
  hashes.sort();
  return createHash('sha256').update(Buffer.from(hashes.join(''), 'hex')).digest('hex');
}

/**
 * Check that `payload` is the record proved by `proof` and that the proof leads to the
 * Merkle root of `anchor` (as read from the ledger with `anchors:GetAnchor`). Pure: never throws
 * for malformed input, it answers false.
 */
export function verifyRecordProof(payload: unknown, proof: RecordProof, anchor: { readonly id: string; readonly merkleRoot: string }): boolean {
  try {
    if (anchor.id !== proof.anchorId) return false;
    if (proof.root.toLowerCase() !== '0x' + anchor.merkleRoot) return false;
    const leaf = recordLeaf(proof.recordId, payload);
    if (proof.leaf[0] !== leaf[0] || proof.leaf[1].toLowerCase() !== leaf[1]) return false;
    return StandardMerkleTree.verify(proof.root, [...LEAF_ENCODING], leaf, [...proof.proof]);
  } catch {
    return false;
  }
}
