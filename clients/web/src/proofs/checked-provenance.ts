/**
 * A provenance bundle checked in the browser: the verifier's verdict under the CA fingerprints the
 * gateway pins (never the bundle's own CAs), and for each trace entry its ledger evidence
 * (transaction, block, creator, endorsers) and whether its claim holds.
 */
import type { Finding, Verdict } from '@forgetrace/verifier';

/** One line of a trace as a bundle carries it. A public bundle carries only the disclosed fields. */
export interface TraceEntry {
  readonly seq?: number;
  readonly at?: string;
  readonly type?: string;
  readonly mspId?: string;
  readonly txId?: string;
  readonly depth?: number;
  readonly subject?: { readonly kind: string; readonly id: string };
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The parts of a bundle (`forgetrace-provenance/1`) this app reads; the verifier checks them all. */
interface BundleView {
  readonly partId?: string;
  readonly trace?: {
    readonly entries?: readonly TraceEntry[];
    readonly machines?: Readonly<Record<string, { readonly machine?: Readonly<Record<string, unknown>> }>>;
  };
  readonly transactions?: ReadonlyArray<{
    readonly blockNumber?: number;
    readonly digest?: {
      readonly txId?: string;
      readonly function?: string;
      readonly creator?: { readonly mspId?: string };
      readonly endorsements?: ReadonlyArray<{ readonly mspId?: string }>;
      readonly endorsers?: readonly string[];
    };
  }>;
  readonly blocks?: ReadonlyArray<{ readonly header?: { readonly number?: number } }>;
  readonly config?: { readonly data?: { readonly config?: { readonly organizations?: readonly CaOrganization[]; readonly ordererOrganizations?: readonly CaOrganization[] } } };
  readonly disclosure?: { readonly fields?: readonly string[] };
}

interface CaOrganization {
  readonly mspId: string;
  readonly rootCertificates: readonly string[];
}

/** What the ledger says about the transaction that wrote a claim. */
export interface LedgerEvidence {
  readonly txId: string | null;
  readonly blockNumber: number | null;
  readonly creatorMsp: string | null;
  /** Organisations whose peers signed an endorsement. */
  readonly endorsers: readonly string[];
  /** The chaincode transaction, e.g. `jobs:ReportFinish`. */
  readonly transaction: string | null;
}

export type ClaimStatus = 'verified' | 'unverified';

export interface CheckedEntry {
  readonly index: number;
  /** Verifier path of the claim, `trace.entries[i]`. */
  readonly path: string;
  readonly entry: TraceEntry;
  readonly evidence: LedgerEvidence;
  readonly status: ClaimStatus;
  /** Failures that concern this entry: its claim, its transaction, its block. */
  readonly findings: readonly Finding[];
}

/** A CA certificate of the bundle's channel configuration and whether the gateway pins it. */
export interface ConfigCa {
  readonly mspId: string;
  readonly orderer: boolean;
  readonly fingerprint: string;
  readonly pinned: boolean;
}

/** The outcome for the reader: a verdict, no trust anchors, or no verification possible here. */
export type Outcome =
  | { readonly state: 'valid' }
  | { readonly state: 'invalid'; readonly reason: string; readonly path: string; readonly detail: string; readonly findings: number }
  | { readonly state: 'no-trust-anchors'; readonly detail: string }
  | { readonly state: 'cannot-verify'; readonly detail: string };

export interface CheckedProvenance {
  readonly partId: string;
  /** The bundle as the gateway sent it (the downloadable file). */
  readonly text: string;
  readonly bundle: unknown;
  readonly outcome: Outcome;
  readonly verdict: Verdict | null;
  /** The pins used (normalised hex), or null when the gateway publishes none. */
  readonly pins: readonly string[] | null;
  readonly cas: readonly ConfigCa[];
  readonly entries: readonly CheckedEntry[];
  /** For a public bundle: the entry fields the buyer disclosed; null for a full bundle. */
  readonly disclosedFields: readonly string[] | null;
  /** Claim results by verifier path (entries, machines, the order, …). */
  readonly claims: ReadonlyMap<string, ClaimStatus>;
}

/** Lower-case hex without separators, as the verifier compares fingerprints. */
export function normaliseFingerprint(f: string): string {
  return f.toLowerCase().replace(/[^0-9a-f]/g, '');
}

/**
 * Verify the bundle `text` against `pins` (SHA-256 of CA certificates, from /web-config.json).
 * With no pins it says so (`no-trust-anchors`) and trusts nothing; without Web Crypto (a page not
 * served over HTTPS or from localhost) it says it cannot verify. Never throws for a bad bundle.
 */
export async function checkProvenance(text: string, pins: readonly string[] | null, fallbackPartId: string): Promise<CheckedProvenance> {
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch {
    bundle = null;
  }
  const view = (bundle !== null && typeof bundle === 'object' ? bundle : {}) as BundleView;
  const normalisedPins = pins && pins.length > 0 ? pins.map(normaliseFingerprint) : null;
  let verdict: Verdict | null = null;
  let outcome: Outcome;
  if (!globalThis.crypto?.subtle) {
    outcome = { state: 'cannot-verify', detail: 'this browser offers no Web Crypto here: the app must be served over HTTPS (or from localhost) to check signatures' };
  } else {
    // Loaded on first use: certificate parsing is most of the app's code, and only these views need it.
    const { verifyBundle } = await import('@forgetrace/verifier');
    verdict = await verifyBundle(bundle, { pinnedFingerprints: normalisedPins ?? [] });
    if (verdict.valid) outcome = { state: 'valid' };
    else if (verdict.reason === 'no trust anchors') outcome = { state: 'no-trust-anchors', detail: normalisedPins ? 'none of the pinned CA fingerprints is a CA certificate of this bundle\'s channel configuration' : 'this gateway publishes no CA fingerprints to pin (trustedCaFingerprints in /web-config.json), and the app does not trust the CAs a bundle brings along' };
    else outcome = { state: 'invalid', reason: verdict.reason, path: verdict.path, detail: verdict.detail, findings: verdict.findings.length };
  }
  const claims = new Map<string, ClaimStatus>((verdict?.claims ?? []).map((c) => [c.path, c.valid ? 'verified' : 'unverified']));
  const entries = (Array.isArray(view.trace?.entries) ? view.trace.entries : []).map((entry, index) => checkedEntry(view, verdict, claims, entry, index));
  const disclosed = view.disclosure && Array.isArray(view.disclosure.fields) ? view.disclosure.fields.filter((f): f is string => typeof f === 'string') : null;
  return {
    partId: typeof view.partId === 'string' ? view.partId : fallbackPartId,
    text,
    bundle,
    outcome,
    verdict,
    pins: normalisedPins,
    cas: await configCas(view, normalisedPins ?? []),
    entries,
    disclosedFields: disclosed,
    claims,
  };
}

function checkedEntry(view: BundleView, verdict: Verdict | null, claims: ReadonlyMap<string, ClaimStatus>, entry: TraceEntry, index: number): CheckedEntry {
  const path = `trace.entries[${index}]`;
  const txIndex = (view.transactions ?? []).findIndex((t) => t?.digest?.txId === entry.txId);
  const tx = txIndex >= 0 ? view.transactions![txIndex] : undefined;
  const blockNumber = typeof tx?.blockNumber === 'number' ? tx.blockNumber : null;
  const blockIndex = blockNumber === null ? -1 : (view.blocks ?? []).findIndex((b) => b?.header?.number === blockNumber);
  const endorsers = Array.isArray(tx?.digest?.endorsements) ? tx.digest.endorsements.map((e) => e?.mspId).filter((m): m is string => typeof m === 'string') : [];
  const concerns = (p: string, prefix: string): boolean => p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}[`);
  const findings = (verdict?.findings ?? []).filter((f) => concerns(f.path, path) || (txIndex >= 0 && concerns(f.path, `transactions[${txIndex}]`)) || (blockIndex >= 0 && concerns(f.path, `blocks[${blockIndex}]`)));
  return {
    index,
    path,
    entry,
    evidence: {
      txId: typeof entry.txId === 'string' ? entry.txId : null,
      blockNumber,
      creatorMsp: typeof tx?.digest?.creator?.mspId === 'string' ? tx.digest.creator.mspId : null,
      endorsers: [...new Set(endorsers)],
      transaction: typeof tx?.digest?.function === 'string' ? tx.digest.function : null,
    },
    status: claims.get(path) ?? 'unverified',
    findings,
  };
}

/** Every CA certificate of the configuration with its SHA-256 fingerprint and whether it is pinned. */
async function configCas(view: BundleView, pins: readonly string[]): Promise<ConfigCa[]> {
  const config = view.config?.data?.config;
  if (!config || !globalThis.crypto?.subtle) return [];
  const orgs = [...(config.organizations ?? []).map((o) => ({ o, orderer: false })), ...(config.ordererOrganizations ?? []).map((o) => ({ o, orderer: true }))];
  const out: ConfigCa[] = [];
  for (const { o, orderer } of orgs) {
    for (const pem of Array.isArray(o?.rootCertificates) ? o.rootCertificates : []) {
      const fingerprint = await pemFingerprint(pem);
      if (fingerprint) out.push({ mspId: String(o.mspId), orderer, fingerprint, pinned: pins.includes(fingerprint) });
    }
  }
  return out;
}

/** SHA-256 (hex) of the DER inside a PEM certificate; null when it is not one. */
async function pemFingerprint(pem: string): Promise<string | null> {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(String(pem))?.[1]?.replace(/\s+/g, '');
  if (!body) return null;
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', der));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The status of a verifier claim path (`trace.machines.X.machine`, …); unverified when not checked. */
export function claimStatus(checked: CheckedProvenance, path: string): ClaimStatus {
  return checked.claims.get(path) ?? 'unverified';
}
