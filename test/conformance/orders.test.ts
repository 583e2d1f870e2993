import { expect } from 'chai';
import type { Order, Part } from '@forgetrace/chaincode';
import { evaluate, openHarness, rejectedWith, submit, type Harness } from '../support/harness';
import { createOrder, ensureConsortium, hash, isoIn, producePart, readyMachine, scheduleAnchor, uid } from '../support/scenario';

describe('conformance: orders and parts', () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    await ensureConsortium(h);
  });
  after(async () => h?.close());

  it('creates one part per unit with its own serial', async () => {
    const order = await createOrder(h, { quantity: 3 });
    expect(order.partIds).to.have.length(3);
    const parts = await Promise.all(order.partIds.map((id) => evaluate<Part>(h, h.ids.auditor, 'orders:GetPart', [id])));
    expect(new Set(parts.map((p) => p.serial)).size).to.equal(3);
    for (const p of parts) expect(p).to.include({ orderId: order.id, status: 'created', buyerMsp: 'Org3MSP' });
  });

  it('lets buyers (and factories buying parts) order, but not auditors or operators', async () => {
    await rejectedWith(createOrder(h, { buyer: h.ids.auditor }), 'ACCESS_DENIED');
    await rejectedWith(createOrder(h, { buyer: h.ids.operator1 }), 'ACCESS_DENIED');
    const byFactory = await createOrder(h, { buyer: h.ids.admin2 });
    expect(byFactory.buyerMsp).to.equal('Org2MSP');
  });

  it('rejects malformed and oversize orders with the field named', async () => {
    const base = { id: uid(h, 'O'), spec: { name: 'B', specHash: hash('s'), material: 'al6061' }, operations: [{ process: 'milling' }], quantity: 1, dueDate: isoIn(3) };
    expect((await rejectedWith(submit(h, h.ids.buyer, 'orders:CreateOrder', [{ ...base, quantity: 0 }]), 'INVALID_INPUT')).details?.field).to.equal('input.quantity');
    expect((await rejectedWith(submit(h, h.ids.buyer, 'orders:CreateOrder', [{ ...base, quantity: 501 }]), 'INVALID_INPUT')).details?.field).to.equal('input.quantity');
    expect((await rejectedWith(submit(h, h.ids.buyer, 'orders:CreateOrder', [{ ...base, dueDate: 'tomorrow' }]), 'INVALID_INPUT')).details?.field).to.equal('input.dueDate');
    expect((await rejectedWith(submit(h, h.ids.buyer, 'orders:CreateOrder', [{ ...base, operations: [] }]), 'INVALID_INPUT')).details?.field).to.equal('input.operations');
    await rejectedWith(submit(h, h.ids.buyer, 'orders:CreateOrder', ['{"id":']), 'INVALID_INPUT');
    const huge = { ...base, spec: { ...base.spec, parameters: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`p${i}`, 'x'.repeat(60)])) } };
    const tooBig = await rejectedWith(submit(h, h.ids.buyer, 'orders:CreateOrder', [huge]), 'INPUT_TOO_LARGE');
    expect(tooBig.details?.limit).to.equal(65536);
    await rejectedWith(evaluate(h, h.ids.buyer, 'orders:GetOrder', [base.id]), 'NOT_FOUND');
  });

  it('rejects illegal part transitions with a clear error', async () => {
    const order = await createOrder(h);
    const partId = order.partIds[0]!;
    const early = await rejectedWith(submit(h, h.ids.buyer, 'orders:ConfirmDelivery', [partId, {}]), 'ILLEGAL_TRANSITION');
    expect(early.message).to.equal(`part ${partId} cannot go from created to delivered`);
    await rejectedWith(submit(h, h.ids.operator1, 'jobs:RecordQc', [partId, { result: 'pass', reportHash: hash('q') }]), 'CONFLICT');
  });

  it('ships and delivers a produced part; only the producer ships and only the buyer confirms', async () => {
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    const order = await createOrder(h);
    const partId = order.partIds[0]!;
    await producePart(h, partId, m, anchor, 1, h.ids.operator1);
    await rejectedWith(submit(h, h.ids.operator2, 'orders:ShipPart', [partId, { carrier: 'DHL', trackingRef: 'T1' }]), 'ACCESS_DENIED');
    await rejectedWith(submit(h, h.ids.buyer, 'orders:ConfirmDelivery', [partId, {}]), 'ILLEGAL_TRANSITION');
    const shipped = await submit<Part>(h, h.ids.operator1, 'orders:ShipPart', [partId, { carrier: 'DHL', trackingRef: 'T1' }]);
    expect(shipped.status).to.equal('shipped');
    await rejectedWith(submit(h, h.ids.operator1, 'orders:ShipPart', [partId, { carrier: 'DHL', trackingRef: 'T2' }]), 'ILLEGAL_TRANSITION');
    await rejectedWith(submit(h, h.ids.admin1, 'orders:ConfirmDelivery', [partId, {}]), 'ACCESS_DENIED');
    const delivered = await submit<Part>(h, h.ids.buyer, 'orders:ConfirmDelivery', [partId, { note: 'all good' }]);
    expect(delivered.status).to.equal('delivered');
    await rejectedWith(submit(h, h.ids.buyer, 'orders:CancelOrder', [order.id, { reason: 'late' }]), 'ILLEGAL_TRANSITION');
  });

  it('cancels an order’s unfinished parts; only its buyer may', async () => {
    const order = await createOrder(h, { quantity: 2 });
    await rejectedWith(submit(h, h.ids.admin1, 'orders:CancelOrder', [order.id, { reason: 'x' }]), 'ACCESS_DENIED');
    const cancelled = await submit<Order>(h, h.ids.buyer, 'orders:CancelOrder', [order.id, { reason: 'design changed' }]);
    expect(cancelled.status).to.equal('cancelled');
    for (const id of order.partIds) expect((await evaluate<Part>(h, h.ids.buyer, 'orders:GetPart', [id])).status).to.equal('cancelled');
    await rejectedWith(submit(h, h.ids.buyer, 'orders:CancelOrder', [order.id, { reason: 'again' }]), 'ILLEGAL_TRANSITION');
    const m = await readyMachine(h);
    const anchor = await scheduleAnchor(h);
    await rejectedWith(submit(h, h.ids.admin1, 'jobs:AssignJob', [{ id: uid(h, 'J'), partId: order.partIds[0], operationIndex: 0, factoryMsp: 'Org1MSP', machineId: m.id, plannedStart: isoIn(1), plannedEnd: isoIn(2), scheduleAnchorId: anchor.id }]), 'ILLEGAL_TRANSITION');
  });

  describe('commercial terms (private data)', () => {
    const terms = { price: 1250.5, currency: 'EUR', paymentTerms: 'net 30, 30% on QC pass' };

    it('keeps terms private to the buyer and the factory, and only their hash public', async () => {
      const order = await createOrder(h);
      const set = await submit(h, h.ids.buyer, 'orders:SetCommercialTerms', [order.id, 'Org1MSP'], { transient: { terms: JSON.stringify(terms) } });
      expect(set.termsHash).to.match(/^[0-9a-f]{64}$/);
      const publicOrder = await evaluate<Order>(h, h.ids.auditor, 'orders:GetOrder', [order.id]);
      expect(publicOrder.termsHashes).to.deep.equal({ Org1MSP: set.termsHash });
      expect(JSON.stringify(publicOrder)).not.to.contain('1250.5');

      const byBuyer = await evaluate(h, h.ids.buyer, 'orders:GetCommercialTerms', [order.id, 'Org1MSP']);
      expect(byBuyer.terms).to.deep.equal(terms);
      const byFactory = await evaluate(h, h.ids.operator1, 'orders:GetCommercialTerms', [order.id, 'Org1MSP']);
      expect(byFactory.terms).to.deep.equal(terms);
      await rejectedWith(evaluate(h, h.ids.operator2, 'orders:GetCommercialTerms', [order.id, 'Org1MSP']), 'ACCESS_DENIED');
      await rejectedWith(evaluate(h, h.ids.auditor, 'orders:GetCommercialTerms', [order.id, 'Org1MSP']), 'ACCESS_DENIED');
      await rejectedWith(evaluate(h, h.ids.buyer, 'orders:GetCommercialTerms', [order.id, 'Org2MSP']), 'NOT_FOUND');
    });

    it('refuses terms without transient data, from anyone but the buyer, or with bad fields', async () => {
      const order = await createOrder(h);
      await rejectedWith(submit(h, h.ids.buyer, 'orders:SetCommercialTerms', [order.id, 'Org1MSP']), 'PRIVATE_DATA_MISSING');
      await rejectedWith(submit(h, h.ids.admin1, 'orders:SetCommercialTerms', [order.id, 'Org1MSP'], { transient: { terms: JSON.stringify(terms) } }), 'ACCESS_DENIED');
      const bad = await rejectedWith(submit(h, h.ids.buyer, 'orders:SetCommercialTerms', [order.id, 'Org1MSP'], { transient: { terms: JSON.stringify({ ...terms, currency: 'euro' }) } }), 'INVALID_INPUT');
      expect(bad.details?.field).to.equal('transient.terms.currency');
      await rejectedWith(submit(h, h.ids.buyer, 'orders:SetCommercialTerms', [order.id, 'Org4MSP'], { transient: { terms: JSON.stringify(terms) } }), 'ACCESS_DENIED');
    });
  });
});
