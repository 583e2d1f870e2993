import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { GatewayError } from '@hyperledger/fabric-gateway';
import { openDemoConsortium, type DemoConsortium } from '../../demo/demo-consortium';
import { LedgerClient } from '../ledger-client';
import { LedgerError } from '../port';
import { FabricLedger, mapGatewayError } from './fabric-ledger';
import { createGatewayDouble, type GatewayDouble } from './testing/gateway-double';

const maintenance = (description: string) => JSON.stringify({ kind: 'inspection', description });

async function failure(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error('expected a LedgerError');
}

describe('FabricLedger (the Fabric adapter) against a test double of the fabric-gateway API', function () {
  this.timeout(30_000);
  let dir: string;
  let demo: DemoConsortium;
  let double: GatewayDouble;
  let fabric: FabricLedger;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-fabric-adapter-'));
    demo = await openDemoConsortium(dir);
    double = createGatewayDouble(demo.ledger, Object.values(demo.users));
    fabric = new FabricLedger({
      peerEndpoint: 'peer0.org1.test:7051', channel: 'forgetrace', chaincode: 'forgetrace', readIdentity: demo.users.auditor,
      connect: double.connect, retryBackoffMs: 1,
    });
  });
  after(async () => {
    await fabric.close();
    await demo.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => Object.assign(double.faults, { submitUnavailable: 0, commitStatusUnknown: 0, endorseUnavailable: 0 }));

  it('sends the same signed transaction again when the orderer was unreachable, and orders it once', async () => {
    double.faults.submitUnavailable = 2;
    const before = double.ordered.length;
    const r = await fabric.submit(demo.users.operator1, 'machines:RecordMaintenance', ['DE-MILL-01', maintenance('after orderer outage')]);
    expect(double.faults.submitUnavailable).to.equal(0);
    expect(double.ordered.slice(before)).to.deep.equal([r.transactionId]);
    expect(r.blockNumber).to.be.greaterThan(0);
    expect(JSON.parse(Buffer.from(r.result).toString('utf8'))).to.include({ id: 'DE-MILL-01' });
  });

  it('gives up after its submit attempts with an unavailable error (the caller may retry the request)', async () => {
    double.faults.submitUnavailable = 3;
    const e = await failure(fabric.submit(demo.users.operator1, 'machines:RecordMaintenance', ['DE-MILL-01', maintenance('orderer down')]));
    expect(e).to.include({ kind: 'unavailable', code: 'LEDGER_UNAVAILABLE' });
    expect(e.transactionId).to.match(/^[0-9a-f]{64}$/);
    expect(e.message).to.match(/submit: the peer or orderer is unreachable/);
  });

  it('asks again for an unknown commit status with the same transaction id', async () => {
    double.faults.commitStatusUnknown = 3;
    const r = await fabric.submit(demo.users.operator1, 'machines:RecordMaintenance', ['DE-MILL-01', maintenance('slow commit')]);
    expect(double.faults.commitStatusUnknown).to.equal(0);
    const history = JSON.parse(Buffer.from(await fabric.evaluate(demo.users.auditor, 'machines:GetMachineHistory', ['DE-MILL-01'])).toString('utf8')) as { txId?: string; description?: string }[];
    expect(JSON.stringify(history)).to.contain(r.transactionId);
  });

  it('reports COMMIT_STATUS_UNKNOWN with the transaction id when the status never comes', async () => {
    double.faults.commitStatusUnknown = 5;
    const e = await failure(fabric.submit(demo.users.operator1, 'machines:RecordMaintenance', ['DE-MILL-01', maintenance('status lost')]));
    expect(e).to.include({ kind: 'unavailable', code: 'COMMIT_STATUS_UNKNOWN' });
    expect(e.message).to.match(/commit status is unknown after 5 requests/);
    expect(e.transactionId).to.match(/^[0-9a-f]{64}$/);
  });

  it('maps a chaincode rejection to its catalogue code and never sends it to the orderer', async () => {
    const before = double.ordered.length;
    const e = await failure(fabric.submit(demo.users.buyer, 'machines:RecordMaintenance', ['DE-MILL-01', maintenance('not mine')]));
    expect(e.kind).to.equal('endorsement');
    expect(e.code).to.equal('ACCESS_DENIED');
    expect(double.ordered.length).to.equal(before);
    const missing = await failure(fabric.evaluate(demo.users.auditor, 'machines:GetMachine', ['NO-SUCH-MACHINE']));
    expect(missing).to.include({ kind: 'endorsement', code: 'NOT_FOUND' });
    expect(missing.details).to.deep.include({ kind: 'machine', id: 'NO-SUCH-MACHINE' });
  });

  it('reports an unreachable peer at endorsement as unavailable', async () => {
    double.faults.endorseUnavailable = 1;
    const e = await failure(fabric.submit(demo.users.operator1, 'machines:RecordMaintenance', ['DE-MILL-01', maintenance('peer down')]));
    expect(e).to.include({ kind: 'unavailable', code: 'LEDGER_UNAVAILABLE' });
  });

  it('reports an MVCC conflict as a commit error, which LedgerClient resubmits as a new transaction', async () => {
    const raw = await Promise.allSettled([1, 2].map((i) => fabric.submit(demo.users.operator1, 'machines:RecordMaintenance', ['DE-LATHE-01', maintenance(`race ${i}`)])));
    const lost = raw.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost).to.have.length(1);
    expect(lost[0]!.reason).to.include({ kind: 'commit', code: 'MVCC_READ_CONFLICT' });
    const client = new LedgerClient(fabric, { backoffMs: 1 });
    const both = await Promise.all([1, 2].map((i) => client.submit(demo.users.operator1, 'machines:RecordMaintenance', ['DE-LATHE-01', { kind: 'inspection', description: `retried ${i}` }])));
    expect(both.map((r) => r.attempts).sort()).to.deep.equal([1, 2]);
  });

  it('reads the chain height from qscc and chaincode events with per-block transaction ordinals', async () => {
    const height = await fabric.height();
    expect(height).to.equal(await demo.ledger.height());
    // One more event beyond the current height, so both readers reach an end marker.
    await fabric.submit(demo.users.operator1, 'machines:RecordMaintenance', ['DE-MILL-01', maintenance('marker')]);
    const embedded: { block: number; tx: string }[] = [];
    for await (const e of demo.ledger.events({ startBlock: 0 })) {
      if (e.blockNumber >= height) break;
      embedded.push({ block: e.blockNumber, tx: e.transactionId });
    }
    const controller = new AbortController();
    const seen: { block: number; index: number; tx: string }[] = [];
    for await (const e of fabric.events({ startBlock: 0, signal: controller.signal })) {
      if (e.blockNumber >= height) controller.abort();
      else seen.push({ block: e.blockNumber, index: e.transactionIndex, tx: e.transactionId });
    }
    expect(seen.length).to.be.greaterThan(20);
    expect(seen.map((s) => [s.block, s.tx])).to.deep.equal(embedded.map((s) => [s.block, s.tx]));
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      if (a.block === b.block) expect(b.index).to.equal(a.tx === b.tx ? a.index : a.index + 1);
      else expect(b.index).to.equal(0);
    }
  });

  it('maps gRPC failures by status when no chaincode error is attached', () => {
    const cause = Object.assign(new Error('x'), { code: grpc.status.PERMISSION_DENIED, details: 'x', metadata: new grpc.Metadata() });
    expect(mapGatewayError(new GatewayError({ code: grpc.status.PERMISSION_DENIED, details: [], cause, message: 'creator org unknown' }), 'tx1', 'evaluate'))
      .to.include({ kind: 'endorsement', code: 'INVALID_CREATOR', transactionId: 'tx1' });
    expect(mapGatewayError(new GatewayError({ code: grpc.status.UNKNOWN, details: [{ address: 'p:7051', mspId: 'Org1MSP', message: 'chaincode response 500, boom' }], cause, message: 'failed' }), 'tx2', 'endorse'))
      .to.include({ kind: 'endorsement', code: 'CHAINCODE_ERROR' });
    expect(mapGatewayError(new Error('socket hang up'), undefined, 'evaluate')).to.include({ kind: 'unavailable', code: 'LEDGER_FAILED' });
  });

  it('refuses calls once closed', async () => {
    const other = new FabricLedger({ peerEndpoint: 'p:7051', channel: 'forgetrace', chaincode: 'forgetrace', readIdentity: demo.users.auditor, connect: double.connect });
    await other.close();
    const e = await failure(other.evaluate(demo.users.auditor, 'registry:ListMembers', []));
    expect(e).to.include({ kind: 'unavailable', code: 'LEDGER_CLOSED' });
  });
});
