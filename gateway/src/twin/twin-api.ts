/**
 * The twin's REST routes as an {@link ApiExtension}:
 *
 * | route | roles |
 * | --- | --- |
 * | `PUT /v1/machines/{machineId}/twin` register the machine's twin (model) | factory_operator, admin of the owner |
 * | `GET /v1/machines/{machineId}/twin` current estimate with uncertainty | any |
 * | `GET /v1/machines/{machineId}/twin/history?from&to&points` downsampled series | any |
 * | `GET /v1/machines/{machineId}/twin/predictions?horizonHours` RUL band + predicted downtime | any |
 * | `GET /v1/machines/{machineId}/twin/anomalies?from&to&limit` anomaly episodes | any |
 * | `POST /v1/machines/{machineId}/twin/what-if` wear and risk of a proposed schedule | factory_operator, admin, auditor |
 * | `POST /v1/machines/{machineId}/telemetry` HTTP batch ingestion | factory_operator, admin of the owner |
 * | `GET /v1/machines/{machineId}/twin/local-snapshots` snapshots with ledger status (when a recorder is given) | any |
 * | `GET /v1/machines/{machineId}/telemetry/{seq}/proof` Merkle proof of a raw sample (when windows are given) | any |
 *
 * Errors are RFC 9457 problem documents through the gateway's one error middleware.
 */
import { extendZodWithOpenApi, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router, Request, Response } from 'express';
import { z } from 'zod';
import { schemas as S } from '@forgetrace/chaincode/api';
import { allow, type Role } from '../api/auth';
import { API_SECURITY, type ApiExtension } from '../api/openapi';
import { ApiError, route } from '../api/problem';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/port';
import { validate } from '../server';
import { TwinError } from './errors';
import { MODEL_IDS } from './models';
import type { MqttIngest } from './mqtt-ingest';
import { edgeEnvelopeSchema, type EdgeEnvelope } from './edge/envelope';
import type { EdgeReceiver } from './edge/edge-receiver';
import type { SnapshotRecorder } from './snapshots';
import type { TelemetryWindows } from './telemetry-windows';
import { MAX_BATCH, telemetryBatchSchema } from './telemetry';
import type { TwinService } from './twin-service';

/** What the twin routes need. */
export interface TwinApiDeps {
  readonly service: TwinService;
  /** To check machine ownership when a twin is registered (`machines:GetMachine`). */
  readonly ledger: LedgerClient;
  readonly recorder?: SnapshotRecorder;
  readonly windows?: TelemetryWindows;
  /** Receives edge agents' envelopes at `POST /v1/edge/envelopes` (closed with the extension). */
  readonly edge?: EdgeReceiver;
  /** Closed with the extension. */
  readonly mqtt?: MqttIngest;
}

extendZodWithOpenApi(z);

const ANY: Role[] = ['factory_operator', 'auditor', 'buyer', 'admin'];
const FACTORY: Role[] = ['factory_operator', 'admin'];
const ANALYSTS: Role[] = ['factory_operator', 'admin', 'auditor'];

const machineParams = z.object({ machineId: S.id });
const iso = z.iso.datetime({ offset: true });
const historyQuery = z.object({
  from: iso.optional().openapi({ description: 'Start (default: 24 h before `to`)' }),
  to: iso.optional().openapi({ description: 'End (default: now)' }),
  points: z.coerce.number().int().min(1).max(2000).default(200).openapi({ description: 'Most points returned' }),
});
const predictionsQuery = z.object({ horizonHours: z.coerce.number().min(1).max(24 * 365).default(24 * 14) });
const anomaliesQuery = z.object({ from: iso.optional(), to: iso.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });
const registerBody = z.strictObject({ model: z.enum(MODEL_IDS as [string, ...string[]]).openapi({ description: `Twin model: ${MODEL_IDS.join(', ')}` }) });
const operation = z.strictObject({ start: iso, end: iso, load: z.number().min(0).max(1), speed: z.number().min(0).max(1) });
const whatIfBody = z.strictObject({ operations: z.array(operation).min(1).max(500) });
const proofParams = z.object({ machineId: S.id, seq: z.coerce.number().int().min(0) });
const json = (description: string) => ({ description, content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } });

