/**
 * /v1/anchoring: read an off-chain record with its inclusion proof and anchor, and
 * `POST /v1/verify` to check a record proof against the ledger (valid, or the failing step).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { Anchor } from '@forgetrace/chaincode/api';
import { allow } from '../api/auth';
import { API_SECURITY, type ApiExtension } from '../api/openapi';
import { ApiError, route } from '../api/problem';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/port';
import { validate } from '../server';
import type { AnchorOutbox } from './anchor-outbox';
import { explainRecordProof, type RecordProof } from './record-proof';

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x and 64 hex digits');
export const recordProofSchema = z.strictObject({
  recordId: z.string().min(1).max(128),
  leaf: z.tuple([z.string().min(1).max(128), hex32]),
  root: hex32,
  proof: z.array(hex32).max(64),
  anchorId: z.string().min(1).max(64),
  transactionId: z.string().min(1).max(128),
  blockNumber: z.int().min(0).nullable(),
}).openapi('RecordProof');
export const verifyInput = z.strictObject({ payload: z.unknown(), proof: recordProofSchema }).openapi('VerifyRecordInput');
const recordId = z.string().regex(/^[0-9a-f-]{36}$/, 'must be a record id (a UUID)');

/** The anchoring routes over this gateway's outbox and ledger. */
export function anchoringApi(outbox: AnchorOutbox, ledger: LedgerClient): ApiExtension {
  return {
    name: 'anchoring',
    register(v1: Router) {
      v1.get('/anchoring/records/:recordId', allow('admin', 'factory_operator', 'auditor'), route(async (req, res) => {
        const id = validate(recordId, req.params.recordId, 'recordId');
        const record = outbox.get(id);
        if (!record) throw new ApiError('NOT_FOUND', `no record ${id} in this gateway's outbox`);
        if (record.state !== 'anchored') return void res.json({ record, proof: null, anchor: null });
        const proof = outbox.proof(id);
        const anchor = await ledger.evaluate<Anchor>(req.principal!.identity, 'anchors:GetAnchor', [proof.anchorId]);
        res.json({ record, proof, anchor });
      }));
      v1.post('/verify', allow('admin', 'factory_operator', 'auditor', 'buyer'), route(async (req, res) => {
        const body = validate(verifyInput, req.body, 'body');
        let anchor: Anchor;
        try {
          anchor = await ledger.evaluate<Anchor>(req.principal!.identity, 'anchors:GetAnchor', [body.proof.anchorId]);
        } catch (e) {
          if (e instanceof LedgerError && e.code === 'NOT_FOUND') return void res.json({ valid: false, reason: 'anchor not found', detail: `anchor ${body.proof.anchorId} is not on the ledger` });
          throw e;
        }
        const verdict = explainRecordProof(body.payload, body.proof as RecordProof, anchor);
        res.json(verdict.valid ? { valid: true, anchor } : verdict);
      }));
    },
    document(registry: OpenAPIRegistry, problems: Record<string, object>) {
      const security = API_SECURITY;
      registry.registerPath({ method: 'get', path: '/v1/anchoring/records/{recordId}', tags: ['anchors'], summary: 'An off-chain record of this gateway with its Merkle inclusion proof and the anchor on the ledger (proof null until anchored)', security, request: { params: z.object({ recordId }) }, responses: { '200': { description: '{record, proof, anchor}', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, ...problems } });
      registry.registerPath({ method: 'post', path: '/v1/verify', tags: ['anchors'], summary: 'Verify a record and its proof against the anchor on the ledger: {valid: true} or {valid: false, reason, detail} (anchor not found, anchor mismatch, payload does not match the leaf, wrong Merkle path, root differs from the anchor)', security, request: { body: { required: true, content: { 'application/json': { schema: verifyInput } } } }, responses: { '200': { description: 'The verdict', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, ...problems } });
    },
  };
}
