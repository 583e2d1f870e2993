/**
 * GS1 standards for ForgeTrace: EPCIS 2.0 export and capture, CBV 2.0 event hashes, GS1 Digital
 * Link resolution. See README.md.
 */
export { EVENT_HASH_VERSION, contextPrefixes, eventHash, hashDigest, hashId, normaliseTimestamp, preHashString, STANDARD_PREFIXES } from './event-hash';
export { constrainDigitalLink, epcUriToDigitalLink, gs1CheckDigit, isValidGln, isValidGtin } from './gs1-uri';
export { FT_NAMESPACE, Identifiers, epcisSettingsFromEnv, epcisSettingsSchema, type EpcisSettings, type ParsedIdentifier } from './identifiers';
export { EPCIS_CONTEXT_URL, EXPORT_CONTEXT, traceToEpcis, type EpcisDocument, type EpcisEvent, type PartRef } from './export';
export { epcisDocumentSchema, validateEpcisDocument, type EpcisIssue, type EpcisValidation } from './validate';
export { EpcisStore, anchorPayload, type StoredEvent } from './epcis-store';
export { digitalLinkRouter, epcisApi, type EpcisApiOptions } from './epcis-api';
export { epcisFeature } from './epcis-feature';
