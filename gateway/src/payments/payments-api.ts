/**
 * The payments routes of the gateway, as an {@link ApiExtension}:
 *   GET  /v1/orders/{orderId}/payments       escrow status of a ledger order (any role)
 *   POST /v1/orders/{orderId}/payments/fund  fund it (buyer of the order): with `from`, answers the
 *        transactions that address must sign (200); without, signs and sends them with the gateway's
 *        funding key (201).
 * Errors are problem+json; `paymentsCode` carries the payments catalogue code.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Order } from '@forgetrace/chaincode/api';
import type { Router } from 'express';
import { z } from 'zod';
import { allow } from '../api/auth';
import { API_SECURITY, type ApiExtension } from '../api/openapi';
import { ApiError, route, type ApiErrorCode } from '../api/problem';
import type { LedgerClient } from '../ledger/ledger-client';
import { params, validate } from '../server';
import type { EscrowClient, EscrowOrder, FundingPlan } from './escrow-client';
import { PaymentsError } from './errors';
import { MILESTONE_KINDS } from './milestones';
import type { PaymentsAgent } from './payments-agent';

/** Options of {@link paymentsApi}. */
export interface PaymentsApiOptions {
  /** The escrow (with the gateway's funding key, if it may fund for its buyers). */
  readonly escrow: EscrowClient;
  /** Ledger the routes check orders on, as the calling user's identity. */
  readonly ledger: LedgerClient;
  /** The gateway's payments agent, stopped (with the escrow client) when the extension closes. */
  readonly agent?: PaymentsAgent;
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be an address: 0x and 40 hex digits');
/** Body of POST /v1/orders/{orderId}/payments/fund. */
export const fundingBody = z.strictObject({
  token: address,
  payees: z.array(address).min(1).max(8),
  milestones: z.array(z.strictObject({
    kind: z.enum(MILESTONE_KINDS),
    amount: z.string().regex(/^[1-9][0-9]{0,37}$/, 'must be a positive integer in the token\'s smallest unit, as a decimal string'),
    deadline: z.iso.datetime({ offset: true }),
    shares: z.array(z.int().min(0).max(10_000)).min(1).max(8),
  })).min(1).max(16),
  from: address.optional(),
});

const STATUS_OF: Readonly<Record<number, ApiErrorCode>> = { 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 503: 'LEDGER_UNAVAILABLE' };

/** Map a payments failure onto the API's catalogue, keeping its own code as `paymentsCode`. */
export function toApiError(e: PaymentsError): ApiError {
  const code: ApiErrorCode = e.code === 'CHAIN_REJECTED' ? 'LEDGER_REJECTED' : e.status === 422 ? 'VALIDATION_FAILED' : (STATUS_OF[e.status] ?? 'INTERNAL');
  return new ApiError(code, e.message, { paymentsCode: e.code });
}

/** The JSON form of an escrowed order. */
export function escrowStatusJson(escrow: EscrowClient, order: EscrowOrder, owed: ReadonlyMap<string, bigint>): Record<string, unknown> {
  return {
    orderId: order.ledgerOrderId,
    escrowOrderId: order.escrowOrderId,
    escrow: { chainId: escrow.chainId.toString(), address: escrow.address },
    buyer: order.buyer,
    token: order.token,
    nonce: order.nonce.toString(),
    total: order.total.toString(),
    payees: order.payees,
    milestones: order.milestones.map((m) => ({
      index: m.index, kind: m.kind, status: m.status, amount: m.amount.toString(), deadline: new Date(m.deadline * 1000).toISOString(),
      shares: m.shares.map((bps, i) => ({ payee: order.payees[i], bps })),
    })),
    owed: Object.fromEntries([...owed].map(([a, v]) => [a, v.toString()])),
  };
}

/** The payments routes as an API extension. */
export function paymentsApi(options: PaymentsApiOptions): ApiExtension {
  const { escrow, ledger } = options;
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      throw e instanceof PaymentsError ? toApiError(e) : e;
    }
  };
  return {
    name: 'payments',
    register(v1: Router) {
      v1.get('/orders/:orderId/payments', allow('admin', 'buyer', 'factory_operator', 'auditor'), route(async (req, res) => {
        const { orderId } = params(req);
        await ledger.evaluate<Order>(req.principal!.identity, 'orders:GetOrder', [orderId!]);
        const body = await guard(async () => {
          const order = await escrow.order(orderId!);
          if (!order) throw new PaymentsError('ESCROW_NOT_FOUND', { orderId, escrow: escrow.address });
          const owed = new Map<string, bigint>();
          for (const account of [order.buyer, ...order.payees]) owed.set(account, await escrow.owed(order.token, account));
          return escrowStatusJson(escrow, order, owed);
        });
        res.json(body);
      }));
      v1.post('/orders/:orderId/payments/fund', allow('buyer'), route(async (req, res) => {
        const { orderId } = params(req);
        const body = validate(fundingBody, req.body, 'body');
        const principal = req.principal!;
        const order = await ledger.evaluate<Order>(principal.identity, 'orders:GetOrder', [orderId!]);
        const plan: FundingPlan = {
          ledgerOrderId: orderId!,
          token: body.token,
          payees: body.payees,
          milestones: body.milestones.map((m) => ({ kind: m.kind, amount: BigInt(m.amount), deadline: Math.floor(Date.parse(m.deadline) / 1000), shares: m.shares })),
        };
        const result = await guard(async () => {
          if (order.buyerMsp !== principal.identity.mspId) throw new PaymentsError('NOT_THE_BUYER', { orderId, buyerMsp: order.buyerMsp, mspId: principal.identity.mspId });
          if (order.status !== 'open') throw new PaymentsError('ORDER_NOT_OPEN', { orderId, status: order.status });
          if (body.from) return { status: 200, json: { orderId, transactions: await escrow.fundingTransactions(body.from, plan) } };
          const funded = await escrow.fund(plan);
          return { status: 201, json: { orderId, escrowOrderId: funded.escrowOrderId, nonce: funded.nonce.toString(), transactionHashes: funded.transactionHashes } };
        });
        res.status(result.status).location(`/v1/orders/${encodeURIComponent(orderId!)}/payments`).json(result.json);
      }));
    },
    document(registry: OpenAPIRegistry, problemResponses: Record<string, object>) {
      const params = z.object({ orderId: z.string() });
      const security = API_SECURITY;
      registry.registerPath({
        method: 'get', path: '/v1/orders/{orderId}/payments', tags: ['payments'], security,
        summary: 'Escrow status of an order: milestones, statuses, amounts, payee shares, withdrawable balances (roles: admin, buyer, factory_operator, auditor)',
        request: { params },
        responses: { '200': { description: 'The escrowed order', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, ...problemResponses },
      });
      registry.registerPath({
        method: 'post', path: '/v1/orders/{orderId}/payments/fund', tags: ['payments'], security,
        summary: 'Fund an order in escrow (role: buyer of the order). With "from": the transactions to sign (200); without: signed with the gateway\'s funding key (201)',
        request: { params, body: { required: true, content: { 'application/json': { schema: fundingBody } } } },
        responses: {
          '200': { description: '{ orderId, transactions: [{ purpose, chainId, from, to, data, value }] }', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
          '201': { description: '{ orderId, escrowOrderId, nonce, transactionHashes }', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
          ...problemResponses,
        },
      });
    },
    async close() {
      await options.agent?.stop();
      escrow.close();
    },
  };
}
