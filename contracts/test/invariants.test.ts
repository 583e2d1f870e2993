// Property tests of OrderEscrow (fast-check, fixed seed): random sequences of funding, attestations
// (valid and invalid), refunds, disputes, arbitration, withdrawals and time jumps. After every step:
//   funds in = released + refunded + held;  token balance = held + owed;  no milestone paid twice;
//   each settled milestone credited exactly its amount; the contract's statuses match a model.
import { expect } from 'chai';
import fc from 'fast-check';
import { network } from 'hardhat';
import { DAY, Status, anchoredBatch, attestorWallets, orderKey, signAll, type Domain } from './helpers.js';

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const ORDERS = 3;
const MILESTONES = 3;

async function deploy() {
  const [admin, arbiter, buyer, p0, p1, p2] = await ethers.getSigners();
  const attestors = attestorWallets(4);
  const token = await ethers.deployContract('TestToken', ['T', 'T']);
  const escrow = await ethers.deployContract('OrderEscrow', [admin!.address, arbiter!.address, attestors.map((a) => a.address), 3]);
  await escrow.grantRole(await escrow.FUNDER_ROLE(), buyer!.address);
  await token.mint(buyer!.address, 10n ** 30n);
  await token.connect(buyer!).approve(await escrow.getAddress(), ethers.MaxUint256);
  const { chainId } = await ethers.provider.getNetwork();
  const domain: Domain = { name: 'ForgeTrace OrderEscrow', version: '1', chainId, verifyingContract: await escrow.getAddress() };
  return { arbiter: arbiter!, buyer: buyer!, payees: [p0!, p1!, p2!], attestors, token, escrow, domain };
}

type Action =
  | { type: 'fund'; order: number; amounts: bigint[]; shares: number[][]; days: number[] }
  | { type: 'release'; order: number; milestone: number; signers: number[] }
  | { type: 'refund'; order: number; milestone: number }
  | { type: 'dispute'; order: number; milestone: number; byBuyer: boolean }
  | { type: 'resolve'; order: number; milestone: number; buyerBps: number }
  | { type: 'withdraw'; who: number }
  | { type: 'wait'; days: number };

const shares3 = fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 })).map(([a, b]) => {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  return [lo, hi - lo, 10_000 - hi];
});
const order = fc.integer({ min: 0, max: ORDERS - 1 });
const milestone = fc.integer({ min: 0, max: MILESTONES - 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('fund' as const), order, amounts: fc.array(fc.bigInt({ min: 1n, max: 10n ** 24n }), { minLength: MILESTONES, maxLength: MILESTONES }), shares: fc.array(shares3, { minLength: MILESTONES, maxLength: MILESTONES }), days: fc.array(fc.integer({ min: 1, max: 30 }), { minLength: MILESTONES, maxLength: MILESTONES }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('release' as const), order, milestone, signers: fc.oneof({ weight: 3, arbitrary: fc.constantFrom([0, 1, 2], [1, 2, 3], [0, 2, 3], [0, 1, 2, 3]) }, { weight: 1, arbitrary: fc.subarray([0, 1, 2, 3]) }).map((s) => [...s]) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('refund' as const), order, milestone }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('dispute' as const), order, milestone, byBuyer: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('resolve' as const), order, milestone, buyerBps: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('withdraw' as const), who: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 20 }) }) },
);

interface ModelMilestone { amount: bigint; deadline: number; status: bigint }

