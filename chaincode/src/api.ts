/**
 * What the gateway and clients use from the chaincode package without loading the
 * contracts (and fabric-contract-api with them): record types, event names, the error
 * catalogue, canonical JSON and the collection layout.
 */
export * from './errors';
export * from './types';
export { canonicalJson } from './internal/canonical';
export { buildCollectionsConfig, termsCollection, type CollectionConfig } from './internal/collections';
export { USER_ROLES, type UserRole } from './internal/tx';
export { PART_TRANSITIONS, canTransition } from './rules/part-state';
export { MAX_ARG_BYTES, MAX_ORDER_QUANTITY } from './schemas';

/** Transient field that carries commercial terms (never written to a block). */
export const TERMS_TRANSIENT_KEY = 'terms';
export * as schemas from './schemas';
