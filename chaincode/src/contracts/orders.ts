import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { TERMS_TRANSIENT_KEY } from '../api';
import { ChaincodeError } from '../errors';
import { canonicalJson } from '../internal/canonical';
import { termsCollection } from '../internal/collections';
import { KEY } from '../internal/keys';
import { assertAbsent, callerMember, getLot, getMember, getPart, recordAt, saveLotWithEvent, savePartWithEvent, stamp } from '../internal/records';
import { sha256Hex, Tx } from '../internal/tx';
import { requireMemberKind, requireOrg, requireRole } from '../rules/access';
import { assertTransition } from '../rules/part-state';
import * as S from '../schemas';
import { EVENTS, type Component, type Job, type Lot, type LotEvent, type Order, type Part, type PartEvent, type PartStatus } from '../types';


const CANCELLABLE: readonly PartStatus[] = ['created', 'scheduled', 'in_production'];

/** Orders for custom parts, the parts themselves, material lots and bills of materials. */
@Info({ title: 'Orders', description: 'Orders, parts, lots and bills of materials' })
export class OrdersContract extends Contract {
  constructor() {
    super('orders');
  }

  /**
   * Register a material lot owned by the caller's factory.
   * @throws NOT_A_MEMBER, ACCESS_DENIED, ALREADY_EXISTS, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async RegisterLot(ctx: Context, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.lotInput, 'input', input);
    requireRole(tx.caller, ['factory_operator', 'admin'], 'RegisterLot');
    await callerMember(tx, ['factory'], 'RegisterLot');
    const key = tx.key(KEY.lot, data.id);
    await assertAbsent(tx, key, 'lot', data.id);
    const lot: Lot = {
      id: data.id,
      ownerMsp: tx.caller.mspId,
      material: data.material,
      supplier: data.supplier,
      quantity: data.quantity,
      remaining: data.quantity,
      unit: data.unit,
      certificateHash: data.certificateHash ?? null,
      eventCount: 0,
      created: stamp(tx),
    };
    const saved = await saveLotWithEvent(tx, lot, 'registered', { material: lot.material, supplier: lot.supplier, quantity: lot.quantity, unit: lot.unit });
    tx.emit(EVENTS.LotRegistered, { lotId: saved.id, ownerMsp: saved.ownerMsp });
    return canonicalJson(saved);
  }

  /** One lot. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetLot(ctx: Context, lotId: string): Promise<string> {
    return canonicalJson(await getLot(new Tx(ctx), S.parseValue(S.id, 'lotId', lotId)));
  }

  /**
   * Order a custom part: one part record per unit, each with its own serial.
   * The caller needs role buyer or admin in a buyer or factory organisation.
   * @throws NOT_A_MEMBER, ACCESS_DENIED, ALREADY_EXISTS, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async CreateOrder(ctx: Context, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const data = S.parseArg(S.orderInput, 'input', input);
    requireRole(tx.caller, ['buyer', 'admin'], 'CreateOrder');
    await callerMember(tx, ['buyer', 'factory'], 'CreateOrder');
    const partIds = Array.from({ length: data.quantity }, (_, i) => `${data.id}.${i + 1}`);
    const longest = partIds[partIds.length - 1]!;
    S.parseValue(S.id, 'input.id', longest);
    const key = tx.key(KEY.order, data.id);
    await assertAbsent(tx, key, 'order', data.id);
    const order: Order = {
      id: data.id,
      buyerMsp: tx.caller.mspId,
      spec: data.spec,
      operations: data.operations,
      quantity: data.quantity,
      dueDate: data.dueDate,
      partIds,
      status: 'open',
      termsHashes: {},
      created: stamp(tx),
    };
    await tx.putJson(key, order);
    for (const [i, partId] of partIds.entries()) {
      if (await tx.exists(tx.key(KEY.part, partId))) throw new ChaincodeError('ALREADY_EXISTS', { kind: 'part', id: partId });
      const part: Part = {
        id: partId,
        orderId: order.id,
        serial: data.serials?.[i] ?? `${order.id}-${String(i + 1).padStart(4, '0')}`,
        buyerMsp: order.buyerMsp,
        status: 'created',
        components: [],
        consumedInto: null,
        producerMsp: null,
        qc: null,
        shipment: null,
        delivery: null,
        eventCount: 0,
        created: stamp(tx),
        updated: stamp(tx),
      };
      await savePartWithEvent(tx, part, 'created', { orderId: order.id, serial: part.serial, specHash: order.spec.specHash, dueDate: order.dueDate });
    }
    tx.emit(EVENTS.OrderCreated, { orderId: order.id, buyerMsp: order.buyerMsp, partIds });
    return canonicalJson(order);
  }

  /** One order. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetOrder(ctx: Context, orderId: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'orderId', orderId);
    return canonicalJson(await tx.mustGet<Order>(tx.key(KEY.order, id), 'order', id));
  }

  /** One part. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetPart(ctx: Context, partId: string): Promise<string> {
    return canonicalJson(await getPart(new Tx(ctx), S.parseValue(S.id, 'partId', partId)));
  }

  /**
   * The part as it was at a time (ISO-8601), from the key's history: `{ part, txId, at }`
   * of the last change at or before that time.
   * @throws NOT_FOUND when it did not exist then, INVALID_INPUT
   */
  @Transaction(false)
  @Returns('string')
  async GetPartAt(ctx: Context, partId: string, time: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const at = S.parseValue(S.timestamp, 'time', time);
    const found = await recordAt<Part>(tx, tx.key(KEY.part, id), Date.parse(at));
    if (!found) throw new ChaincodeError('NOT_FOUND', { kind: `part (at ${at})`, id });
    return canonicalJson({ part: found.record, txId: found.txId, at: found.at });
  }

