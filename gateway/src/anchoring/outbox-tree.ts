/**
 * The outbox's Merkle trees on raw bytes: the same leaves, nodes, layout and proofs as
 * `StandardMerkleTree.of(leaves, ['string', 'bytes32'])` of `@openzeppelin/merkle-tree`, so every
 * proof verifies with `StandardMerkleTree.verify` and Solidity's `MerkleProof.verify`. The library
 * itself is not used on this path: its trees (`SimpleMerkleTree.of` on precomputed leaf hashes too)
 * work on hex strings with validation and JavaScript Keccak, about 100 times slower for a batch of
 * 16,384 leaves (2 to 3 s against 25 ms); the tests compare with it.
 *
 * Layout (the library's): leaf hashes sorted ascending, `tree` holds 2n−1 nodes of 32 bytes, node
 * i has children 2i+1 and 2i+2, the k-th smallest leaf is node 2n−2−k, node 0 is the root, and a
 * parent is keccak256 of its two children in ascending order.
 */
import { keccak256, keccak256Pair } from './keccak';
import { formatRecordId } from './record-ids';

/** Most leaves in one tree (sorting packs a leaf index into 21 bits). */
export const MAX_TREE_LEAVES = 1 << 21;

const HASH = 32;

/** ABI encoding buffer, reused between records (grown for long ids). */
let message = Buffer.alloc(5 * HASH);

/**
 * Write the outbox leaf hash of a record to `out` at `outOffset`:
 * `keccak256(keccak256(abi.encode(string recordId, bytes32 payloadHash)))`, where `payloadHash`
 * is the 32 bytes at `hashOffset` of `hashSource`.
 */
export function recordLeafHashInto(recordId: string, hashSource: Uint8Array, hashOffset: number, out: Uint8Array, outOffset: number): void {
  const idBytes = Buffer.byteLength(recordId, 'utf8');
  // Head: offset of the string (0x40) and the bytes32; tail: string length and padded UTF-8 bytes.
  const size = 3 * HASH + Math.ceil(idBytes / HASH) * HASH;
  if (message.length < size) message = Buffer.alloc(size);
  message.fill(0, 0, size);
  message[HASH - 1] = 2 * HASH;
  message.set(hashSource.subarray(hashOffset, hashOffset + HASH), HASH);
  message.writeUIntBE(idBytes, 3 * HASH - 6, 6);
  // All ASCII exactly when UTF-8 needs one byte per UTF-16 unit.
  message.write(recordId, 3 * HASH, idBytes === recordId.length ? 'latin1' : 'utf8');
  out.set(keccak256(keccak256(message.subarray(0, size))), outOffset);
}

/** A record's leaf hash as a new 32-byte array (see {@link recordLeafHashInto}). */
export function recordLeafHash(recordId: string, payloadHash: Uint8Array): Uint8Array {
  if (payloadHash.length !== HASH) throw new RangeError('payloadHash must be 32 bytes');
  const out = new Uint8Array(HASH);
  recordLeafHashInto(recordId, payloadHash, 0, out, 0);
  return out;
}

/**
 * Where a batch's leaves come from: leaf hashes as stored, or outbox records whose leaves are
 * computed here: record k has ordinal `start + k`, id `formatRecordId(createdMs, start + k,
 * random k)` (4 bytes little-endian each in `randoms`) and payload hash k (32 bytes) in `hashes`.
 */
export type LeafSource =
  | { readonly kind: 'leaves'; readonly bytes: Uint8Array }
  | { readonly kind: 'records'; readonly createdMs: number; readonly start: number; readonly randoms: Uint8Array; readonly hashes: Uint8Array };

/** Number of leaves `sources` give. */
export function leafCountOf(sources: readonly LeafSource[]): number {
  return sources.reduce((sum, s) => sum + (s.kind === 'leaves' ? s.bytes.length : s.hashes.length) / HASH, 0);
}

/** The leaf hashes of `sources`, concatenated in order. */
export function leavesOf(sources: readonly LeafSource[]): Uint8Array {
  const only = sources.length === 1 ? sources[0] : undefined;
  if (only?.kind === 'leaves') return only.bytes;
  const n = leafCountOf(sources);
  const out = new Uint8Array(n * HASH);
  let at = 0;
  for (const s of sources) {
    if (s.kind === 'leaves') {
      out.set(s.bytes, at * HASH);
      at += s.bytes.length / HASH;
      continue;
    }
    const view = new DataView(s.randoms.buffer, s.randoms.byteOffset, s.randoms.byteLength);
    for (let k = 0; k < s.hashes.length / HASH; k++, at++) {
      recordLeafHashInto(formatRecordId(s.createdMs, s.start + k, view.getUint32(4 * k, true)), s.hashes, HASH * k, out, HASH * at);
    }
  }
  return out;
}

