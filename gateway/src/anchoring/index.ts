/** The anchoring outbox: durable records, Merkle batches, one ledger anchor per batch. */
export { AnchorOutbox, DEFAULT_MAX_BATCH_SIZE, OUTBOX_ALGORITHM, OUTBOX_ALGORITHM_VERSION, type AnchorOutboxOptions, type FlushResult, type NewRecord, type OutboxRecord, type OutboxStep, type RecordState } from './anchor-outbox';
export { explainRecordProof, LEAF_ENCODING, leafSetHash, payloadHash, recordLeaf, verifyRecordProof, type OutboxLeaf, type RecordProof, type RecordProofVerdict } from './record-proof';
