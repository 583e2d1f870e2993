/**
 * /v1/schedules: start an asynchronous solve over orders (202 + a schedule resource whose
 * progress and best-so-far objective can be read while it runs), read the plan with Gantt-ready
 * data and the Merkle leaves an auditor needs, cancel, and accept (anchor + job assignments).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { schemas as S } from '@forgetrace/chaincode/api';
import { allow } from '../../api/auth';
import { API_SECURITY, type ApiExtension } from '../../api/openapi';
import { ApiError, route } from '../../api/problem';
import { validate } from '../../server';
import { PLAN_ALGORITHM, PLAN_ALGORITHM_VERSION, PLAN_LEAF_ENCODING, planLeaves, planRoot, ScheduleInputError, type ScheduleRun, type ScheduleService } from './schedule-service';

const weights = z.strictObject({ makespan: z.number().min(0).max(1e6), tardiness: z.number().min(0).max(1e6), cost: z.number().min(0).max(1e6) })
  .refine((w) => w.makespan + w.tardiness + w.cost > 0, { message: 'at least one weight must be positive' });

export const scheduleRequest = z.strictObject({
  orders: z.array(S.id).min(1, 'name at least one order').max(200).refine((a) => new Set(a).size === a.length, { message: 'must not repeat an order' }),
  startAt: S.timestamp.optional(),
  weights: weights.optional(),
  seed: z.int().min(0).max(2 ** 31 - 1).optional(),
  timeLimitSeconds: z.number().positive().max(120).optional(),
  generations: z.int().min(1).max(5000).optional(),
  pareto: z.boolean().optional(),
  transportMinutes: z.int().min(0).max(10_080).optional(),
  defaultMinutes: z.int().min(1).max(10_080).optional(),
}).openapi('ScheduleRequest');

const scheduleId = z.string().regex(/^S-[0-9a-f]{12}$/, 'must be a schedule id such as S-0123456789ab');

/** The schedule resource as the API shows it. */
export function view(run: ScheduleRun): Record<string, unknown> {
  const r = run.result;
  const out: Record<string, unknown> = {
    id: run.id, status: run.status, request: run.request, inputHash: run.inputHash, createdBy: run.createdBy,
    progress: run.progress, algorithm: { name: PLAN_ALGORITHM, version: PLAN_ALGORITHM_VERSION },
  };
  if (run.error) out.error = run.error;
  if (r && run.assignments) {
    out.objective = { makespanMinutes: r.plan.makespan, totalWeightedTardiness: r.plan.totalWeightedTardiness, cost: r.plan.cost, value: r.plan.objective };
    out.lowerBoundMinutes = r.lowerBounds.best;
    out.lpLowerBoundMinutes = r.lowerBounds.lp ?? null;
    out.stats = r.stats;
    out.violations = r.plan.lateJobs.map((l) => ({ kind: 'late', partId: l.job, dueMinute: l.due, completionMinute: l.completion, tardinessMinutes: l.tardiness }));
    out.assignments = run.assignments;
    const byMachine = new Map<string, { machineId: string; factoryMsp: string; bars: unknown[] }>();
    for (const a of run.assignments) {
      const row = byMachine.get(a.machineId) ?? { machineId: a.machineId, factoryMsp: a.factoryMsp, bars: [] };
      row.bars.push({ partId: a.partId, operationIndex: a.operationIndex, process: a.process, start: a.plannedStart, end: a.plannedEnd });
      byMachine.set(a.machineId, row);
    }
    out.gantt = [...byMachine.values()].sort((x, y) => (x.machineId < y.machineId ? -1 : 1));
    if (r.pareto) out.pareto = r.pareto.map((p) => ({ makespanMinutes: p.makespan, totalWeightedTardiness: p.totalWeightedTardiness, cost: p.cost }));
    const leaves = planLeaves(run.assignments);
    out.merkle = { encoding: PLAN_LEAF_ENCODING, leaves, root: planRoot(leaves) };
  }
  if (run.acceptance) out.acceptance = run.acceptance;
  return out;
}

