/**
 * Creator verification as a peer's MSP does it: the certificate must chain to one of the
 * MSP's root certificates and be within its validity period, and the proposal signature
 * must verify with its public key. Parsing and chain checks are cached per certificate.
 */
import type { CryptoPool } from './crypto-pool';
import { createHash, createPrivateKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';

/** A channel member as the ledger is configured with it. */
export interface OrganizationConfig {
  readonly mspId: string;
  /** PEM root CA certificates of the MSP. */
  readonly rootCertificates: readonly string[];
}

interface VerifiedCertificate {
  readonly mspId: string;
  readonly publicKey: KeyObject;
  readonly notBefore: number;
  readonly notAfter: number;
  /** SHA-256 (hex) of the certificate DER. */
  readonly hash: string;
  readonly pem: string;
}

/** Why a creator was refused. */
export class CreatorError extends Error {}

export class MspRegistry {
  private readonly roots = new Map<string, X509Certificate[]>();
  private readonly verified = new Map<string, VerifiedCertificate>();
  private readonly signingKeys = new Map<string, KeyObject>();

  /** @param pool worker for signatures; without one they run on the calling thread. */
  constructor(
    organizations: readonly OrganizationConfig[],
    private readonly pool?: CryptoPool,
  ) {
    for (const org of organizations) {
      this.roots.set(org.mspId, org.rootCertificates.map((pem) => new X509Certificate(pem)));
    }
  }

  has(mspId: string): boolean {
    return this.roots.has(mspId);
  }

  /** Check `certificatePem` belongs to `mspId` and is valid at `now`; returns its hash. */
  verifyCreator(mspId: string, certificatePem: string, now: Date): VerifiedCertificate {
    const cacheKey = `${mspId}\n${certificatePem}`;
    let entry = this.verified.get(cacheKey);
    if (!entry) {
      const roots = this.roots.get(mspId);
      if (!roots) throw new CreatorError(`MSP ${mspId} is not a member of this channel`);
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(certificatePem);
      } catch (err) {
        throw new CreatorError(`creator certificate cannot be parsed: ${(err as Error).message}`);
      }
      const issuer = roots.find((root) => cert.checkIssued(root) && cert.verify(root.publicKey));
      if (!issuer) throw new CreatorError(`certificate of ${cert.subject.replace(/\n/g, ', ')} was not issued by a root of ${mspId}`);
      if (cert.ca) throw new CreatorError('a CA certificate cannot be a transaction creator');
      entry = {
        mspId,
        publicKey: cert.publicKey,
        notBefore: Date.parse(cert.validFrom),
        notAfter: Date.parse(cert.validTo),
        hash: createHash('sha256').update(cert.raw).digest('hex'),
        pem: certificatePem,
      };
      this.verified.set(cacheKey, entry);
    }
    const t = now.getTime();
    if (t < entry.notBefore || t > entry.notAfter) {
      throw new CreatorError(`creator certificate is not valid at ${now.toISOString()}`);
    }
    return entry;
  }

  /** Verify an ECDSA/SHA-256 signature over `data` with the certificate's key. */
  async verifySignature(entry: VerifiedCertificate, data: Uint8Array, signature: Uint8Array): Promise<void> {
    let ok: boolean;
    if (this.pool) {
      ok = (await this.pool.run({ op: 'verify', pem: entry.pem, data, signature })).ok;
    } else {
      try {
        ok = verify('sha256', data, entry.publicKey, signature);
      } catch {
        ok = false;
      }
    }
    if (!ok) throw new CreatorError('proposal signature does not verify with the creator certificate');
  }

  /** Client side: sign `data` with a PEM private key (parsed keys are cached). */
  async sign(privateKeyPem: string, data: Uint8Array): Promise<Uint8Array> {
    if (this.pool) {
      const r = await this.pool.run({ op: 'sign', pem: privateKeyPem, data });
      if (!r.ok || !r.signature) throw new Error(r.error ?? 'signing failed');
      return r.signature;
    }
    let key = this.signingKeys.get(privateKeyPem);
    if (!key) {
      key = createPrivateKey(privateKeyPem);
      this.signingKeys.set(privateKeyPem, key);
    }
    return sign('sha256', data, key);
  }
}