/** TwinError → ApiError (the gateway's catalogue), keeping the twin code. */
function toApi(e: unknown): unknown {
  if (!(e instanceof TwinError)) return e;
  const ext = { twinCode: e.code, ...e.details };
  switch (e.code) {
    case 'UNKNOWN_MACHINE':
    case 'SAMPLE_NOT_ANCHORED':
      return new ApiError('NOT_FOUND', e.message, ext);
    case 'MACHINE_EXISTS':
      return new ApiError('CONFLICT', e.message, ext);
    case 'INVALID_SCHEDULE':
    case 'INVALID_SAMPLE':
      return new ApiError('VALIDATION_FAILED', e.message, ext);
    case 'INVALID_RANGE':
    case 'UNKNOWN_MODEL':
      return new ApiError('BAD_REQUEST', e.message, ext);
    case 'BACKPRESSURE':
      return new ApiError('RATE_LIMITED', e.message, ext);
    default:
      return new ApiError('INTERNAL', e.message, ext);
  }
}

/** `route` that maps twin errors. */
const twinRoute = (h: (req: Request, res: Response) => Promise<void> | void) => route(async (req, res) => {
  try {
    await h(req, res);
  } catch (e) {
    throw toApi(e);
  }
});

/** The caller must belong to the machine's owner organisation. */
function requireOwner(req: Request, ownerMsp: string, what: string): void {
  const msp = req.principal!.identity.mspId;
  if (msp !== ownerMsp) throw new ApiError('FORBIDDEN', `${what}: machine belongs to ${ownerMsp}, caller ${req.principal!.userId} acts for ${msp}`);
}

/**
 * The twin routes.
 * @param deps - the twin service, the ledger client, and optionally the snapshot recorder,
 *   telemetry windows and MQTT ingest (closed with the extension)
 */
