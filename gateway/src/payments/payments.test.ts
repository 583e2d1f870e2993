/**
 * End to end on one machine: the embedded demo ledger, Hardhat's chain on 127.0.0.1 (in-process
 * JSON-RPC server), the OrderEscrow contract and three member gateways' payments agents.
 * Order recorded on the ledger → escrow funded through the API → milestone reached on the ledger
 * and anchored → attestations from 2 of 3 gateways → the escrow pays the factory and its
 * subcontractor exactly their split. Also the payments routes and their unhappy paths.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, ContractFactory, JsonRpcProvider, Wallet, keccak256, parseEther, toUtf8Bytes, type Signer } from 'ethers';
import pino from 'pino';
import request from 'supertest';
import type { Anchor, Order } from '@forgetrace/chaincode/api';
import { AnchorOutbox } from '../anchoring/anchor-outbox';
import { apiKeyHash, type Role } from '../api/auth';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { LedgerClient } from '../ledger/ledger-client';
import type { LedgerIdentity } from '../ledger/port';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { escrowOrderId, evidenceFromProof, outboxAnchorId } from './attestation';
import { contractArtifact } from './escrow-artifacts';
import { EscrowClient } from './escrow-client';
import { PaymentsError } from './errors';
import { milestoneRecord, type MilestoneFact } from './milestones';
import { PaymentsAgent, type AgentAction } from './payments-agent';
import { paymentsApi } from './payments-api';

const key = (label: string) => keccak256(toUtf8Bytes(`forgetrace-payments-test:${label}`));
const sha = (s: string) => keccak256(toUtf8Bytes(s)).slice(2);
const DAY = 86_400;

describe('payments: escrow, agents and routes (embedded ledger + Hardhat chain)', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let ledger: LedgerClient;
  let chain: { url: string; close(): Promise<void> };
  let provider: JsonRpcProvider;
  let token: Contract;
  let escrowAddress: string;
  const attestorKeys = [key('attestor-org1'), key('attestor-org2'), key('attestor-org3')];
  const buyerKey = key('buyer-org3');
  const factory = new Wallet(key('payee-org1'));
  const subcontractor = new Wallet(key('payee-org2'));
  const clients: EscrowClient[] = [];
  const outboxes: AnchorOutbox[] = [];
  const gateways: RunningGateway[] = [];

  const submit = async (who: LedgerIdentity, tx: string, ...args: unknown[]) => ledger.submit(who, tx, args);
  const connect = async (options: { attestorKey?: string; funderKey?: string } = {}) => {
    const c = await EscrowClient.connect({ rpcUrl: chain.url, escrowAddress, ...options });
    clients.push(c);
    return c;
  };
  const createOrder = async (id: string, quantity = 1) => {
    await submit(demo.users.buyer, 'orders:CreateOrder', { id, spec: { name: id, specHash: sha(id), material: 'ti6al4v', parameters: {} }, operations: [{ process: 'milling' }], quantity, dueDate: '2031-01-01T00:00:00Z' });
    return ledger.evaluate<Order>(demo.users.buyer, 'orders:GetOrder', [id]);
  };
  const produce = async (partId: string, steps: 'accept' | 'qc' | 'deliver') => {
    const jobId = `JOB-${partId}`;
    await submit(demo.users.admin1, 'jobs:AssignJob', { id: jobId, partId, operationIndex: 0, factoryMsp: 'Org1MSP', machineId: 'DE-MILL-01', plannedStart: '2030-06-01T00:00:00Z', plannedEnd: '2030-06-02T00:00:00Z', scheduleAnchorId: 'plan-demo-1' });
    await submit(demo.users.operator1, 'jobs:AcceptJob', jobId);
    if (steps === 'accept') return;
    await submit(demo.users.operator1, 'jobs:ReportStart', jobId, { machineId: 'DE-MILL-01' });
    await submit(demo.users.operator1, 'jobs:ReportFinish', jobId, { machineId: 'DE-MILL-01' });
    await submit(demo.users.operator1, 'jobs:RecordQc', partId, { result: 'pass', reportHash: sha(`qc-${partId}`), measurements: { boreMm: 12.001 } });
    if (steps === 'qc') return;
    await submit(demo.users.operator1, 'orders:ShipPart', partId, { carrier: 'DHL', trackingRef: `T-${partId}` });
    await submit(demo.users.buyer, 'orders:ConfirmDelivery', partId, {});
  };
  const fundedPlan = async (milestones: { kind: string; amount: string; shares: number[] }[]) => {
    const deadline = new Date(((await provider.getBlock('latest'))!.timestamp + 30 * DAY) * 1000).toISOString();
    return { token: await token.getAddress(), payees: [factory.address, subcontractor.address], milestones: milestones.map((m) => ({ ...m, deadline })) };
  };
  const byAction = (actions: AgentAction[]) => actions.map((a) => `${a.orderId}#${a.milestone}:${a.action}`).sort();

  async function gatewayFor(index: number, roles: Role[], extensions: Parameters<typeof startGateway>[0]['extensions']): Promise<RunningGateway> {
    const org = demo.organizations[index]!;
    const wallet = new InMemoryWallet();
    const users = [];
    for (const role of roles) {
      await wallet.put(role, await org.issueIdentity({ commonName: `${org.mspId}-${role}-pay`, role }));
      users.push({ id: `${org.mspId}-${role}`, role, apiKeySha256: apiKeyHash(`${org.mspId}-${role}-key`) });
    }
    const config = configSchema.parse({ mspId: org.mspId, http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)', auth: { users } });
    const g = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions });
    gateways.push(g);
    return g;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-payments-'));
    demo = await openDemoConsortium(join(dir, 'demo'));
    ledger = new LedgerClient(demo.ledger);
    const { startDevChain } = await import('@forgetrace/contracts/dev-chain');
    chain = await startDevChain();
    provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const deployer: Signer = await provider.getSigner(0);
    for (const k of [...attestorKeys, buyerKey, factory.privateKey, subcontractor.privateKey]) {
      await (await deployer.sendTransaction({ to: new Wallet(k).address, value: parseEther('10') })).wait();
    }
    const tokenArtifact = contractArtifact('TestToken');
    token = (await new ContractFactory(tokenArtifact.abi, tokenArtifact.bytecode, deployer).deploy('Test EUR', 'tEUR')) as Contract;
    await token.waitForDeployment();
    await (await token.getFunction('mint')(new Wallet(buyerKey).address, 1_000_000n)).wait();
    const escrowArtifact = contractArtifact('OrderEscrow');
    const escrow = await new ContractFactory(escrowArtifact.abi, escrowArtifact.bytecode, deployer).deploy(await deployer.getAddress(), await deployer.getAddress(), attestorKeys.map((k) => new Wallet(k).address), 2);
    await escrow.waitForDeployment();
    escrowAddress = await escrow.getAddress();
    // Governance admits the buyer company's funding address.
    await (await (escrow as Contract).getFunction('grantRole')(await (escrow as Contract).getFunction('FUNDER_ROLE')(), new Wallet(buyerKey).address)).wait();
  });

  after(async () => {
    for (const g of gateways) await g.close();
    for (const o of outboxes) await o.close();
    for (const c of clients) c.close();
    provider?.destroy();
    await chain?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects only to a reachable chain with an escrow at the address', async () => {
    const missing = await EscrowClient.connect({ rpcUrl: chain.url, escrowAddress: new Wallet(key('nobody')).address }).catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(PaymentsError).and.include({ code: 'NOT_AN_ESCROW' });
    const down = await EscrowClient.connect({ rpcUrl: 'http://127.0.0.1:9', escrowAddress }).catch((e: unknown) => e);
    expect(down).to.be.instanceOf(PaymentsError).and.include({ code: 'CHAIN_UNAVAILABLE' });
    const readOnly = await connect();
    expect(() => new PaymentsAgent({ escrow: readOnly, ledger, identity: demo.users.admin1 })).to.throw(PaymentsError).with.property('code', 'NO_ATTESTOR_KEY');
    expect(await readOnly.signAttestation(escrowOrderId('x'), 1n, 0, { ledgerTxId: '0x' + '00'.repeat(32), anchorRoot: '0x' + '00'.repeat(32), recordId: 'r', payloadHash: '0x' + '00'.repeat(32), proof: [] }).catch((e: unknown) => e)).to.be.instanceOf(PaymentsError).with.property('code', 'NO_ATTESTOR_KEY');
    expect(await readOnly.fund({ ledgerOrderId: 'x', token: escrowAddress, payees: [factory.address], milestones: [] }).catch((e: unknown) => e)).to.be.instanceOf(PaymentsError).with.property('code', 'NO_FUNDER_KEY');
  });

  it('order on the ledger → funded through the API → anchored milestones → 2 of 3 attestations → exact split paid', async () => {
    const order = await createOrder('PO-PAY-1');
    const partId = order.partIds[0]!;
    // the buyer's gateway (Org3) funds the escrow with its funding key
    const buyerEscrow = await connect({ attestorKey: attestorKeys[2], funderKey: buyerKey });
    const org3 = await gatewayFor(2, ['buyer'], [paymentsApi({ escrow: buyerEscrow, ledger })]);
    const plan = await fundedPlan([
      { kind: 'accepted', amount: '1000', shares: [7_000, 3_000] },
      { kind: 'qc_passed', amount: '4000', shares: [6_000, 4_000] },
      { kind: 'delivered', amount: '5000', shares: [10_000, 0] },
    ]);
    const funded = await request(org3.url).post('/v1/orders/PO-PAY-1/payments/fund').set('X-API-Key', 'Org3MSP-buyer-key').send(plan);
    expect(funded.status, JSON.stringify(funded.body)).to.equal(201);
    expect(funded.body).to.include({ orderId: 'PO-PAY-1', escrowOrderId: escrowOrderId('PO-PAY-1'), nonce: '1' });
    expect(funded.body.transactionHashes).to.have.length(2); // approve + fund
    expect(funded.headers.location).to.equal('/v1/orders/PO-PAY-1/payments');

    // three member gateways: Org1 (the factory) reports and anchors milestones, Org2 and Org3 attest
    const outbox = AnchorOutbox.open({ filename: ':memory:', ledger, identity: demo.users.admin1 });
    outboxes.push(outbox);
    const agent1 = new PaymentsAgent({ escrow: await connect({ attestorKey: attestorKeys[0] }), ledger, identity: demo.users.admin1, outbox });
    const agent2 = new PaymentsAgent({ escrow: await connect({ attestorKey: attestorKeys[1] }), ledger, identity: demo.users.admin2 });
    const agent3 = new PaymentsAgent({ escrow: buyerEscrow, ledger, identity: demo.users.buyer });

    // nothing reached yet on the ledger: nobody attests
    expect(await agent1.sync()).to.deep.equal([]);
    expect(await agent2.sync()).to.deep.equal([]);
    expect(agent1.watched.get(escrowOrderId('PO-PAY-1'))).to.equal('PO-PAY-1');

    // the factory accepts the job: milestone 0 is reached; Org1 records, anchors and attests it (1 of 2)
    await produce(partId, 'accept');
    expect(byAction(await agent2.sync())).to.deep.equal(['PO-PAY-1#0:waiting']);
    const reported = await agent1.sync();
    expect(byAction(reported)).to.deep.equal(['PO-PAY-1#0:reported']);
    const anchors = await ledger.evaluate<Anchor[]>(demo.users.admin1, 'anchors:ListAnchors', ['other', { limit: 100 }]);
    expect(anchors).to.have.length(1);
    expect(anchors[0]!.id).to.equal(outboxAnchorId('0x' + anchors[0]!.merkleRoot)); // how the agents find the anchor of a root
    expect(byAction(await agent1.sync())).to.deep.equal(['PO-PAY-1#0:already-attested']);
    // Org2 checks the published evidence against its own ledger and attests: 2 of 3, released
    const released = await agent2.sync();
    expect(byAction(released)).to.deep.equal(['PO-PAY-1#0:released']);
    const tokenAddress = await token.getAddress();
    expect(await buyerEscrow.owed(tokenAddress, factory.address)).to.equal(700n);
    expect(await buyerEscrow.owed(tokenAddress, subcontractor.address)).to.equal(300n);

    // production, QC and delivery: milestones 1 and 2; this time Org1 and Org3 attest
    await submit(demo.users.operator1, 'jobs:ReportStart', `JOB-${partId}`, { machineId: 'DE-MILL-01' });
    await submit(demo.users.operator1, 'jobs:ReportFinish', `JOB-${partId}`, { machineId: 'DE-MILL-01' });
    await submit(demo.users.operator1, 'jobs:RecordQc', partId, { result: 'pass', reportHash: sha('qc'), measurements: { boreMm: 12.0 } });
    await submit(demo.users.operator1, 'orders:ShipPart', partId, { carrier: 'DHL', trackingRef: 'T-1' });
    await submit(demo.users.buyer, 'orders:ConfirmDelivery', partId, {});
    expect(byAction(await agent1.sync())).to.deep.equal(['PO-PAY-1#1:reported', 'PO-PAY-1#2:reported']);
    expect(byAction(await agent3.sync())).to.deep.equal(['PO-PAY-1#1:released', 'PO-PAY-1#2:released']);
    expect(await agent2.sync()).to.deep.equal([]); // nothing pending any more

    const status = await request(org3.url).get('/v1/orders/PO-PAY-1/payments').set('X-API-Key', 'Org3MSP-buyer-key').expect(200);
    expect(status.body.milestones.map((m: { status: string }) => m.status)).to.deep.equal(['released', 'released', 'released']);
    expect(status.body.owed).to.deep.equal({ [new Wallet(buyerKey).address]: '0', [factory.address]: '8100', [subcontractor.address]: '1900' });

    // the payees withdraw: 700 + 2400 + 5000 and 300 + 1600 + 0, all of the 10 000 funded
    const escrowAbi = contractArtifact('OrderEscrow').abi;
    for (const payee of [factory, subcontractor]) await (await new Contract(escrowAddress, escrowAbi, payee.connect(provider)).getFunction('withdraw')(tokenAddress)).wait();
    expect(await token.getFunction('balanceOf')(factory.address)).to.equal(8_100n);
    expect(await token.getFunction('balanceOf')(subcontractor.address)).to.equal(1_900n);
    expect(await token.getFunction('balanceOf')(escrowAddress)).to.equal(0n);
  });

  it('refuses published evidence that does not match the ledger, and settles on the reporter\'s', async () => {
    const order = await createOrder('PO-PAY-2');
    const partId = order.partIds[0]!;
    const buyerEscrow = await connect({ funderKey: buyerKey, attestorKey: attestorKeys[2] });
    const plan = await fundedPlan([{ kind: 'qc_passed', amount: '900', shares: [5_000, 5_000] }]);
    const funded = await buyerEscrow.fund({ ledgerOrderId: 'PO-PAY-2', token: plan.token, payees: plan.payees, milestones: [{ kind: 'qc_passed', amount: 900n, deadline: Math.floor(Date.parse(plan.milestones[0]!.deadline) / 1000), shares: [5_000, 5_000] }] });
    await produce(partId, 'qc');
    const history = await ledger.evaluate<{ type: string; txId: string; at: string }[]>(demo.users.admin1, 'orders:GetPartHistory', [partId]);
    const qc = history.find((e) => e.type === 'qc_recorded')!;

    // a rogue attestor (Org3's key) anchors a record naming another transaction and publishes it
    const rogueOutbox = AnchorOutbox.open({ filename: ':memory:', ledger, identity: demo.users.admin2 });
    outboxes.push(rogueOutbox);
    const fact: MilestoneFact = { kind: 'qc_passed', orderId: 'PO-PAY-2', partId, transactionId: history[0]!.txId, at: qc.at };
    const bogus = milestoneRecord({ chainId: buyerEscrow.chainId, address: escrowAddress }, { escrowOrderId: funded.escrowOrderId, nonce: funded.nonce }, 0, fact);
    const bogusId = rogueOutbox.add({ kind: 'other', payload: bogus });
    await rogueOutbox.flush({ force: true });
    const bogusEvidence = evidenceFromProof(rogueOutbox.proof(bogusId), history[0]!.txId);
    const rogue = await buyerEscrow.attest(funded.escrowOrderId, funded.nonce, 0, bogusEvidence);
    expect(rogue.released).to.equal(false);
    // a second rogue publication: right transaction, but an anchor root the ledger does not have
    const unanchored = { ...bogusEvidence, ledgerTxId: '0x' + qc.txId, anchorRoot: '0x' + 'ee'.repeat(32), proof: [] };
    const badRoot = await (await connect({ attestorKey: attestorKeys[1] })).attest(funded.escrowOrderId, funded.nonce, 0, { ...unanchored, recordId: 'r', payloadHash: '0x' + 'ee'.repeat(32) }).catch((e: unknown) => e);
    expect(badRoot).to.be.instanceOf(PaymentsError).and.include({ code: 'CHAIN_REJECTED' }); // the contract checks the proof itself
    expect((badRoot as PaymentsError).details.revert).to.equal('InvalidMerkleProof');

    const agent2 = new PaymentsAgent({ escrow: await connect({ attestorKey: attestorKeys[1] }), ledger, identity: demo.users.admin2 });
    const refused = (await agent2.sync()).filter((a) => a.orderId === 'PO-PAY-2');
    expect(refused).to.have.length(1);
    expect(refused[0]).to.include({ action: 'rejected-evidence' });
    expect(refused[0]!.detail).to.include(`the ledger shows 0x${qc.txId}`);
    expect((await buyerEscrow.order('PO-PAY-2'))!.milestones[0]!.status).to.equal('pending');

    // the factory's gateway reports the true evidence; Org2 then co-attests it and the milestone is paid
    const outbox = AnchorOutbox.open({ filename: ':memory:', ledger, identity: demo.users.admin1 });
    outboxes.push(outbox);
    const agent1 = new PaymentsAgent({ escrow: await connect({ attestorKey: attestorKeys[0] }), ledger, identity: demo.users.admin1, outbox });
    expect(byAction((await agent1.sync()).filter((a) => a.orderId === 'PO-PAY-2'))).to.deep.equal(['PO-PAY-2#0:reported']);
    expect(byAction((await agent2.sync()).filter((a) => a.orderId === 'PO-PAY-2'))).to.deep.equal(['PO-PAY-2#0:released']);
    // the first test's payees withdrew everything, so this is this milestone's 50/50 split alone
    expect(await buyerEscrow.owed(plan.token, factory.address)).to.equal(450n);
    expect(await buyerEscrow.owed(plan.token, subcontractor.address)).to.equal(450n);
  });

  describe('routes', () => {
    let org3: RunningGateway;
    let org1: RunningGateway;
    const buyer3 = { 'X-API-Key': 'Org3MSP-buyer-key' };
    before(async () => {
      await createOrder('PO-PAY-3');
      const escrow = await connect({ attestorKey: attestorKeys[2], funderKey: buyerKey });
      org3 = await gatewayFor(2, ['buyer', 'admin'], [paymentsApi({ escrow, ledger })]);
      // a buyer user of another organisation, and a gateway without a funding key
      org1 = await gatewayFor(0, ['buyer', 'auditor'], [paymentsApi({ escrow: await connect(), ledger })]);
    });

    it('answers 404 for an order without escrow and for an order the ledger does not know', async () => {
      const none = await request(org3.url).get('/v1/orders/PO-PAY-3/payments').set(buyer3).expect(404);
      expect(none.type).to.equal('application/problem+json');
      expect(none.body).to.include({ code: 'NOT_FOUND', paymentsCode: 'ESCROW_NOT_FOUND' });
      expect(none.body.detail).to.equal(`order PO-PAY-3 has no escrow on ${escrowAddress}`);
      const unknown = await request(org3.url).get('/v1/orders/PO-NOPE/payments').set(buyer3).expect(404);
      expect(unknown.body).to.include({ code: 'NOT_FOUND', ledgerCode: 'NOT_FOUND' });
      await request(org3.url).get('/v1/orders/PO-PAY-3/payments').expect(401);
    });

    it('lets only the order\'s buyer fund, with a valid plan', async () => {
      const plan = await fundedPlan([{ kind: 'delivered', amount: '100', shares: [10_000, 0] }]);
      const role = await request(org3.url).post('/v1/orders/PO-PAY-3/payments/fund').set('X-API-Key', 'Org3MSP-admin-key').send(plan).expect(403);
      expect(role.body.code).to.equal('FORBIDDEN');
      const other = await request(org1.url).post('/v1/orders/PO-PAY-3/payments/fund').set('X-API-Key', 'Org1MSP-buyer-key').send(plan).expect(403);
      expect(other.body).to.include({ paymentsCode: 'NOT_THE_BUYER', detail: 'order PO-PAY-3 belongs to Org3MSP; Org1MSP cannot fund it' });
      const zero = await request(org3.url).post('/v1/orders/PO-PAY-3/payments/fund').set(buyer3).send({ ...plan, milestones: [{ ...plan.milestones[0], amount: '0' }] }).expect(422);
      expect(zero.body).to.include({ code: 'VALIDATION_FAILED' });
      expect(zero.body.detail).to.match(/^body\.milestones\.0\.amount: /);
      const shares = await request(org3.url).post('/v1/orders/PO-PAY-3/payments/fund').set(buyer3).send({ ...plan, milestones: [{ ...plan.milestones[0], shares: [5_000, 4_000] }] }).expect(422);
      expect(shares.body).to.include({ paymentsCode: 'INVALID_FUNDING', detail: 'milestones.0.shares must add up to 10000 basis points' });
      const past = await request(org3.url).post('/v1/orders/PO-PAY-3/payments/fund').set(buyer3).send({ ...plan, milestones: [{ ...plan.milestones[0], deadline: '2020-01-01T00:00:00Z' }] }).expect(422);
      expect(past.body.paymentsCode).to.equal('INVALID_FUNDING');
      const twice = await request(org3.url).post('/v1/orders/PO-PAY-3/payments/fund').set(buyer3).send({ ...plan, payees: [factory.address, factory.address], milestones: [{ ...plan.milestones[0], shares: [5_000, 5_000] }] }).expect(422);
      expect(twice.body.detail).to.match(/listed twice/);
    });

    it('returns the transactions to sign for a wallet, and they fund the order when sent', async () => {
      const plan = await fundedPlan([{ kind: 'accepted', amount: '250', shares: [8_000, 2_000] }]);
      const buyer = new Wallet(buyerKey, provider);
      const res = await request(org3.url).post('/v1/orders/PO-PAY-3/payments/fund').set(buyer3).send({ ...plan, from: buyer.address }).expect(200);
      const txs = res.body.transactions as { purpose: string; to: string; data: string; from: string; chainId: string }[];
      expect(txs.map((t) => t.purpose)).to.deep.equal(['approve', 'fund']);
      expect(txs[1]).to.include({ to: escrowAddress, from: buyer.address, chainId: '31337' });
      const escrowInterface = new Contract(escrowAddress, contractArtifact('OrderEscrow').abi).interface;
      const call = escrowInterface.parseTransaction({ data: txs[1]!.data })!;
      expect(call.name).to.equal('fund');
      expect(call.args[0]).to.equal('PO-PAY-3');
      for (const t of txs) await (await buyer.sendTransaction({ to: t.to, data: t.data })).wait();
      const status = await request(org1.url).get('/v1/orders/PO-PAY-3/payments').set('X-API-Key', 'Org1MSP-auditor-key').expect(200);
      expect(status.body).to.deep.include({ orderId: 'PO-PAY-3', escrowOrderId: escrowOrderId('PO-PAY-3'), buyer: buyer.address, total: '250', payees: [factory.address, subcontractor.address] });
      expect(status.body.milestones).to.deep.equal([{ index: 0, kind: 'accepted', status: 'pending', amount: '250', deadline: new Date(Math.floor(Date.parse(plan.milestones[0]!.deadline) / 1000) * 1000).toISOString(), shares: [{ payee: factory.address, bps: 8_000 }, { payee: subcontractor.address, bps: 2_000 }] }]);
      const again = await request(org3.url).post('/v1/orders/PO-PAY-3/payments/fund').set(buyer3).send(plan).expect(409);
      expect(again.body).to.include({ code: 'CONFLICT', paymentsCode: 'ALREADY_FUNDED' });
    });

    it('refuses to sign without a funding key and to fund a cancelled order', async () => {
      const order = await createOrder('PO-PAY-4');
      expect(order.buyerMsp).to.equal('Org3MSP');
      const plan = await fundedPlan([{ kind: 'accepted', amount: '5', shares: [10_000, 0] }]);
      // Org1's gateway has no funding key; its buyer user is not the order's buyer either, so use the buyer's org without a key
      const noKey = await gatewayFor(2, ['buyer'], [paymentsApi({ escrow: await connect(), ledger })]);
      const res = await request(noKey.url).post('/v1/orders/PO-PAY-4/payments/fund').set(buyer3).send(plan).expect(409);
      expect(res.body).to.include({ paymentsCode: 'NO_FUNDER_KEY' });
      await submit(demo.users.buyer, 'orders:CancelOrder', 'PO-PAY-4', { reason: 'changed design' });
      const cancelled = await request(org3.url).post('/v1/orders/PO-PAY-4/payments/fund').set(buyer3).send(plan).expect(409);
      expect(cancelled.body).to.include({ paymentsCode: 'ORDER_NOT_OPEN', detail: 'order PO-PAY-4 is cancelled; only open orders can be funded' });
    });

    it('documents both routes in the OpenAPI document', async () => {
      const doc = await request(org3.url).get('/openapi.json').expect(200);
      expect(doc.body.paths['/v1/orders/{orderId}/payments'].get.tags).to.deep.equal(['payments']);
      expect(doc.body.paths['/v1/orders/{orderId}/payments/fund'].post.requestBody.required).to.equal(true);
    });
  });
});
