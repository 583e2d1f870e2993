/**
 * Certificates and ECDSA signatures through Web Crypto (`globalThis.crypto.subtle`, present in
 * browsers and in Node ≥ 19) and @peculiar/x509. Parsed certificates, imported keys and chain
 * checks are cached, since a bundle names the same few identities many times.
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { base64ToBytes, hostEcdsaP256, sha256Hex } from './bytes';

/** A parsed certificate with its SHA-256 fingerprint (of the DER bytes, hex). */
export interface ParsedCertificate {
  readonly pem: string;
  readonly certificate: X509Certificate;
  readonly fingerprint: string;
}

export class CertificateCache {
  private readonly parsed = new Map<string, ParsedCertificate>();
  private readonly keys = new Map<string, Promise<CryptoKey | null>>();
  private readonly hostKeys = new Map<string, unknown>();
  private readonly issued = new Map<string, Promise<boolean>>();

  /** Parse a PEM certificate; throws on anything that is not one. */
  parse(pem: string): ParsedCertificate {
    let entry = this.parsed.get(pem);
    if (!entry) {
      const certificate = new X509Certificate(pem);
      entry = { pem, certificate, fingerprint: sha256Hex(new Uint8Array(certificate.rawData)) };
      this.parsed.set(pem, entry);
    }
    return entry;
  }

  /** Whether `child` was issued and signed by `root` (name and signature). */
  issuedBy(child: ParsedCertificate, root: ParsedCertificate): Promise<boolean> {
    const id = `${child.fingerprint}:${root.fingerprint}`;
    let result = this.issued.get(id);
    if (!result) {
      result = child.certificate.issuer !== root.certificate.subject
        ? Promise.resolve(false)
        : child.certificate.verify({ publicKey: root.certificate, signatureOnly: true }).catch(() => false);
      this.issued.set(id, result);
    }
    return result;
  }

  /** Verify a base64 DER ECDSA P-256/SHA-256 signature over `data` with the certificate's key (the host's ECDSA if it has one, else Web Crypto). */
  async verifySignature(signer: ParsedCertificate, data: Uint8Array, signatureBase64: string): Promise<boolean> {
    let der: Uint8Array;
    try {
      der = base64ToBytes(signatureBase64);
    } catch {
      return false;
    }
    const host = hostEcdsaP256();
    if (host) {
      let key = this.hostKeys.get(signer.fingerprint);
      if (key === undefined) {
        try {
          key = host.importKey(new Uint8Array(signer.certificate.publicKey.rawData));
        } catch {
          key = null; // not a P-256 key: no signature of it verifies
        }
        this.hostKeys.set(signer.fingerprint, key);
      }
      return key === null ? false : host.verify(key, data, der);
    }
    let raw: Uint8Array;
    try {
      raw = derToP1363(der, 32);
    } catch {
      return false;
    }
    let key = this.keys.get(signer.fingerprint);
    if (!key) {
      key = signer.certificate.publicKey.export({ name: 'ECDSA', namedCurve: 'P-256' }, ['verify']).catch(() => null);
      this.keys.set(signer.fingerprint, key);
    }
    const webKey = await key;
    return webKey !== null && globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, webKey, raw as Uint8Array<ArrayBuffer>, data as Uint8Array<ArrayBuffer>);
  }
}

/** An ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }` as the fixed-width r‖s Web Crypto expects. */
export function derToP1363(der: Uint8Array, size: number): Uint8Array {
  let at = 0;
  const expect = (tag: number): number => {
    if (der[at++] !== tag) throw new Error('not a DER ECDSA signature');
    let length = der[at++]!;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      length = 0;
      for (let i = 0; i < bytes; i++) length = (length << 8) | der[at++]!;
    }
    return length;
  };
  expect(0x30);
  const out = new Uint8Array(size * 2);
  for (const offset of [0, size]) {
    let length = expect(0x02);
    let start = at;
    at += length;
    while (length > size && der[start] === 0) {
      start++;
      length--;
    }
    if (length > size || at > der.length) throw new Error('not a DER ECDSA signature');
    out.set(der.subarray(start, start + length), offset + size - length);
  }
  if (at !== der.length) throw new Error('trailing bytes after the DER signature');
  return out;
}