export function twinApi(deps: TwinApiDeps): ApiExtension {
  const { service } = deps;
  return {
    name: 'twin',
    register(v1: Router) {
      v1.put('/machines/:machineId/twin', allow(...FACTORY), twinRoute(async (req, res) => {
        const { machineId } = validate(machineParams, req.params, 'path');
        const body = validate(registerBody, req.body, 'body');
        let owner: string;
        try {
          owner = (await deps.ledger.evaluate<{ ownerMsp: string }>(req.principal!.identity, 'machines:GetMachine', [machineId])).ownerMsp;
        } catch (e) {
          if (e instanceof LedgerError && e.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', `machine ${machineId} is not registered on the ledger`, { ledgerCode: e.code });
          throw e;
        }
        requireOwner(req, owner, 'registering a twin');
        const existed = service.machineIds().includes(machineId);
        service.register(machineId, body.model, owner);
        res.status(existed ? 200 : 201).json(service.estimate(machineId));
      }));
      v1.get('/machines/:machineId/twin', allow(...ANY), twinRoute((req, res) => {
        const { machineId } = validate(machineParams, req.params, 'path');
        res.json(service.estimate(machineId));
      }));
      v1.get('/machines/:machineId/twin/history', allow(...ANY), twinRoute((req, res) => {
        const { machineId } = validate(machineParams, req.params, 'path');
        const q = validate(historyQuery, req.query, 'query');
        const to = q.to ? Date.parse(q.to) : (service.machine(machineId).twin.lastTime ?? Date.now()) + 1;
        const from = q.from ? Date.parse(q.from) : to - 86_400_000;
        const points = service.history(machineId, from, to, q.points);
        res.json({ machineId, from: new Date(from).toISOString(), to: new Date(to).toISOString(), points: points.map((p) => ({ ...p, t: new Date(p.t).toISOString() })) });
      }));
      v1.get('/machines/:machineId/twin/predictions', allow(...ANY), twinRoute((req, res) => {
        const { machineId } = validate(machineParams, req.params, 'path');
        const q = validate(predictionsQuery, req.query, 'query');
        const p = service.predictions(machineId, q.horizonHours);
        res.json({ ...p, at: p.at === null ? null : new Date(p.at).toISOString(), downtime: p.downtime.map((d) => ({ ...d, start: new Date(d.start).toISOString(), end: new Date(d.end).toISOString() })) });
      }));
      v1.get('/machines/:machineId/twin/anomalies', allow(...ANY), twinRoute((req, res) => {
        const { machineId } = validate(machineParams, req.params, 'path');
        const q = validate(anomaliesQuery, req.query, 'query');
        const list = service.anomalies(machineId, q.from ? Date.parse(q.from) : undefined, q.to ? Date.parse(q.to) : undefined, q.limit);
        res.json({ machineId, anomalies: list.map((a) => ({ ...a, startedAt: new Date(a.startedAt).toISOString(), endedAt: a.endedAt === null ? null : new Date(a.endedAt).toISOString() })) });
      }));
      v1.post('/machines/:machineId/twin/what-if', allow(...ANALYSTS), twinRoute((req, res) => {
        const { machineId } = validate(machineParams, req.params, 'path');
        const body = validate(whatIfBody, req.body, 'body');
        const r = service.whatIf(machineId, body.operations.map((o) => ({ start: Date.parse(o.start), end: Date.parse(o.end), load: o.load, speed: o.speed })));
        const isoOrNull = (v: number | null) => (v === null ? null : new Date(v).toISOString());
        res.json({
          machineId, ...r,
          crossing: { p10: isoOrNull(r.crossing.p10), p50: isoOrNull(r.crossing.p50), p90: isoOrNull(r.crossing.p90) },
          operations: r.operations.map((o) => ({ ...o, start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString() })),
          downtime: r.downtime.map((d) => ({ ...d, start: new Date(d.start).toISOString(), end: new Date(d.end).toISOString() })),
        });
      }));
      v1.post('/machines/:machineId/telemetry', allow(...FACTORY), twinRoute(async (req, res) => {
        const { machineId } = validate(machineParams, req.params, 'path');
        const entry = service.machine(machineId);
        requireOwner(req, entry.ownerMsp, 'sending telemetry');
        validate(telemetryBatchSchema, req.body, 'body');
        const r = await service.offer(machineId, req.body, 'http', { wait: false });
        if (!r.accepted) {
          if (r.reason === 'backpressure') {
            res.set('Retry-After', '1');
            throw new ApiError('RATE_LIMITED', r.detail ?? 'ingest queue full', { twinCode: 'BACKPRESSURE' });
          }
          throw new ApiError('VALIDATION_FAILED', r.detail ?? 'telemetry rejected', { twinCode: 'INVALID_SAMPLE', reason: r.reason });
        }
        res.status(202).json({ machineId, filtered: r.filtered, duplicates: r.duplicates, late: r.late });
      }));
      if (deps.recorder) {
        const recorder = deps.recorder;
        v1.get('/machines/:machineId/twin/local-snapshots', allow(...ANY), twinRoute((req, res) => {
          const { machineId } = validate(machineParams, req.params, 'path');
          service.machine(machineId);
          res.json({ machineId, snapshots: recorder.list(machineId).map((s) => ({ id: s.snapshot.id, reason: s.snapshot.reason, observedAt: s.snapshot.observedAt, snapshotHash: s.snapshotHash, state: s.state, transactionId: s.transactionId, healthIndex: s.snapshot.healthIndex })) });
        }));
      }
      if (deps.edge) {
        const edge = deps.edge;
        v1.post('/edge/envelopes', allow(...FACTORY), twinRoute((req, res) => {
          const envelope = validate(edgeEnvelopeSchema, req.body, 'body') as EdgeEnvelope;
          res.json(edge.accept(envelope, req.principal!.identity.mspId));
        }));
      }
      if (deps.windows) {
        const windows = deps.windows;
        v1.get('/machines/:machineId/telemetry/:seq/proof', allow(...ANY), twinRoute((req, res) => {
          const { machineId, seq } = validate(proofParams, req.params, 'path');
          res.json(windows.proveSample(machineId, seq));
        }));
      }
    },
    document(registry: OpenAPIRegistry, problemResponses: Record<string, object>) {
      const tags = ['twins'];
      const security = API_SECURITY;
      const path = (p: string) => `/v1/machines/{machineId}${p}`;
      registry.registerPath({ method: 'put', path: path('/twin'), summary: 'Register the machine’s twin with a model (roles: factory_operator, admin of the owner)', tags, security, request: { params: machineParams, body: { required: true, content: { 'application/json': { schema: registerBody } } } }, responses: { 201: json('The new twin’s estimate'), 200: json('Already registered with this model'), ...problemResponses } });
      registry.registerPath({ method: 'get', path: path('/twin'), summary: 'Current twin estimate with uncertainty (states, covariance, wear, health index, open anomaly)', tags, security, request: { params: machineParams }, responses: { 200: json('The estimate'), ...problemResponses } });
      registry.registerPath({ method: 'get', path: path('/twin/history'), summary: 'Downsampled history of the filtered states and raw readings, for charts', tags, security, request: { params: machineParams, query: historyQuery }, responses: { 200: json('Points'), ...problemResponses } });
      registry.registerPath({ method: 'get', path: path('/twin/predictions'), summary: 'Remaining useful life (p10/p50/p90 hours to the wear limit) and predicted maintenance downtime', tags, security, request: { params: machineParams, query: predictionsQuery }, responses: { 200: json('Predictions'), ...problemResponses } });
      registry.registerPath({ method: 'get', path: path('/twin/anomalies'), summary: 'Anomaly episodes, newest first', tags, security, request: { params: machineParams, query: anomaliesQuery }, responses: { 200: json('Episodes'), ...problemResponses } });
      registry.registerPath({ method: 'post', path: path('/twin/what-if'), summary: 'Predicted wear, risk and downtime if the given operations run on the machine (roles: factory_operator, admin, auditor)', tags, security, request: { params: machineParams, body: { required: true, content: { 'application/json': { schema: whatIfBody } } } }, responses: { 200: json('Prediction'), ...problemResponses } });
      registry.registerPath({ method: 'post', path: path('/telemetry'), summary: `Telemetry batch (at most ${MAX_BATCH} samples; roles: factory_operator, admin of the owner); 429 with Retry-After when the ingest queue is full`, tags, security, request: { params: machineParams, body: { required: true, content: { 'application/json': { schema: telemetryBatchSchema } } } }, responses: { 202: json('Filtered, duplicate and late counts'), ...problemResponses } });
      if (deps.recorder) registry.registerPath({ method: 'get', path: path('/twin/local-snapshots'), summary: 'Snapshots this gateway took, with their ledger status', tags, security, request: { params: machineParams }, responses: { 200: json('Snapshots'), ...problemResponses } });
      if (deps.edge) registry.registerPath({ method: 'post', path: '/v1/edge/envelopes', summary: 'Signed envelope of an edge agent (samples, summaries, snapshots); records already applied are skipped (roles: factory_operator, admin)', tags, security, request: { body: { required: true, content: { 'application/json': { schema: edgeEnvelopeSchema } } } }, responses: { 200: json('Applied and duplicate counts'), ...problemResponses } });
      if (deps.windows) registry.registerPath({ method: 'get', path: path('/telemetry/{seq}/proof'), summary: 'Merkle proof of one raw telemetry sample: sample → window root → anchor on the ledger', tags, security, request: { params: proofParams }, responses: { 200: json('Proof'), ...problemResponses } });
    },
    async close() {
      await deps.mqtt?.close();
      await deps.recorder?.close();
      deps.windows?.close();
      deps.edge?.close();
    },
  };
}
