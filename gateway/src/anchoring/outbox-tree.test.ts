import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { SimpleMerkleTree, StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, keccak256 } from 'ethers';
import { buildTree, recordLeafHash, treeProof, treeRoot } from './outbox-tree';
import { LEAF_ENCODING, type OutboxLeaf } from './record-proof';
import { formatRecordId } from './record-ids';

const sha = (s: string) => createHash('sha256').update(s).digest();
const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');
const ids = ['', 'a', 'x'.repeat(31), 'x'.repeat(32), 'x'.repeat(33), 'żółw-ünïcødé-😀', 'r'.repeat(200), formatRecordId(Date.UTC(2026, 2, 1), 42, 7)];

/** n outbox leaves with ids of several lengths. */
function leaves(n: number): OutboxLeaf[] {
  return Array.from({ length: n }, (_, i) => [i < ids.length ? ids[i]! : formatRecordId(Date.UTC(2026, 0, 1) + i, 1000 + i, i * 7919), hex(sha(`payload ${i}`))]);
}
const leafBytes = (values: OutboxLeaf[]) => Buffer.concat(values.map(([id, h]) => recordLeafHash(id, Buffer.from(h.slice(2), 'hex'))));

describe('outbox trees (fast path)', () => {
  it('computes the leaf hash of StandardMerkleTree and Solidity: keccak256(keccak256(abi.encode(string, bytes32)))', () => {
    for (const [id, payloadHash] of leaves(ids.length)) {
      const solidity = keccak256(keccak256(AbiCoder.defaultAbiCoder().encode([...LEAF_ENCODING], [id, payloadHash])));
      const library = StandardMerkleTree.of([[id, payloadHash]], [...LEAF_ENCODING]).root;
      const fast = hex(recordLeafHash(id, Buffer.from(payloadHash.slice(2), 'hex')));
      expect(fast, `id ${JSON.stringify(id)}`).to.equal(solidity);
      expect(fast).to.equal(library);
    }
  });

  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 100, 257]) {
    it(`builds the tree StandardMerkleTree.of builds for ${n} leaves: same root, same proofs, and they verify`, () => {
      const values = leaves(n);
      const reference = StandardMerkleTree.of(values, [...LEAF_ENCODING]);
      const bytes = leafBytes(values);
      const tree = buildTree(bytes);
      expect(treeRoot(tree.nodes)).to.equal(reference.root);
      expect(tree.nodes.length).to.equal((2 * n - 1) * 32);
      values.forEach((value, i) => {
        const proof = treeProof(tree.nodes, bytes.subarray(32 * i, 32 * i + 32));
        expect(proof, `leaf ${i}`).to.deep.equal(reference.getProof(i));
        expect(StandardMerkleTree.verify(reference.root, [...LEAF_ENCODING], value, proof!)).to.equal(true);
      });
      const sorted = [...reference.entries()].map(([, v]) => reference.leafHash(v)).sort();
      expect(hex(tree.sortedLeaves)).to.equal('0x' + sorted.map((h) => h.slice(2)).join(''));
    });
  }

  it('orders leaves whose first bytes are equal by all 32 bytes', () => {
    const raw = Array.from({ length: 40 }, (_, i) => {
      const b = Buffer.from(sha(`same prefix ${i}`));
      b.writeUInt32BE(i % 3 === 0 ? 0xdeadbeef : 0x0badcafe, 0);
      if (i % 5 === 0) b.writeUInt32BE(0x01020304, 4);
      return b;
    });
    const reference = SimpleMerkleTree.of(raw.map(hex));
    const tree = buildTree(Buffer.concat(raw));
    expect(treeRoot(tree.nodes)).to.equal(reference.root);
    raw.forEach((leaf, i) => expect(treeProof(tree.nodes, leaf)).to.deep.equal(reference.getProof(i)));
  });

  it('gives no proof for a leaf outside the tree, and rejects an empty or partial set of leaves', () => {
    const tree = buildTree(leafBytes(leaves(5)));
    expect(treeProof(tree.nodes, sha('not a leaf'))).to.equal(undefined);
    expect(treeProof(tree.nodes, new Uint8Array(31))).to.equal(undefined);
    expect(() => buildTree(new Uint8Array(0))).to.throw(RangeError);
    expect(() => buildTree(new Uint8Array(33))).to.throw(RangeError);
  });
});