  /** A part's own history entries, oldest first. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetPartHistory(ctx: Context, partId: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    await getPart(tx, id);
    return canonicalJson((await tx.scan<PartEvent>(KEY.partEvent, [id])).map((r) => r.value));
  }

  /**
   * Cancel an order: every part not yet through QC is cancelled. The order's buyer only.
   * @throws ACCESS_DENIED, NOT_FOUND, ILLEGAL_TRANSITION when nothing can be cancelled
   */
  @Transaction()
  @Returns('string')
  async CancelOrder(ctx: Context, orderId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'orderId', orderId);
    const data = S.parseArg(S.cancelInput, 'input', input);
    requireRole(tx.caller, ['buyer', 'admin'], 'CancelOrder');
    const key = tx.key(KEY.order, id);
    const order = await tx.mustGet<Order>(key, 'order', id);
    requireOrg(tx.caller, order.buyerMsp, `cancelling order ${id}`);
    if (order.status === 'cancelled') throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'order', id, from: 'cancelled', to: 'cancelled' });
    const cancelled: string[] = [];
    for (const partId of order.partIds) {
      const part = await getPart(tx, partId);
      if (!CANCELLABLE.includes(part.status)) continue;
      await savePartWithEvent(tx, part, 'cancelled', { reason: data.reason, from: part.status }, { status: 'cancelled' });
      cancelled.push(partId);
    }
    if (cancelled.length === 0) {
      throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'order', id, from: 'open (all parts past QC)', to: 'cancelled' });
    }
    const saved: Order = { ...order, status: 'cancelled' };
    await tx.putJson(key, saved);
    tx.emit(EVENTS.OrderCancelled, { orderId: id, cancelledParts: cancelled });
    return canonicalJson(saved);
  }

  /**
   * Record the commercial terms agreed with a factory. The terms travel in the transient
   * field `terms` and are stored in the buyer–factory private collection; the order keeps
   * only their SHA-256 (of the canonical JSON). The order's buyer only.
   * @throws PRIVATE_DATA_MISSING, ACCESS_DENIED, NOT_FOUND, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async SetCommercialTerms(ctx: Context, orderId: string, factoryMsp: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'orderId', orderId);
    const factory = S.parseValue(S.mspId, 'factoryMsp', factoryMsp);
    const raw = tx.transient(TERMS_TRANSIENT_KEY);
    if (!raw) throw new ChaincodeError('PRIVATE_DATA_MISSING', { field: TERMS_TRANSIENT_KEY });
    const terms = S.parseArg(S.commercialTerms, `transient.${TERMS_TRANSIENT_KEY}`, raw.toString('utf8'));
    requireRole(tx.caller, ['buyer', 'admin'], 'SetCommercialTerms');
    const key = tx.key(KEY.order, id);
    const order = await tx.mustGet<Order>(key, 'order', id);
    requireOrg(tx.caller, order.buyerMsp, `setting terms of order ${id}`);
    requireMemberKind(await getMember(tx, factory), factory, ['factory'], 'agreeing terms');
    if (factory === order.buyerMsp) throw new ChaincodeError('INVALID_INPUT', { field: 'factoryMsp', reason: 'must differ from the buyer' });
    const text = canonicalJson(terms);
    const hash = sha256Hex(text);
    await tx.ctx.stub.putPrivateData(termsCollection(order.buyerMsp, factory), id, Buffer.from(text, 'utf8'));
    const saved: Order = { ...order, termsHashes: { ...order.termsHashes, [factory]: hash } };
    await tx.putJson(key, saved);
    tx.emit(EVENTS.CommercialTermsSet, { orderId: id, factoryMsp: factory, termsHash: hash });
    return canonicalJson({ orderId: id, factoryMsp: factory, termsHash: hash });
  }

  /**
   * Read the private terms between the order's buyer and a factory. Only those two
   * organisations may; the terms are checked against the public hash.
   * @throws ACCESS_DENIED, NOT_FOUND, TERMS_MISMATCH
   */
  @Transaction(false)
  @Returns('string')
  async GetCommercialTerms(ctx: Context, orderId: string, factoryMsp: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'orderId', orderId);
    const factory = S.parseValue(S.mspId, 'factoryMsp', factoryMsp);
    const order = await tx.mustGet<Order>(tx.key(KEY.order, id), 'order', id);
    if (tx.caller.mspId !== order.buyerMsp && tx.caller.mspId !== factory) {
      throw new ChaincodeError('ACCESS_DENIED', { reason: `terms of order ${id} with ${factory} are private to ${order.buyerMsp} and ${factory}` });
    }
    const hash = order.termsHashes[factory];
    if (!hash) throw new ChaincodeError('NOT_FOUND', { kind: 'commercial terms', id: `${id}/${factory}` });
    const bytes = await tx.ctx.stub.getPrivateData(termsCollection(order.buyerMsp, factory), id);
    if (!bytes || bytes.length === 0) throw new ChaincodeError('NOT_FOUND', { kind: 'commercial terms on this peer', id: `${id}/${factory}` });
    const text = Buffer.from(bytes).toString('utf8');
    if (sha256Hex(text) !== hash) throw new ChaincodeError('TERMS_MISMATCH', { orderId: id, factoryMsp: factory });
    return canonicalJson({ orderId: id, factoryMsp: factory, termsHash: hash, terms: JSON.parse(text) as unknown });
  }

  /**
   * Record that a part consumed another part or some of a material lot (bill of materials).
   * The caller must be a factory holding an accepted job on the part; a consumed part must
   * have passed QC, not be consumed already, and belong to (or have been made by) the caller.
   * @throws ACCESS_DENIED, NOT_FOUND, ILLEGAL_TRANSITION, CONFLICT, INVALID_INPUT
   */
  @Transaction()
  @Returns('string')
  async ConsumeComponent(ctx: Context, partId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const data = S.parseArg(S.componentInput, 'input', input);
    requireRole(tx.caller, ['factory_operator', 'admin'], 'ConsumeComponent');
    const parent = await getPart(tx, id);
    if (parent.status !== 'scheduled' && parent.status !== 'in_production') {
      throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'part', id, from: parent.status, to: 'consume component' });
    }
    const jobs = await tx.scan<string>(KEY.jobByPartOp, [id]);
    let working = false;
    for (const row of jobs) {
      const job = await tx.getJson<Job>(tx.key(KEY.job, row.attributes[2]!));
      if (job && job.factoryMsp === tx.caller.mspId && (job.status === 'accepted' || job.status === 'started' || job.status === 'finished')) working = true;
    }
    if (!working) throw new ChaincodeError('ACCESS_DENIED', { reason: `${tx.caller.mspId} holds no accepted job on part ${id}` });
    if (parent.components.some((c) => c.kind === data.kind && c.id === data.id)) {
      throw new ChaincodeError('ALREADY_EXISTS', { kind: `component of ${id}`, id: data.id });
    }
    if (data.kind === 'part') {
      if (data.id === id) throw new ChaincodeError('INVALID_INPUT', { field: 'input.id', reason: 'a part cannot consume itself' });
      const child = await getPart(tx, data.id);
      if (child.consumedInto) throw new ChaincodeError('CONFLICT', { reason: `part ${child.id} was already consumed into ${child.consumedInto}` });
      if (!['qc_passed', 'shipped', 'delivered'].includes(child.status)) {
        throw new ChaincodeError('ILLEGAL_TRANSITION', { kind: 'part', id: child.id, from: child.status, to: 'consumed' });
      }
      if (child.buyerMsp !== tx.caller.mspId && child.producerMsp !== tx.caller.mspId) {
        throw new ChaincodeError('ACCESS_DENIED', { reason: `part ${child.id} is neither owned nor made by ${tx.caller.mspId}` });
      }
      if (data.quantity !== 1) throw new ChaincodeError('INVALID_INPUT', { field: 'input.quantity', reason: 'must be 1 for a part' });
      await savePartWithEvent(tx, child, 'consumed', { into: id, relation: data.relation }, { consumedInto: id });
    } else {
      const lot = await getLot(tx, data.id);
      requireOrg(tx.caller, lot.ownerMsp, `consuming lot ${lot.id}`);
      if (lot.remaining < data.quantity) {
        throw new ChaincodeError('CONFLICT', { reason: `lot ${lot.id} has ${lot.remaining} ${lot.unit} left, ${data.quantity} asked` });
      }
      await saveLotWithEvent(tx, lot, 'consumed', { into: id, quantity: data.quantity, relation: data.relation }, { remaining: lot.remaining - data.quantity });
    }
    const component: Component = { kind: data.kind, id: data.id, quantity: data.quantity, relation: data.relation, added: stamp(tx) };
    const saved = await savePartWithEvent(tx, parent, 'component_consumed', { kind: data.kind, id: data.id, quantity: data.quantity, relation: data.relation }, {
      components: [...parent.components, component],
    });
    await tx.putIndex(tx.key(KEY.consumedBy, data.kind, data.id, id));
    tx.emit(EVENTS.ComponentConsumed, { partId: id, component: { kind: data.kind, id: data.id } });
    return canonicalJson(saved);
  }

  /**
   * Ship a part that passed QC. The producing factory only.
   * @throws ACCESS_DENIED, ILLEGAL_TRANSITION, CONFLICT
   */
  @Transaction()
  @Returns('string')
  async ShipPart(ctx: Context, partId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const data = S.parseArg(S.shipmentInput, 'input', input);
    requireRole(tx.caller, ['factory_operator', 'admin'], 'ShipPart');
    const part = await getPart(tx, id);
    requireOrg(tx.caller, part.producerMsp ?? '(no producer yet)', `shipping part ${id}`);
    if (part.consumedInto) throw new ChaincodeError('CONFLICT', { reason: `part ${id} was built into ${part.consumedInto}` });
    assertTransition(id, part.status, 'shipped');
    const shipment = { carrier: data.carrier, trackingRef: data.trackingRef, logisticsMsp: data.logisticsMsp ?? null, shipped: stamp(tx) };
    const saved = await savePartWithEvent(tx, part, 'shipped', { carrier: data.carrier, trackingRef: data.trackingRef, logisticsMsp: shipment.logisticsMsp }, { status: 'shipped', shipment });
    tx.emit(EVENTS.PartShipped, { partId: id, orderId: part.orderId });
    return canonicalJson(saved);
  }

  /**
   * Confirm delivery of a shipped part. The order's buyer only.
   * @throws ACCESS_DENIED, ILLEGAL_TRANSITION
   */
  @Transaction()
  @Returns('string')
  async ConfirmDelivery(ctx: Context, partId: string, input: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'partId', partId);
    const data = S.parseArg(S.deliveryInput, 'input', input);
    requireRole(tx.caller, ['buyer', 'admin'], 'ConfirmDelivery');
    const part = await getPart(tx, id);
    requireOrg(tx.caller, part.buyerMsp, `confirming delivery of part ${id}`);
    assertTransition(id, part.status, 'delivered');
    const delivery = { note: data.note ?? null, delivered: stamp(tx) };
    const saved = await savePartWithEvent(tx, part, 'delivered', { note: delivery.note }, { status: 'delivered', delivery });
    tx.emit(EVENTS.PartDelivered, { partId: id, orderId: part.orderId });
    return canonicalJson(saved);
  }

  /** A lot's history entries, oldest first. @throws NOT_FOUND */
  @Transaction(false)
  @Returns('string')
  async GetLotHistory(ctx: Context, lotId: string): Promise<string> {
    const tx = new Tx(ctx);
    const id = S.parseValue(S.id, 'lotId', lotId);
    await getLot(tx, id);
    return canonicalJson((await tx.scan<LotEvent>(KEY.lotEvent, [id])).map((r) => r.value));
  }
}

