/**
 * Byte helpers shared by the evidence and disclosure functions. The portable implementations
 * (@noble/hashes, atob, TextDecoder) run anywhere; a host with faster native ones (the
 * embedded ledger in Node, which hashes every write it commits) installs them with
 * {@link useNativeBytes} (`@forgetrace/verifier/node` does it for Node: `useNodeCrypto()`). Both
 * give the same results.
 */
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export interface BytesProvider {
  /** SHA-256 as lowercase hex; strings are hashed as UTF-8. */
  sha256Hex(data: string | Uint8Array): string;
  /** HMAC-SHA256(key, UTF-8 of message) as lowercase hex. */
  hmacSha256Hex(key: Uint8Array, message: string): string;
  base64ToBytes(text: string): Uint8Array;
  /** Strict UTF-8 decoding of base64 text; throws on invalid UTF-8. */
  base64ToUtf8(text: string): string;
  /** ECDSA P-256 with SHA-256, when the host has a faster way than Web Crypto (absent: Web Crypto). */
  readonly ecdsaP256?: EcdsaP256;
}

/** A host's ECDSA P-256/SHA-256 verification; keys are whatever `importKey` returns. */
export interface EcdsaP256 {
  /** A public key from its SubjectPublicKeyInfo (DER). */
  importKey(spki: Uint8Array): unknown;
  /** Whether `derSignature` (ASN.1 DER) is the key's signature over `data`; false for a malformed signature. */
  verify(key: unknown, data: Uint8Array, derSignature: Uint8Array): Promise<boolean>;
}

/** The portable implementations (any JavaScript host; ECDSA through Web Crypto). */
export const portableBytes: BytesProvider = {
  sha256Hex: (data) => bytesToHex(sha256(typeof data === 'string' ? utf8ToBytes(data) : data)),
  hmacSha256Hex: (key, message) => bytesToHex(hmac(sha256, key, utf8ToBytes(message))),
  base64ToBytes: (text) => {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  },
  base64ToUtf8: (text) => new TextDecoder('utf-8', { fatal: true }).decode(portableBytes.base64ToBytes(text)),
};

let active: BytesProvider = portableBytes;

/** Replace the implementations (e.g. with node:crypto and Buffer); they must give identical results. */
export function useNativeBytes(provider: BytesProvider): void {
  active = provider;
}

/** The host's ECDSA P-256 verification, if it installed one. */
export function hostEcdsaP256(): EcdsaP256 | undefined {
  return active.ecdsaP256;
}

export function sha256Hex(data: string | Uint8Array): string {
  return active.sha256Hex(data);
}

export function hmacSha256Hex(key: Uint8Array, message: string): string {
  return active.hmacSha256Hex(key, message);
}

export function base64ToBytes(text: string): Uint8Array {
  return active.base64ToBytes(text);
}

export function base64ToUtf8(text: string): string {
  return active.base64ToUtf8(text);
}
