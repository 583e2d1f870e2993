/**
 * @forgetrace/verifier — checks ForgeTrace provenance bundles offline, in Node or a browser.
 * The evidence functions are also what the embedded ledger uses to sign and hash.
 */
export * from './bundle';
export { canonicalJson } from './canonical';
export { stampTx, traceClaims, type Claim } from './claims';
export { CertificateCache, derToP1363, type ParsedCertificate } from './crypto';
export * from './evidence';
export * from './disclosure';
export { MAX_TRACE_ENTRIES, subjectGaps, walkSubjects, type SubjectGap, type WalkedSubject } from './completeness';
export { verifyBundle, type ClaimResult, type Completeness, type FailureReason, type Finding, type Verdict, type VerifyOptions } from './verify';
