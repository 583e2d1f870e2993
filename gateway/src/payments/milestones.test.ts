import { expect } from 'chai';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { Wallet, keccak256, toUtf8Bytes, verifyTypedData } from 'ethers';
import type { Order, PartEvent } from '@forgetrace/chaincode/api';
import { LEAF_ENCODING } from '../anchoring/record-proof';
import { ATTESTATION_TYPES, attestationDigest, attestationOf, escrowDomain, escrowOrderId, evidenceFromProof, ledgerTxIdBytes, outboxAnchorId, recordLeaf } from './attestation';
import { MILESTONE_KINDS, milestoneFact, milestoneKindOf, milestoneRecord, partMilestoneEvent } from './milestones';

const tx = (n: number) => n.toString(16).padStart(64, '0');
const event = (partId: string, seq: number, type: string, data: Record<string, unknown>, at: string): PartEvent => ({ partId, seq, type, data, txId: tx(seq + (partId.endsWith('2') ? 100 : 0)), at, mspId: 'Org1MSP' });
const order = (partIds: string[], operations = 1): Order => ({ id: 'PO-9', partIds, operations: Array.from({ length: operations }, () => ({ process: 'milling' })) } as unknown as Order);

describe('payments milestones (pure)', () => {
  const p1 = [
    event('PO-9.1', 1, 'created', {}, '2030-01-01T00:00:00Z'),
    event('PO-9.1', 2, 'job_accepted', { operationIndex: 0 }, '2030-01-01T01:00:00Z'),
    event('PO-9.1', 3, 'job_accepted', { operationIndex: 1 }, '2030-01-01T02:00:00Z'),
    event('PO-9.1', 4, 'operation_finished', { operationIndex: 0 }, '2030-01-02T00:00:00Z'),
    event('PO-9.1', 5, 'operation_finished', { operationIndex: 1 }, '2030-01-03T00:00:00Z'),
    event('PO-9.1', 6, 'qc_recorded', { result: 'fail' }, '2030-01-04T00:00:00Z'),
    event('PO-9.1', 7, 'qc_recorded', { result: 'pass' }, '2030-01-05T00:00:00Z'),
    event('PO-9.1', 8, 'delivered', {}, '2030-01-07T00:00:00Z'),
  ];
  const p2 = [
    event('PO-9.2', 1, 'job_accepted', { operationIndex: 1 }, '2030-01-01T00:30:00Z'),
    event('PO-9.2', 2, 'job_accepted', { operationIndex: 0 }, '2030-01-01T03:00:00Z'),
    event('PO-9.2', 3, 'operation_finished', { operationIndex: 1 }, '2030-01-02T00:00:00Z'),
  ];

  it('numbers the kinds as the contract enum does', () => {
    expect(MILESTONE_KINDS).to.deep.equal(['accepted', 'produced', 'qc_passed', 'delivered']);
    expect(milestoneKindOf(2)).to.equal('qc_passed');
    expect(milestoneKindOf(4)).to.equal(undefined);
  });

  it('finds the event that completes each kind for one part', () => {
    const o = order(['PO-9.1'], 2);
    expect(partMilestoneEvent('accepted', o, p1)?.seq).to.equal(3);
    expect(partMilestoneEvent('produced', o, p1)?.seq).to.equal(5);
    expect(partMilestoneEvent('qc_passed', o, p1)?.seq).to.equal(7);
    expect(partMilestoneEvent('delivered', o, p1)?.seq).to.equal(8);
    expect(partMilestoneEvent('produced', o, p1.slice(0, 4))).to.equal(undefined);
    expect(partMilestoneEvent('qc_passed', o, p1.slice(0, 6))).to.equal(undefined);
  });

  it('reaches a milestone only when every part has, naming the part that came last', () => {
    const o = order(['PO-9.1', 'PO-9.2'], 2);
    const histories = new Map([['PO-9.1', p1], ['PO-9.2', p2]]);
    expect(milestoneFact('accepted', o, histories)).to.deep.equal({ kind: 'accepted', orderId: 'PO-9', partId: 'PO-9.2', transactionId: tx(102), at: '2030-01-01T03:00:00Z' });
    expect(milestoneFact('produced', o, histories)).to.equal(undefined);
    expect(milestoneFact('accepted', o, new Map([['PO-9.1', p1]]))).to.equal(undefined);
    expect(milestoneFact('accepted', order([]), histories)).to.equal(undefined);
  });

  it('builds a deterministic record from escrow and ledger facts', () => {
    const fact = milestoneFact('delivered', order(['PO-9.1']), new Map([['PO-9.1', p1]]))!;
    const r = milestoneRecord({ chainId: 31337n, address: '0xABCDEF0000000000000000000000000000000001' }, { escrowOrderId: escrowOrderId('PO-9'), nonce: 4n }, 3, fact);
    expect(r).to.deep.equal({ type: 'forgetrace.payments.milestone', version: 1, chainId: '31337', escrow: '0xabcdef0000000000000000000000000000000001', escrowOrderId: keccak256(toUtf8Bytes('PO-9')), nonce: '4', milestone: 3, kind: 'delivered', orderId: 'PO-9', partId: 'PO-9.1', transactionId: tx(8) });
  });
});

