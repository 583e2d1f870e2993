/**
 * What an edge agent sends to its gateway: a signed envelope of records in the agent's own
 * sequence. The signature (ECDSA/Ed25519 per the identity's key, over SHA-256) covers the
 * canonical JSON of `{ agentId, factoryMsp, records }`, so a gateway — or anyone holding the
 * factory's certificate — can check who sent what.
 */
import { createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '@forgetrace/chaincode/api';
import type { LedgerIdentity } from '../../ledger/port';
import type { FullSnapshot } from '../snapshots';
import { telemetrySampleSchema, type TelemetrySample } from '../telemetry';

/** One record of the agent's store: a raw sample, a periodic summary, or a snapshot. */
export type EdgeRecord =
  | { readonly seq: number; readonly kind: 'sample'; readonly machineId: string; readonly sample: TelemetrySample }
  | { readonly seq: number; readonly kind: 'summary'; readonly machineId: string; readonly summary: EdgeSummary }
  | { readonly seq: number; readonly kind: 'snapshot'; readonly machineId: string; readonly snapshot: FullSnapshot };

/** A machine's state as the edge twin sees it, every summary interval. */
export interface EdgeSummary {
  readonly at: string;
  readonly healthIndex: number;
  readonly anomaly: boolean;
  readonly states: Readonly<Record<string, number>>;
  readonly samples: number;
}

/** A signed batch of records. */
export interface EdgeEnvelope {
  readonly agentId: string;
  readonly factoryMsp: string;
  /** PEM certificate of the signing identity. */
  readonly certificate: string;
  readonly records: readonly EdgeRecord[];
  /** Base64 signature over the canonical JSON of `{ agentId, factoryMsp, records }`. */
  readonly signature: string;
}

const idString = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
const record = z.discriminatedUnion('kind', [
  z.object({ seq: z.int().min(1), kind: z.literal('sample'), machineId: idString, sample: telemetrySampleSchema }),
  z.object({ seq: z.int().min(1), kind: z.literal('summary'), machineId: idString, summary: z.record(z.string(), z.unknown()) }),
  z.object({ seq: z.int().min(1), kind: z.literal('snapshot'), machineId: idString, snapshot: z.record(z.string(), z.unknown()) }),
]);

/** The envelope on the wire (shape only; the signature is checked by {@link verifyEnvelope}). */
export const edgeEnvelopeSchema = z.strictObject({
  agentId: idString,
  factoryMsp: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/),
  certificate: z.string().min(64).max(8192),
  records: z.array(record).min(1).max(5000),
  signature: z.string().min(16).max(2048),
});

const signedPart = (e: Pick<EdgeEnvelope, 'agentId' | 'factoryMsp' | 'records'>): Buffer => Buffer.from(canonicalJson({ agentId: e.agentId, factoryMsp: e.factoryMsp, records: e.records }), 'utf8');

/** Sign records as `identity`. */
export function signEnvelope(agentId: string, identity: LedgerIdentity, records: readonly EdgeRecord[]): EdgeEnvelope {
  const key = createPrivateKey(identity.privateKey);
  const unsigned = { agentId, factoryMsp: identity.mspId, records };
  const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return { ...unsigned, certificate: identity.certificate, signature: sign(algorithm, signedPart(unsigned), key).toString('base64') };
}

/** True when the signature matches the envelope's certificate. */
export function verifyEnvelope(e: EdgeEnvelope): boolean {
  try {
    const key = new X509Certificate(e.certificate).publicKey;
    const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return verify(algorithm, signedPart(e), key, Buffer.from(e.signature, 'base64'));
  } catch {
    return false;
  }
}
