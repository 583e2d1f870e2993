import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3';
import { keccak256 as referenceKeccak } from 'ethers';
import { keccak256, keccak256Pair, keccakReady } from './keccak';

/** Deterministic test bytes. */
function bytes(length: number, seed: string): Uint8Array {
  const out = new Uint8Array(length);
  for (let o = 0, i = 0; o < length; o += 32, i++) out.set(createHash('sha256').update(`${seed}/${i}`).digest().subarray(0, Math.min(32, length - o)), o);
  return out;
}
const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');

describe('keccak256 (hash-wasm, @noble/hashes until it has loaded)', () => {
  before(() => keccakReady);

  it('gives the published Keccak-256 of the empty message and of "abc" (not SHA3-256)', () => {
    expect(hex(keccak256(new Uint8Array(0)))).to.equal('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(keccak256(Buffer.from('abc')))).to.equal('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    expect(hex(keccak256(Buffer.from('abc')))).not.to.equal('0x' + createHash('sha3-256').update('abc').digest('hex'));
  });

  it('agrees with ethers and with @noble/hashes around block boundaries and for long messages', () => {
    for (const length of [31, 32, 33, 64, 135, 136, 137, 160, 271, 272, 273, 100_000]) {
      const message = bytes(length, `len-${length}`);
      expect(hex(keccak256(message)), `length ${length}`).to.equal(referenceKeccak(message));
      expect(hex(keccak256(message))).to.equal(hex(keccak_256(message)));
    }
  });

  it('hashes a pair of 32-byte values as their concatenation and returns a fresh array each time', () => {
    const a = bytes(32, 'a');
    const b = bytes(32, 'b');
    const first = keccak256Pair(b, a);
    expect(hex(first)).to.equal(referenceKeccak(Buffer.concat([b, a])));
    keccak256Pair(a, b);
    expect(hex(first)).to.equal(referenceKeccak(Buffer.concat([b, a])));
  });
});
