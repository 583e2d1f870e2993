/**
 * `@forgetrace/verifier/node`: Node's native hashing and ECDSA for the verifier's core, which
 * otherwise uses portable JavaScript hashing and Web Crypto. `useNodeCrypto()` installs them;
 * results are identical, only faster (SHA-256 and HMAC in OpenSSL, signatures checked on libuv's
 * thread pool without Web Crypto's per-call argument checks).
 */
import { createHmac, createPublicKey, hash, verify, type KeyObject } from 'node:crypto';
import { useNativeBytes, type BytesProvider } from '../bytes';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export const nodeBytes: BytesProvider = {
  sha256Hex: (data) => hash('sha256', data, 'hex'),
  hmacSha256Hex: (key, message) => createHmac('sha256', key).update(message).digest('hex'),
  base64ToBytes: (text) => Buffer.from(text, 'base64'),
  base64ToUtf8: (text) => strictUtf8.decode(Buffer.from(text, 'base64')),
  ecdsaP256: {
    importKey: (spki) => {
      const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new TypeError('not a P-256 public key');
      return key;
    },
    verify: (key, data, derSignature) =>
      new Promise((resolve) => {
        try {
          verify('sha256', data, { key: key as KeyObject, dsaEncoding: 'der' }, derSignature, (err, ok) => resolve(!err && ok));
        } catch {
          resolve(false);
        }
      }),
  },
};

/** Give the verifier (and the evidence functions) Node's native hashing and signature checks. */
export function useNodeCrypto(): void {
  useNativeBytes(nodeBytes);
}
