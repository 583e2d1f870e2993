/**
 * The embedded ledger — a test double for Hyperledger Fabric that runs the real chaincode
 * package in-process with Fabric's semantics. See README.md.
 */
export { EmbeddedLedger } from './embedded-ledger';
export type { EmbeddedLedgerOptions, SimulateOptions, SimulationResult, KeyModification, CollectionConfig, OrganizationConfig } from './embedded-ledger';
export { LedgerCorruptedError, LedgerLockedError } from './errors';
export { DevOrganization, createDevOrganization, saveDevOrganization, loadDevOrganization, FABRIC_ATTRIBUTES_OID } from './identity';
export type { IssueIdentityOptions, DevOrganizationOptions } from './identity';
export { parseMemberPolicy } from './internal/collections';
export { compareKeys } from './internal/keys';
export type { Block, BlockData, BlockTransaction, ChannelConfig, KeyVersion, ReadWriteSet, ValidationCode } from './types';
