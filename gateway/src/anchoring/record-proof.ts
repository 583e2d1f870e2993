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

/** Why a record proof does not hold, or that it does. */
export type RecordProofVerdict =
  | { readonly valid: true }
  | { readonly valid: false; readonly reason: 'malformed proof' | 'anchor mismatch' | 'payload does not match the leaf' | 'wrong Merkle path' | 'root differs from the anchor'; readonly detail: string };

/**
 * Check a record proof step by step and say which step fails. `anchor` is the anchor as the
 * ledger holds it (`anchors:GetAnchor`); the caller reports "anchor not found" itself.
 */
export function explainRecordProof(payload: unknown, proof: RecordProof, anchor: { readonly id: string; readonly merkleRoot: string }): RecordProofVerdict {
  if (!proof || typeof proof.recordId !== 'string' || !Array.isArray(proof.leaf) || !Array.isArray(proof.proof) || typeof proof.root !== 'string') {
    return { valid: false, reason: 'malformed proof', detail: 'a proof needs recordId, leaf, root, proof and anchorId' };
  }
  if (anchor.id !== proof.anchorId) return { valid: false, reason: 'anchor mismatch', detail: `the proof names anchor ${proof.anchorId}, not ${anchor.id}` };
  const leaf = recordLeaf(proof.recordId, payload);
  if (proof.leaf[0] !== leaf[0] || String(proof.leaf[1]).toLowerCase() !== leaf[1]) {
    return { valid: false, reason: 'payload does not match the leaf', detail: `SHA-256 of the payload's canonical JSON is ${leaf[1]}, the leaf says ${String(proof.leaf[1])}` };
  }
  let root: string;
  try {
    root = StandardMerkleTree.verify(proof.root, [...LEAF_ENCODING], leaf, [...proof.proof]) ? proof.root.toLowerCase() : '';
  } catch (e) {
    return { valid: false, reason: 'malformed proof', detail: (e as Error).message };
  }
  if (!root) return { valid: false, reason: 'wrong Merkle path', detail: `the path from the leaf does not lead to ${proof.root}` };
  if (root !== '0x' + anchor.merkleRoot.toLowerCase()) return { valid: false, reason: 'root differs from the anchor', detail: `the proof's root ${root} is not the anchor's 0x${anchor.merkleRoot}` };
  return { valid: true };
}