describe('OrderEscrow invariants (property-based)', () => {
  it('keeps the books balanced and never pays a milestone twice', async () => {
    const seen = { fund: 0, release: 0, refund: 0, dispute: 0, resolve: 0, withdraw: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 30 }), async (actions) => {
        const { escrow, token, buyer, payees, arbiter, attestors, domain } = await loadFixture(deploy);
        const t = await token.getAddress();
        const model = new Map<number, { nonce: bigint; milestones: ModelMilestone[] }>();
        const credited = new Map<string, bigint>(); // per order:milestone
        let funded = 0n;
        let released = 0n; // credited to payees
        let refunded = 0n; // credited back to the buyer (refunds and dispute shares)
        let nonce = 0n;
        const settle = async (receipt: Awaited<ReturnType<Awaited<ReturnType<typeof escrow.refund>>['wait']>>, buyerAddress: string) => {
          for (const log of receipt!.logs) {
            const parsed = escrow.interface.parseLog(log);
            if (parsed?.name !== 'PaymentCredited') continue;
            const key = `${parsed.args.orderId}:${parsed.args.milestone}`;
            credited.set(key, (credited.get(key) ?? 0n) + parsed.args.amount);
            if (parsed.args.account === buyerAddress) refunded += parsed.args.amount;
            else released += parsed.args.amount;
          }
        };
        for (const a of actions) {
          const id = 'order' in a ? orderKey(`ORD-${a.order}`) : '';
          const m = 'order' in a ? model.get(a.order) : undefined;
          const ms = m && 'milestone' in a ? m.milestones[a.milestone] : undefined;
          const now = (await ethers.provider.getBlock('latest'))!.timestamp + 1;
          switch (a.type) {
            case 'fund': {
              const deadlines = a.days.map((d) => now + d * DAY);
              const input = a.amounts.map((amount, i) => ({ kind: i, amount, deadline: deadlines[i]!, shares: a.shares[i]! }));
              const tx = escrow.connect(buyer).fund(`ORD-${a.order}`, t, payees.map((p) => p.address), input);
              if (m) {
                await expect(tx).to.be.revertedWithCustomError(escrow, 'OrderAlreadyExists');
              } else {
                await tx;
                nonce += 1n;
                model.set(a.order, { nonce, milestones: a.amounts.map((amount, i) => ({ amount, deadline: deadlines[i]!, status: Status.Pending })) });
                funded += a.amounts.reduce((x, y) => x + y, 0n);
                seen.fund += 1;
              }
              break;
            }
            case 'release': {
              const batch = anchoredBatch([{ orderId: id, milestone: a.milestone }]);
              const ev = batch.evidence[0]!;
              const sigs = await signAll(a.signers.map((i) => attestors[i]!), domain, id, m?.nonce ?? 0n, a.milestone, ev);
              const tx = escrow.release(id, a.milestone, ev, sigs);
              if (!m || !ms) await expect(tx).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
              else if (ms.status !== Status.Pending) await expect(tx).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending');
              else if (now > ms.deadline) await expect(tx).to.be.revertedWithCustomError(escrow, 'MilestoneDeadlinePassed');
              else if (sigs.length < 3) await expect(tx).to.be.revertedWithCustomError(escrow, 'InsufficientAttestations');
              else {
                await settle(await (await tx).wait(), buyer.address);
                ms.status = Status.Released; seen.release += 1;
              }
              break;
            }
            case 'refund': {
              const tx = escrow.refund(id, a.milestone);
              if (!m || !ms) await expect(tx).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
              else if (ms.status !== Status.Pending) await expect(tx).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending');
              else if (now <= ms.deadline) await expect(tx).to.be.revertedWithCustomError(escrow, 'MilestoneDeadlineNotReached');
              else {
                await settle(await (await tx).wait(), buyer.address);
                ms.status = Status.Refunded; seen.refund += 1;
              }
              break;
            }
            case 'dispute': {
              const tx = escrow.connect(a.byBuyer ? buyer : payees[2]!).openDispute(id, a.milestone);
              if (!m || !ms) await expect(tx).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
              else if (ms.status !== Status.Pending) await expect(tx).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending');
              else if (now > ms.deadline) await expect(tx).to.be.revertedWithCustomError(escrow, 'MilestoneDeadlinePassed');
              else {
                await tx;
                ms.status = Status.Disputed; seen.dispute += 1;
              }
              break;
            }
            case 'resolve': {
              const tx = escrow.connect(arbiter).resolveDispute(id, a.milestone, a.buyerBps);
              if (!m || !ms) await expect(tx).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
              else if (ms.status !== Status.Disputed) await expect(tx).to.be.revertedWithCustomError(escrow, 'MilestoneNotDisputed');
              else {
                await settle(await (await tx).wait(), buyer.address);
                ms.status = Status.Resolved; seen.resolve += 1;
              }
              break;
            }
            case 'withdraw': {
              const who = a.who === 3 ? buyer : payees[a.who]!;
              const due = await escrow.owed(t, who.address);
              const tx = escrow.connect(who).withdraw(t);
              if (due === 0n) await expect(tx).to.be.revertedWithCustomError(escrow, 'NothingToWithdraw');
              else {
                await expect(tx).to.changeTokenBalance(ethers, token, who, due);
                seen.withdraw += 1;
              }
              break;
            }
            case 'wait':
              await time.increase(a.days * DAY);
              break;
          }
          // invariants after every step
          const held = await escrow.held(t);
          expect(funded).to.equal(released + refunded + held, 'funds in = released + refunded + held');
          expect(await token.balanceOf(await escrow.getAddress())).to.equal(held + (await escrow.owedTotal(t)), 'balance = held + owed');
          for (const [o, entry] of model) {
            for (let i = 0; i < entry.milestones.length; ++i) {
              const mm = entry.milestones[i]!;
              const key = `${orderKey(`ORD-${o}`)}:${i}`;
              const settled = mm.status === Status.Released || mm.status === Status.Refunded || mm.status === Status.Resolved;
              expect(credited.get(key) ?? 0n).to.equal(settled ? mm.amount : 0n, `credits of ${key}`);
              expect((await escrow.getMilestone(orderKey(`ORD-${o}`), i)).status).to.equal(mm.status);
            }
          }
        }
      }),
      { numRuns: 20, seed: 20261128, endOnFailure: true },
    );
    // the generated sequences must reach every kind of settlement, or the property proves little
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).to.be.greaterThan(0);
  });
});
