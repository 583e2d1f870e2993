/**
 * Keccak-256 as Ethereum and Solidity use it (the original Keccak padding, not SHA3-256), for the
 * outbox's leaves and tree nodes. Node's OpenSSL offers no Keccak, so this binds libraries:
 * `hash-wasm`'s WebAssembly hasher (more than ten times faster than JavaScript here) once it has
 * loaded, and `@noble/hashes` until then. hash-wasm only loads asynchronously while the outbox API
 * is synchronous; both give the same hashes, so a caller that hashes right after importing this
 * module is merely slower.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { createKeccak, type IHasher } from 'hash-wasm';

let hasher: IHasher | undefined;

/**
 * Resolves once the WebAssembly hasher is in use (it starts loading when this module is imported).
 * Never rejects: without WebAssembly the JavaScript hasher stays in use.
 */
export const keccakReady: Promise<void> = createKeccak(256).then(
  (h) => {
    hasher = h;
  },
  () => undefined,
);

/** keccak256 of `data` as a new 32-byte array. Synchronous, like all its callers. */
export function keccak256(data: Uint8Array): Uint8Array {
  if (hasher) return hasher.init().update(data).digest('binary');
  return keccak_256(data);
}

const pair = new Uint8Array(64);

/** keccak256(a ‖ b) of two 32-byte values (a Merkle node) as a new 32-byte array. */
export function keccak256Pair(a: Uint8Array, b: Uint8Array): Uint8Array {
  // One 64-byte input: each call into the library costs more than the copy.
  pair.set(a, 0);
  pair.set(b, 32);
  return keccak256(pair);
}