/** Byte order of the 32-byte values at `a` of `x` and `b` of `y`: negative, zero or positive. */
function compareAt(x: Uint8Array, a: number, y: Uint8Array, b: number): number {
  for (let i = 0; i < HASH; i++) {
    const d = x[a + i]! - y[b + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** A built tree: its nodes and its leaf hashes in ascending order. */
export interface OutboxTree {
  /** 2n−1 nodes of 32 bytes in the layout of the module comment; the root is `tree[0 .. 32)`. */
  readonly nodes: Uint8Array;
  /** The n leaf hashes in ascending byte order, concatenated (what the anchor's `inputHash` hashes). */
  readonly sortedLeaves: Uint8Array;
}

/**
 * Build the tree of `leaves` (n concatenated 32-byte leaf hashes, in any order).
 * @throws RangeError when there are no leaves, more than {@link MAX_TREE_LEAVES}, or a partial one
 */
export function buildTree(leaves: Uint8Array): OutboxTree {
  const n = leaves.length / HASH;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TREE_LEAVES) throw new RangeError(`a tree needs 1 to ${MAX_TREE_LEAVES} leaves of 32 bytes, not ${leaves.length} bytes`);
  // Sort by the first 4 bytes with the index packed below them (a native numeric sort), then
  // settle the rare runs whose first 4 bytes are equal by comparing all 32.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * HASH;
    keys[i] = (((leaves[o]! << 24) | (leaves[o + 1]! << 16) | (leaves[o + 2]! << 8) | leaves[o + 3]!) >>> 0) * MAX_TREE_LEAVES + i;
  }
  keys.sort();
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = keys[i]! % MAX_TREE_LEAVES;
  for (let i = 0; i < n - 1; ) {
    let j = i + 1;
    const prefix = Math.floor(keys[i]! / MAX_TREE_LEAVES);
    while (j < n && Math.floor(keys[j]! / MAX_TREE_LEAVES) === prefix) j++;
    if (j - i > 1) {
      const run = order.slice(i, j).sort((a, b) => compareAt(leaves, a * HASH, leaves, b * HASH));
      for (let k = 0; k < run.length; k++) order[i + k] = run[k]!;
    }
    i = j;
  }
  const sortedLeaves = new Uint8Array(n * HASH);
  const nodes = new Uint8Array((2 * n - 1) * HASH);
  for (let k = 0; k < n; k++) {
    const leaf = leaves.subarray(order[k]! * HASH, (order[k]! + 1) * HASH);
    sortedLeaves.set(leaf, k * HASH);
    nodes.set(leaf, (2 * n - 2 - k) * HASH);
  }
  for (let i = n - 2; i >= 0; i--) {
    const left = nodes.subarray((2 * i + 1) * HASH, (2 * i + 2) * HASH);
    const right = nodes.subarray((2 * i + 2) * HASH, (2 * i + 3) * HASH);
    nodes.set(compareAt(left, 0, right, 0) <= 0 ? keccak256Pair(left, right) : keccak256Pair(right, left), i * HASH);
  }
  return { nodes, sortedLeaves };
}

/** The root of a tree's nodes as 0x-hex. */
export function treeRoot(nodes: Uint8Array): string {
  return '0x' + Buffer.from(nodes.buffer, nodes.byteOffset, HASH).toString('hex');
}

/**
 * The proof of `leaf` (32 bytes) in a tree's nodes: sibling hashes from the leaf up, 0x-hex, as
 * `StandardMerkleTree.getProof` gives them; undefined when the leaf is not in the tree.
 */
export function treeProof(nodes: Uint8Array, leaf: Uint8Array): string[] | undefined {
  const count = nodes.length / HASH;
  const n = (count + 1) / 2;
  if (leaf.length !== HASH || !Number.isInteger(n) || n < 1) return undefined;
  // Leaves are nodes n−1 .. 2n−2 in descending order: binary search.
  let lo = n - 1;
  let hi = 2 * n - 2;
  let index = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareAt(nodes, mid * HASH, leaf, 0);
    if (c === 0) {
      index = mid;
      break;
    }
    if (c > 0) lo = mid + 1;
    else hi = mid - 1;
  }
  if (index < 0) return undefined;
  const proof: string[] = [];
  const hex = Buffer.from(nodes.buffer, nodes.byteOffset, nodes.length);
  while (index > 0) {
    const sibling = index % 2 === 1 ? index + 1 : index - 1;
    proof.push('0x' + hex.toString('hex', sibling * HASH, (sibling + 1) * HASH));
    index = (index - 1) >> 1;
  }
  return proof;
}