describe('payments attestations (pure)', () => {
  const tree = StandardMerkleTree.of([['rec-1', '0x' + 'ab'.repeat(32)], ['rec-2', '0x' + 'cd'.repeat(32)], ['rec-3', '0x' + 'ef'.repeat(32)]], [...LEAF_ENCODING]);

  it('computes leaves as StandardMerkleTree does and anchor ids as the outbox does', () => {
    expect(recordLeaf('rec-2', '0x' + 'cd'.repeat(32))).to.equal(tree.leafHash(['rec-2', '0x' + 'cd'.repeat(32)]));
    expect(outboxAnchorId('0xABCDEF0123456789abcdef0123456789')).to.equal('ob-abcdef0123456789abcdef01');
  });

  it('turns an outbox proof into contract evidence and refuses non-Fabric transaction ids', () => {
    const proof = { recordId: 'rec-1', leaf: ['rec-1', '0x' + 'AB'.repeat(32)] as [string, string], root: tree.root, proof: tree.getProof(0), anchorId: 'x', transactionId: 'y', blockNumber: 3 };
    expect(evidenceFromProof(proof, 'F'.repeat(64))).to.deep.equal({ ledgerTxId: '0x' + 'f'.repeat(64), anchorRoot: tree.root, recordId: 'rec-1', payloadHash: '0x' + 'ab'.repeat(32), proof: tree.getProof(0) });
    expect(() => ledgerTxIdBytes('abc')).to.throw(RangeError, /not a Fabric transaction id/);
  });

  it('signs attestations that recover to the attestor, and any changed field changes the digest', async () => {
    const wallet = new Wallet(keccak256(toUtf8Bytes('unit-attestor')));
    const domain = escrowDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
    const evidence = { ledgerTxId: '0x' + '11'.repeat(32), anchorRoot: tree.root, recordId: 'rec-1', payloadHash: '0x' + 'ab'.repeat(32), proof: tree.getProof(0) };
    const att = attestationOf(escrowOrderId('PO-1'), 1n, 2, evidence);
    const signature = await wallet.signTypedData(domain, ATTESTATION_TYPES, { ...att });
    expect(verifyTypedData(domain, ATTESTATION_TYPES, { ...att }, signature)).to.equal(wallet.address);
    const digest = attestationDigest(domain, att);
    expect(attestationDigest(domain, { ...att, milestone: 1 })).not.to.equal(digest);
    expect(attestationDigest(domain, { ...att, nonce: 2n })).not.to.equal(digest);
    expect(attestationDigest(escrowDomain(1n, '0x5FbDB2315678afecb367f032d93F642f64180aa3'), att)).not.to.equal(digest);
  });
});
