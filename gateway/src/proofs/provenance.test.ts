import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { blockDataHash, blockHeaderHash, transactionDigest, transactionHash, verifyBundle, type ProvenanceBundle, type Verdict } from '@forgetrace/verifier';
import type { PartTrace } from '@forgetrace/chaincode/api';
import { anchoringApi } from '../anchoring/anchoring-api';
import { apiKeyHash } from '../api/auth';
import { configSchema } from '../config/config';
import { openDemoConsortium, type DemoConsortium } from '../demo/demo-consortium';
import { EmbeddedLedger } from '../ledger/embedded/embedded-ledger';
import { createDevOrganization } from '../ledger/embedded/identity';
import { startGateway, type RunningGateway } from '../main';
import { InMemoryWallet } from '../wallet/wallet';
import { buildProvenanceBundle, channelRootCertificates, EvidenceUnavailableError, TraceChangedError } from './provenance';
import { DisclosureStore } from './disclosure-store';
import { fullTrace, proofsApi } from './proofs-api';
import { LedgerClient } from '../ledger/ledger-client';

type Mutable = any; // tests tamper with arbitrary fields

describe('provenance bundles: signed embedded ledger, offline verifier, API', function () {
  this.timeout(60_000);
  let dir: string;
  let demo: DemoConsortium;
  let gw: RunningGateway;
  let bundle: ProvenanceBundle;
  let roots: string[];
  const auditor = { 'X-API-Key': 'prov-auditor' };
  const copy = (): Mutable => structuredClone(bundle);
  const verify = (b: unknown, trustedRoots = roots): Promise<Verdict> => verifyBundle(b, { trustedRoots });
  const reasons = (v: Verdict) => v.findings.map((f) => `${f.reason} @ ${f.path}`);

  /** Org1's gateway over the demo ledger: an auditor, an operator (anchors) and an admin. */
  const mainGateway = async (): Promise<RunningGateway> => {
    const wallet = new InMemoryWallet();
    await wallet.put('auditor', await demo.organizations[0]!.issueIdentity({ commonName: 'p-aud', role: 'auditor' }));
    await wallet.put('factory_operator', await demo.organizations[0]!.issueIdentity({ commonName: 'p-op', role: 'factory_operator' }));
    await wallet.put('admin', await demo.organizations[0]!.issueIdentity({ commonName: 'p-adm', role: 'admin' }));
    const config = configSchema.parse({
      mspId: 'Org1MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir }, wallet: '(memory)',
      auth: { users: [{ id: 'a', role: 'auditor', apiKeySha256: apiKeyHash('prov-auditor') }, { id: 'o', role: 'factory_operator', apiKeySha256: apiKeyHash('prov-op') }, { id: 'adm', role: 'admin', apiKeySha256: apiKeyHash('prov-admin') }] },
    });
    return startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: ({ outbox, ledger, anchorIdentity }) => [proofsApi(ledger, outbox, { disclosures: new DisclosureStore(':memory:'), publicIdentity: anchorIdentity }), anchoringApi(outbox, ledger)] });
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ft-prov-'));
    demo = await openDemoConsortium(dir);
    gw = await mainGateway();
    const trace = JSON.parse(Buffer.from(await demo.ledger.evaluate(demo.users.auditor, 'trace:GetPartTrace', ['PO-1001.1', '{}'])).toString('utf8')) as PartTrace;
    bundle = buildProvenanceBundle(demo.ledger, trace);
    roots = channelRootCertificates(demo.ledger);
  });
  after(async () => {
    await gw?.close();
    await demo?.ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a signed ledger writes format-2 blocks whose hashes the verifier recomputes, and reopens them', async () => {
    const block = demo.ledger.getBlock((await demo.ledger.height()) - 1)!;
    expect(block.header.format).to.equal(2);
    expect(block.signature?.mspId).to.equal('OrdererMSP');
    expect(blockHeaderHash(block.header)).to.equal(block.hash);
    if (block.data.kind !== 'transactions') throw new Error('expected a transaction block');
    const hashes = block.data.transactions.map((tx) => transactionHash(transactionDigest(tx as Mutable)));
    expect(blockDataHash(hashes)).to.equal(block.header.dataHash);
    const tx = block.data.transactions[0]!;
    expect(tx.endorsements?.map((e) => e.mspId)).to.deep.equal(tx.endorsers);
    expect(tx.creator.certificate).to.be.a('string');
    // Reopening replays and re-verifies every block, signed ones included.
    await gw.close();
    await demo.ledger.close();
    demo = await openDemoConsortium(dir);
    expect(await demo.ledger.height()).to.be.greaterThan(block.header.number);
    gw = await mainGateway();
  });

  it('verifies an untouched bundle: every entry, anchor, machine record and the order', async () => {
    const v = await verify(bundle);
    expect(reasons(v)).to.deep.equal([]);
    expect(v.valid).to.equal(true);
    expect(v.claims.length).to.be.greaterThan(bundle.trace.entries.length);
    expect(v.claims.every((c) => c.valid)).to.equal(true);
    expect(v.claims.map((c) => c.path)).to.include.members(['trace.entries[0]', 'trace.anchors.plan-demo-1', 'trace.order', 'trace.machines.DE-MILL-01.machine']);
    expect(v.checked.transactions).to.equal(bundle.transactions.length);
    // Pinning the configuration's CA fingerprints works as well as supplying the certificates.
    const pins = roots.map((pem) => createHash('sha256').update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).digest('hex'));
    expect((await verifyBundle(bundle, { pinnedFingerprints: pins })).valid).to.equal(true);
  });

  it('trusts only the CA certificates the caller supplies or pins', async () => {
    const none = await verifyBundle(bundle, {});
    expect(none).to.include({ valid: false, reason: 'no trust anchors' });
    const stranger = await createDevOrganization('Org1MSP');
    const foreign = await verify(bundle, [stranger.caCertificate]);
    expect(foreign).to.include({ valid: false, reason: 'certificate not issued by a consortium CA' });
    // Trusting the orderer but not Org1's CA: Org1's transactions and endorsements fail, the rest holds.
    const config0 = bundle.config.data.config;
    const partial = await verify(bundle, [...config0.ordererOrganizations![0]!.rootCertificates, ...config0.organizations.filter((o) => o.mspId !== 'Org1MSP').flatMap((o) => [...o.rootCertificates])]);
    expect(partial.valid).to.equal(false);
    expect(reasons(partial).filter((r) => !r.startsWith('certificate not issued by a consortium CA'))).to.deep.equal([]);
    const flagged = new Set(partial.findings.map((f) => /^transactions\[(\d+)\]/.exec(f.path)?.[1]));
    const byOthers = bundle.transactions.filter((t, i) => t.digest.creator.mspId !== 'Org1MSP' && !t.digest.endorsers.includes('Org1MSP') && !flagged.has(String(i)));
    expect(byOthers.length).to.be.greaterThan(0); // transactions of other organisations still verify
    expect(partial.claims.some((c) => !c.valid)).to.equal(true);
  });

  it('a tampered trace field is reported at that entry', async () => {
    const b = copy();
    b.trace.entries[1].data = { ...b.trace.entries[1].data, tampered: true };
    const v = await verify(b);
    expect(v).to.include({ valid: false, reason: 'tampered field', path: 'trace.entries[1]' });
    expect(v.claims.find((c) => c.path === 'trace.entries[1]')!.valid).to.equal(false);
    expect(v.claims.find((c) => c.path === 'trace.entries[0]')!.valid).to.equal(true);
    const at = copy();
    at.trace.entries[0].at = '2020-01-01T00:00:00Z';
    expect(await verify(at)).to.include({ reason: 'tampered field', path: 'trace.entries[0]' });
    const anchor = copy();
    anchor.trace.anchors['plan-demo-1'].merkleRoot = 'f'.repeat(64);
    expect(await verify(anchor)).to.include({ reason: 'tampered field', path: 'trace.anchors.plan-demo-1' });
    const order = copy();
    order.trace.order.quantity = 99;
    expect(await verify(order)).to.include({ reason: 'tampered field', path: 'trace.order' });
  });

  it('a changed write or digest is no longer in its block; re-hashing the block breaks the orderer signature', async () => {
    const b = copy();
    const t = b.transactions[0];
    t.writes[0].write.value = Buffer.from('{"forged":true}').toString('base64');
    expect(reasons(await verify(b))).to.include('tampered field @ transactions[0].writes[0]');
    // The forger changes the write's hash in the digest too: the digest is no longer in its block.
    const { commitmentsHash, commitWrite } = await import('@forgetrace/verifier');
    t.digest.rwset.writes[t.writes[0].index] = commitmentsHash(commitWrite(t.writes[0].write, t.nonce));
    const v = await verify(b);
    expect(v).to.include({ valid: false, reason: 'entry missing from its block', path: 'transactions[0]' });
    // And recomputes the block's hashes: the orderer's signature no longer holds.
    const block = b.blocks.find((x: Mutable) => x.header.number === t.blockNumber);
    block.transactionHashes[t.index] = transactionHash(t.digest);
    block.header.dataHash = blockDataHash(block.transactionHashes);
    block.hash = blockHeaderHash(block.header);
    const resigned = await verify(b);
    expect(resigned).to.include({ valid: false, reason: 'bad signature' });
    expect((resigned as Mutable).path).to.match(/^blocks\[\d+\]\.signature\.signature$/);
    // Wrong index, or a block left out of the bundle.
    const index = copy();
    index.transactions[0].index += 1;
    expect(await verify(index)).to.include({ reason: 'entry missing from its block', path: 'transactions[0]' });
    const noBlock = copy();
    noBlock.blocks = noBlock.blocks.filter((x: Mutable) => x.header.number !== noBlock.transactions[0].blockNumber);
    expect(await verify(noBlock)).to.include({ reason: 'entry missing from its block', path: 'transactions[0]' });
    const noTx = copy();
    const gone = noTx.trace.entries[0].txId;
    noTx.transactions = noTx.transactions.filter((x: Mutable) => x.digest.txId !== gone);
    expect(await verify(noTx)).to.include({ reason: 'entry missing from its block', path: 'trace.entries[0]' });
    const invalid = copy();
    invalid.transactions[0].digest.validationCode = 'MVCC_READ_CONFLICT';
    expect(reasons(await verify(invalid))).to.include('invalid transaction @ transactions[0].digest.validationCode');
  });

  it('swapped or foreign signatures are named: block, client, endorser', async () => {
    const b = copy();
    b.blocks[0].signature.signature = b.blocks[1].signature.signature;
    expect(await verify(b)).to.include({ valid: false, reason: 'bad signature', path: 'blocks[0].signature.signature' });
    // A client signature swapped in: the transaction hash changes and the signature fails too.
    const c = copy();
    c.transactions[0].digest.signature = c.transactions[1].digest.signature;
    expect(reasons(await verify(c))).to.include('bad signature @ transactions[0].digest.signature');
    // An endorsement by a peer certified by a CA outside the consortium.
    const rogue = await (await createDevOrganization('Org1MSP')).issueIdentity({ commonName: 'peer0.rogue', role: 'peer' });
    const e = copy();
    const { certificateHash } = await import('@forgetrace/verifier');
    e.certificates[certificateHash(rogue.certificate)] = rogue.certificate;
    e.transactions[0].digest.endorsements[0].certificateHash = certificateHash(rogue.certificate);
    expect(reasons(await verify(e))).to.include('certificate not issued by a consortium CA @ transactions[0].digest.endorsements[0].certificateHash');
    // A certificate filed under another certificate's fingerprint.
    const swapped = copy();
    swapped.certificates[swapped.transactions[0].digest.creator.certificateHash] = rogue.certificate;
    expect(reasons(await verify(swapped))).to.include('tampered field @ transactions[0].digest.creator.certificateHash');
    const noEndorsement = copy();
    noEndorsement.transactions[0].digest.endorsements = [];
    expect(reasons(await verify(noEndorsement))).to.include('bad signature @ transactions[0].digest.endorsements');
  });

  it('the portable core (JavaScript hashing, Web Crypto) and Node crypto give the same verdicts, and a bad transaction spoils only its own claims', async () => {
    const { nodeBytes } = await import('@forgetrace/verifier/node');
    const { portableBytes, useNativeBytes } = await import('@forgetrace/verifier');
    const cases: Array<[string, (b: Mutable) => void]> = [
      ['untouched', () => undefined],
      ['endorsement signature of another transaction', (b) => { b.transactions[0].digest.endorsements[0].signature = b.transactions[1].digest.endorsements[0].signature; }],
      ['signature that is not DER', (b) => { b.blocks[0].signature.signature = Buffer.from('not a signature').toString('base64'); }],
      ['signature that is not base64', (b) => { b.transactions[1].digest.endorsements[0].signature = '%%%'; }],
    ];
    try {
      for (const [name, tamper] of cases) {
        const verdicts: Verdict[] = [];
        for (const provider of [portableBytes, nodeBytes]) {
          useNativeBytes(provider);
          const b = copy();
          tamper(b);
          verdicts.push(await verify(b));
        }
        expect(verdicts[1], name).to.deep.equal(verdicts[0]);
        expect(verdicts[0]!.valid, name).to.equal(name === 'untouched');
      }
      // Only the claims of the transaction with the bad endorsement are invalid.
      const b = copy();
      b.transactions[0].digest.endorsements[0].signature = b.transactions[1].digest.endorsements[0].signature;
      const v = await verify(b);
      // (The endorsements are in the transaction's hash and under the client's signature, so those fail too.)
      expect(v.findings.map((f) => f.path)).to.include('transactions[0].digest.endorsements[0].signature');
      expect(v.findings.every((f) => f.path.startsWith('transactions[0]'))).to.equal(true);
      const badTx = b.transactions[0].digest.txId;
      expect(v.claims.filter((c) => !c.valid).map((c) => c.txId)).to.satisfy((ids: string[]) => ids.length > 0 && ids.every((id) => id === badTx));
      expect(v.claims.filter((c) => c.valid)).to.have.length.greaterThan(0);
    } finally {
      useNativeBytes(nodeBytes);
    }
  });

  it('completeness: the bundle carries the records of every part and lot its trace walks; a left-out entry or sub-history is found', async () => {
    const ledger = new LedgerClient(demo.ledger);
    const op = demo.users.operator1;
    for (const id of ['LOT-C-1', 'LOT-C-2']) {
      await ledger.submit(op, 'orders:RegisterLot', [{ id, material: 'ti6al4v', supplier: 'Complete Metals', quantity: 5, unit: 'kg', certificateHash: createHash('sha256').update(id).digest('hex') }]);
      await ledger.submit(op, 'orders:ConsumeComponent', ['PO-1001.2', { kind: 'lot', id, quantity: 1, relation: 'transformation' }]);
    }
    const trace = await fullTrace(ledger, demo.users.auditor, 'PO-1001.2', 5);
    const complete: Mutable = buildProvenanceBundle(demo.ledger, trace, { completeness: { maxDepth: 5 } });
    expect(Object.keys(complete.completeness.subjects)).to.deep.equal(['part:PO-1001.2', 'lot:LOT-C-1', 'lot:LOT-C-2']);
    const v = await verify(complete);
    expect(v.valid, reasons(v).join('; ')).to.equal(true);
    expect(v.completeness.proven).to.equal(true);
    expect(v.completeness.asOfBlock).to.be.a('number');
    // Without the claim the bundle still verifies, but proves nothing about completeness.
    expect((await verify(buildProvenanceBundle(demo.ledger, trace))).completeness).to.include({ proven: false });
    // A depth of 0 walks the part alone.
    expect(Object.keys((buildProvenanceBundle(demo.ledger, await fullTrace(ledger, demo.users.auditor, 'PO-1001.2', 0), { completeness: { maxDepth: 0 } }) as Mutable).completeness.subjects)).to.deep.equal(['part:PO-1001.2']);

    const withoutEntry = (b: Mutable, pick: (e: Mutable) => boolean): Mutable => ({ ...b, trace: { ...b.trace, entries: b.trace.entries.filter((e: Mutable) => !pick(e)) } });
    // An event of the part in the middle of its history.
    const middle = await verify(withoutEntry(structuredClone(complete), (e) => e.subject.id === 'PO-1001.2' && e.seq === 2));
    expect(middle).to.include({ valid: false, reason: 'incomplete trace', path: 'trace.entries' });
    expect((middle as Mutable).detail).to.match(/part PO-1001.2 has \d+ events, the trace leaves out event 2$/);
    expect(middle.completeness.proven).to.equal(false);
    expect(middle.claims.every((c) => c.valid)).to.equal(true); // what is shown is still proven
    // The part's last event.
    const count = complete.completeness.subjects['part:PO-1001.2'].eventCount as number;
    expect(((await verify(withoutEntry(structuredClone(complete), (e) => e.subject.id === 'PO-1001.2' && e.seq === count))) as Mutable).detail).to.match(new RegExp(`leaves out event ${count}$`));
    // A whole sub-history, with its subject record.
    const noLot = withoutEntry(structuredClone(complete), (e) => e.subject.id === 'LOT-C-2');
    delete noLot.completeness.subjects['lot:LOT-C-2'];
    expect(await verify(noLot)).to.include({ reason: 'incomplete trace', path: 'completeness.subjects.lot:LOT-C-2' });
    // A subject record changed to hide events: it no longer matches what its transaction wrote.
    const fewer = structuredClone(complete);
    fewer.completeness.subjects['part:PO-1001.2'].eventCount = 1;
    expect(reasons(await verify(fewer))).to.include('tampered field @ completeness.subjects.part:PO-1001.2');
    expect((await verify(fewer)).completeness.proven).to.equal(false);
    // A malformed claim.
    expect(await verify({ ...structuredClone(complete), completeness: { maxDepth: -1, subjects: {} } })).to.include({ reason: 'malformed bundle', path: 'completeness' });

    // A trace read before a new event cannot be claimed complete: the builder says to read it again.
    await ledger.submit(op, 'orders:RegisterLot', [{ id: 'LOT-C-3', material: 'ti6al4v', supplier: 'Complete Metals', quantity: 5, unit: 'kg', certificateHash: createHash('sha256').update('LOT-C-3').digest('hex') }]);
    await ledger.submit(op, 'orders:ConsumeComponent', ['PO-1001.2', { kind: 'lot', id: 'LOT-C-3', quantity: 1, relation: 'transformation' }]);
    expect(() => buildProvenanceBundle(demo.ledger, trace, { completeness: { maxDepth: 5 } })).to.throw(TraceChangedError, /part PO-1001.2 has \d+ events, the trace read \d+/);

    // The API makes complete bundles.
    const r = await request(gw.url).get('/v1/parts/PO-1001.2/provenance').set(auditor);
    expect(r.status).to.equal(200);
    expect((await verify(r.body)).completeness.proven).to.equal(true);
  });

  it('selective disclosure: a public bundle proves the chosen fields and reveals nothing else', async () => {
    const trace = JSON.parse(Buffer.from(await demo.ledger.evaluate(demo.users.auditor, 'trace:GetPartTrace', ['PO-1001.1', '{}'])).toString('utf8')) as PartTrace;
    const shipped = trace.entries.find((e) => e.type === 'shipped')!;
    expect(JSON.stringify(shipped.data)).to.contain('JD014600003');
    const pub = buildProvenanceBundle(demo.ledger, trace, { disclosure: { fields: ['/type', '/at', '/data/carrier'] } }) as Mutable;
    const text = JSON.stringify(pub);
    expect(text).to.not.contain('JD014600003'); // the tracking reference stays private
    expect(text).to.not.contain('"nonce"');
    const entry = pub.trace.entries.find((e: Mutable) => e.type === 'shipped');
    expect(entry).to.deep.equal({ depth: 0, subject: shipped.subject, seq: shipped.seq, txId: shipped.txId, type: 'shipped', at: shipped.at, data: { carrier: 'DHL' } });
    expect(pub.trace.order).to.equal(null);
    const v = await verify(pub);
    expect(reasons(v)).to.deep.equal([]);
    expect(v.claims.every((c) => c.valid)).to.equal(true);
    // A disclosed value changed, an undisclosed field claimed with a guess, a salt swapped.
    const changed = structuredClone(pub);
    changed.trace.entries.find((e: Mutable) => e.type === 'shipped').data.carrier = 'UPS';
    expect(await verify(changed)).to.include({ valid: false, reason: 'tampered field' });
    const guessed = structuredClone(pub);
    guessed.trace.entries.find((e: Mutable) => e.type === 'shipped').data.trackingRef = 'JD014600003';
    expect(await verify(guessed)).to.include({ valid: false, reason: 'tampered field' });
    const salted = structuredClone(pub);
    const w = salted.transactions.flatMap((t: Mutable) => t.writes).find((x: Mutable) => x.disclosed?.['/data/carrier']);
    w.disclosed['/data/carrier'].value = 'UPS';
    expect(reasons(await verify(salted))).to.satisfy((r: string[]) => r.some((x) => x.startsWith('tampered field @ transactions[')));
    // In a full bundle (whole writes) a claim that leaves a field out is caught.
    const stripped = copy();
    delete stripped.trace.entries[0].mspId;
    expect(await verify(stripped)).to.include({ valid: false, reason: 'tampered field', path: 'trace.entries[0]' });
  });

  it('a tampered configuration (a CA swapped in) fails on its own hashes', async () => {
    const b = copy();
    const stranger = await createDevOrganization('Org1MSP');
    b.config.data.config.organizations[0].rootCertificates = [stranger.caCertificate];
    const v = await verify(b, [...roots, stranger.caCertificate]);
    expect(v).to.include({ valid: false, reason: 'tampered field', path: 'config.data' });
    expect(await verify({ ...copy(), format: 'other' })).to.include({ valid: false, reason: 'malformed bundle', path: 'format' });
    expect(await verify(null)).to.include({ valid: false, reason: 'malformed bundle' });
  });

  it('an unsigned embedded ledger cannot back a bundle', async () => {
    const org = await createDevOrganization('Org1MSP');
    const unsignedDir = join(dir, 'unsigned');
    const ledger = await EmbeddedLedger.open({ directory: unsignedDir, chaincodePath: join(__dirname, '../../../chaincode'), organizations: [org.organization] });
    try {
      const admin = await org.issueIdentity({ commonName: 'admin', role: 'admin' });
      await ledger.submit(admin, 'registry:InitConsortium', [JSON.stringify({ name: 'x', adminMsps: ['Org1MSP'] })]);
      const txId = ledger.getBlock(1)!.data.kind === 'transactions' ? (ledger.getBlock(1)!.data as Mutable).transactions[0].txId : '';
      const trace = { ...bundle.trace, entries: [{ ...bundle.trace.entries[0]!, txId }], machines: {}, anchors: {}, twinSnapshots: {}, order: null } as unknown as PartTrace;
      expect(() => buildProvenanceBundle(ledger, trace)).to.throw(EvidenceUnavailableError, /without signatures/);
    } finally {
      await ledger.close();
    }
  });

  it('GET /v1/parts/{id}/provenance serves a bundle with anchored records; POST /v1/verify checks it', async () => {
    const payload = { machine: 'DE-MILL-01', window: 3, temperatureC: [41.2, 41.9] };
    const recordId = gw.outbox.add({ kind: 'telemetry', payload });
    gw.outbox.add({ kind: 'telemetry', payload: { machine: 'DE-MILL-01', window: 4 } });
    await request(gw.url).get(`/v1/parts/PO-1001.1/provenance?records=${recordId}`).set(auditor).expect(409);
    await gw.outbox.flush({ force: true });
    const got = (await request(gw.url).get(`/v1/parts/PO-1001.1/provenance?records=${recordId}`).set(auditor).expect(200)).body;
    expect(got.records).to.have.length(1);
    expect(Object.keys(got.anchors)).to.deep.equal([got.records[0].proof.anchorId]);
    const offline = await verify(got);
    expect(reasons(offline)).to.deep.equal([]);
    expect(offline.claims.find((c) => c.path === 'records[0]')!.valid).to.equal(true);

    const post = (body: unknown) => request(gw.url).post('/v1/verify').set(auditor).send(body as object).expect(200).then((r) => r.body);
    expect(await post({ bundle: got })).to.include({ valid: true, trust: 'gateway' });
    expect(await post({ bundle: got, trustedRoots: roots })).to.include({ valid: true, trust: 'caller' });
    const wrongPath = structuredClone(got);
    wrongPath.records[0].proof.proof = [`0x${'ab'.repeat(32)}`];
    expect(await post({ bundle: wrongPath })).to.include({ valid: false, reason: 'wrong Merkle path', path: 'records[0].proof' });
    const noAnchor = structuredClone(got);
    noAnchor.anchors = {};
    expect(await post({ bundle: noAnchor })).to.include({ valid: false, reason: 'anchor not found', path: 'records[0]' });
    const payloadChanged = structuredClone(got);
    payloadChanged.records[0].payload.window = 5;
    expect(await post({ bundle: payloadChanged })).to.include({ valid: false, reason: 'tampered field', path: 'records[0].payload' });

    // Bad input: problem+json with the reason.
    const badQuery = await request(gw.url).get('/v1/parts/PO-1001.1/provenance?records=nope').set(auditor).expect(422);
    expect(badQuery.headers['content-type']).to.match(/application\/problem\+json/);
    expect(badQuery.body.detail).to.match(/record ids/);
    await request(gw.url).get('/v1/parts/NO-SUCH/provenance').set(auditor).expect(404);
    const badTrust = await request(gw.url).post('/v1/verify').set(auditor).send({ bundle: got, pinnedFingerprints: ['xyz'] }).expect(422);
    expect(badTrust.body.detail).to.match(/SHA-256 fingerprint/);
    // A record proof still reaches the anchoring route.
    const proof = (await request(gw.url).get(`/v1/anchoring/records/${recordId}`).set(auditor).expect(200)).body.proof;
    expect(await post({ payload, proof })).to.include({ valid: true });
  });

  it('a buyer discloses chosen fields; anyone fetches the public bundle without signing in and verifies it', async () => {
    const dir3 = join(dir, 'buyer-gw');
    const wallet = new InMemoryWallet();
    await wallet.put('buyer', await demo.organizations[2]!.issueIdentity({ commonName: 'p-buyer', role: 'buyer' }));
    const config = configSchema.parse({
      mspId: 'Org3MSP', http: { port: 0 }, ledger: { kind: 'embedded', directory: dir3 }, wallet: '(memory)',
      auth: { users: [{ id: 'buyer', role: 'buyer', apiKeySha256: apiKeyHash('prov-buyer') }] },
    });
    const buyerGw = await startGateway({ config, ledger: demo.ledger, wallet, logger: pino({ level: 'silent' }), extensions: ({ outbox, ledger, anchorIdentity }) => [proofsApi(ledger, outbox, { disclosures: new DisclosureStore(':memory:'), publicIdentity: anchorIdentity })] });
    try {
      const buyer = { 'X-API-Key': 'prov-buyer' };
      const none = await request(buyerGw.url).get('/public/parts/PO-1001.1/provenance').expect(404);
      expect(none.headers['content-type']).to.match(/application\/problem\+json/);
      expect(none.body.detail).to.match(/has no public provenance/);
      const bad = await request(buyerGw.url).put('/v1/parts/PO-1001.1/disclosure').set(buyer).send({ fields: ['/nonce'] }).expect(422);
      expect(bad.body.detail).to.match(/must be \/type, \/at, \/mspId, \/data or \/data\/<field>/);
      const put = (await request(buyerGw.url).put('/v1/parts/PO-1001.1/disclosure').set(buyer).send({ fields: ['/type', '/at', '/data/carrier', '/type'] }).expect(200)).body;
      expect(put).to.include({ partId: 'PO-1001.1', updatedBy: 'buyer' });
      expect(put.fields).to.deep.equal(['/at', '/data/carrier', '/type']);
      expect(buyerGw.outbox.get(put.recordId)?.payload).to.include({ type: 'disclosure', partId: 'PO-1001.1' });
      expect((await request(buyerGw.url).get('/v1/parts/PO-1001.1/disclosure').set(buyer).expect(200)).body.fields).to.deep.equal(put.fields);

      const pub = (await request(buyerGw.url).get('/public/parts/PO-1001.1/provenance').expect(200)).body;
      expect(pub.disclosure).to.deep.equal({ fields: put.fields });
      expect(JSON.stringify(pub)).to.not.contain('JD014600003');
      expect(pub.trace.entries.every((e: Mutable) => e.mspId === undefined)).to.equal(true);
      const pins = roots.map((pem) => createHash('sha256').update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).digest('hex'));
      const v = await verifyBundle(pub, { pinnedFingerprints: pins });
      expect(reasons(v)).to.deep.equal([]);
      // Not the order's buyer: refused even as an admin; unauthenticated writes are refused.
      const other = await request(gw.url).put('/v1/parts/PO-1001.1/disclosure').set({ 'X-API-Key': 'prov-admin' }).send({ fields: ['/type'] }).expect(403);
      expect(other.body.detail).to.match(/only the buyer of order PO-1001 \(Org3MSP\)/);
      await request(buyerGw.url).put('/v1/parts/PO-1001.1/disclosure').send({ fields: ['/type'] }).expect(401);
      await request(buyerGw.url).delete('/v1/parts/PO-1001.1/disclosure').set(buyer).expect(204);
      await request(buyerGw.url).get('/public/parts/PO-1001.1/provenance').expect(404);
    } finally {
      await buyerGw.close();
    }
  });
});