function mapError(e: unknown): never {
  if (e instanceof ScheduleInputError) {
    if (e.code === 'NOT_FOUND') throw new ApiError('NOT_FOUND', e.message);
    if (e.code === 'NOT_DONE' || e.code === 'ALREADY_SCHEDULED' || e.code === 'ALREADY_ACCEPTED') throw new ApiError('CONFLICT', e.message, { reason: e.code });
    throw new ApiError('VALIDATION_FAILED', e.message, { reason: e.code });
  }
  throw e;
}

/** The schedules routes as a gateway extension. */
export function scheduleApi(service: ScheduleService): ApiExtension {
  const find = (req: Request): ScheduleRun => {
    const id = validate(scheduleId, req.params.scheduleId, 'scheduleId');
    const run = service.get(id);
    if (!run) throw new ApiError('NOT_FOUND', `no schedule ${id} on this gateway (runs are kept in memory until accepted)`);
    return run;
  };
  return {
    name: 'schedules',
    register(v1: Router) {
      v1.post('/schedules', allow('admin', 'factory_operator', 'buyer'), route(async (req: Request, res: Response) => {
        const body = validate(scheduleRequest, req.body, 'body');
        const run = await service.start(body, req.principal!.userId).catch(mapError);
        res.status(202).set('Location', `/v1/schedules/${run.id}`).json(view(run));
      }));
      v1.get('/schedules', allow('admin', 'factory_operator', 'buyer', 'auditor'), route(async (_req, res) => {
        res.json({ items: service.list().map((r) => ({ id: r.id, status: r.status, orders: r.request.orders, progress: r.progress, createdBy: r.createdBy })), nextCursor: null });
      }));
      v1.get('/schedules/:scheduleId', allow('admin', 'factory_operator', 'buyer', 'auditor'), route(async (req, res) => {
        res.json(view(find(req)));
      }));
      v1.post('/schedules/:scheduleId/cancellation', allow('admin', 'factory_operator', 'buyer'), route(async (req, res) => {
        res.json(view(await service.cancel(find(req).id).catch(mapError)));
      }));
      v1.post('/schedules/:scheduleId/acceptance', allow('admin'), route(async (req, res) => {
        const run = find(req);
        res.json(view(await service.accept(run.id, req.principal!.identity).catch(mapError)));
      }));
    },
    document(registry: OpenAPIRegistry, problems: Record<string, object>) {
      const security = API_SECURITY;
      const resource = { description: 'The schedule: status, progress, and once solved the plan (assignments, Gantt rows, objective, lower bound, violations, Merkle leaves)', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } };
      const params = z.object({ scheduleId });
      registry.registerPath({ method: 'post', path: '/v1/schedules', tags: ['schedules'], summary: 'Start solving a schedule over orders (roles: admin, factory_operator, buyer); 202 with the schedule resource', security, request: { body: { required: true, content: { 'application/json': { schema: scheduleRequest } } } }, responses: { '202': resource, ...problems } });
      registry.registerPath({ method: 'get', path: '/v1/schedules', tags: ['schedules'], summary: 'Schedules on this gateway, newest first', security, responses: { '200': resource, ...problems } });
      registry.registerPath({ method: 'get', path: '/v1/schedules/{scheduleId}', tags: ['schedules'], summary: 'A schedule: progress while running, the plan when done', security, request: { params }, responses: { '200': resource, ...problems } });
      registry.registerPath({ method: 'post', path: '/v1/schedules/{scheduleId}/cancellation', tags: ['schedules'], summary: 'Stop a running solve (its partial result is discarded)', security, request: { params }, responses: { '200': resource, ...problems } });
      registry.registerPath({ method: 'post', path: '/v1/schedules/{scheduleId}/acceptance', tags: ['schedules'], summary: 'Accept the plan (admin): anchor its Merkle root and assign every operation on the ledger', security, request: { params }, responses: { '200': resource, ...problems } });
    },
    close: () => service.close(),
  };
}
