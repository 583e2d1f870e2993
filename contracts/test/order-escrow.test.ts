// Unit tests of OrderEscrow: every external function, every revert path, events and balances.
import { expect } from 'chai';
import { network } from 'hardhat';
import { anyValue } from '@nomicfoundation/hardhat-ethers-chai-matchers/withArgs';
import { ATTESTATION_TYPES, BPS, DAY, Kind, Status, anchoredBatch, attestorWallets, leafOf, now, orderKey, sign, signAll, wallet, type Domain, type Evidence } from './helpers.js';

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const AMOUNTS = [1_000n, 2_000n, 3_000n, 4_000n];
const SHARES = [
  [7_000, 2_000, 1_000],
  [6_000, 3_000, 1_000],
  [5_000, 2_500, 2_500],
  [10_000, 0, 0],
];
const LEDGER_ORDER = 'ORD-1';
const ORDER = orderKey(LEDGER_ORDER);

async function deployEscrow() {
  const [admin, arbiter, buyer, factory, sub1, sub2, stranger] = await ethers.getSigners();
  const attestors = attestorWallets(3);
  const token = await ethers.deployContract('TestToken', ['Test EUR', 'tEUR']);
  const escrow = await ethers.deployContract('OrderEscrow', [admin!.address, arbiter!.address, attestors.map((a) => a.address), 2]);
  const escrowAddress = await escrow.getAddress();
  await escrow.grantRole(await escrow.FUNDER_ROLE(), buyer!.address);
  await token.mint(buyer!.address, 1_000_000n);
  await token.connect(buyer!).approve(escrowAddress, ethers.MaxUint256);
  const { chainId } = await ethers.provider.getNetwork();
  const domain: Domain = { name: 'ForgeTrace OrderEscrow', version: '1', chainId, verifyingContract: escrowAddress };
  return { admin: admin!, arbiter: arbiter!, buyer: buyer!, factory: factory!, sub1: sub1!, sub2: sub2!, stranger: stranger!, attestors, token, escrow, domain };
}

async function fundedOrder() {
  const base = await deployEscrow();
  const start = await now(ethers);
  const deadlines = [start + 10 * DAY, start + 20 * DAY, start + 30 * DAY, start + 40 * DAY];
  const milestones = AMOUNTS.map((amount, i) => ({ kind: i, amount, deadline: deadlines[i]!, shares: SHARES[i]! }));
  const payees = [base.factory.address, base.sub1.address, base.sub2.address];
  await base.escrow.connect(base.buyer).fund(LEDGER_ORDER, await base.token.getAddress(), payees, milestones);
  const batch = anchoredBatch(AMOUNTS.map((_, milestone) => ({ orderId: ORDER, milestone })));
  return { ...base, deadlines, milestones, payees, batch, nonce: 1n };
}

describe('OrderEscrow', () => {
  describe('deployment and governance', () => {
    it('grants the roles and sets the threshold', async () => {
      const { escrow, admin, arbiter, attestors } = await loadFixture(deployEscrow);
      expect(await escrow.threshold()).to.equal(2n);
      expect(await escrow.attestorCount()).to.equal(3n);
      for (const role of ['DEFAULT_ADMIN_ROLE', 'GOVERNANCE_ROLE', 'PAUSER_ROLE']) expect(await escrow.hasRole(await escrow.getFunction(role)(), admin.address)).to.equal(true);
      expect(await escrow.hasRole(await escrow.ARBITER_ROLE(), arbiter.address)).to.equal(true);
      for (const a of attestors) expect(await escrow.hasRole(await escrow.ATTESTOR_ROLE(), a.address)).to.equal(true);
      expect(await escrow.getRoleAdmin(await escrow.ATTESTOR_ROLE())).to.equal(await escrow.GOVERNANCE_ROLE());
    });

    it('rejects a zero admin, a zero attestor and an unreachable threshold', async () => {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory('OrderEscrow');
      const a = attestorWallets(2).map((w) => w.address);
      await expect(factory.deploy(ethers.ZeroAddress, ethers.ZeroAddress, a, 1)).to.be.revertedWithCustomError(factory, 'ZeroAddress');
      await expect(factory.deploy(admin!.address, ethers.ZeroAddress, [a[0]!, ethers.ZeroAddress], 1)).to.be.revertedWithCustomError(factory, 'ZeroAddress');
      await expect(factory.deploy(admin!.address, ethers.ZeroAddress, a, 3)).to.be.revertedWithCustomError(factory, 'InvalidThreshold').withArgs(3n, 2n);
      await expect(factory.deploy(admin!.address, ethers.ZeroAddress, a, 0)).to.be.revertedWithCustomError(factory, 'InvalidThreshold').withArgs(0n, 2n);
      const noArbiter = await factory.deploy(admin!.address, ethers.ZeroAddress, a, 2);
      expect(await noArbiter.getRoleMemberCount(await noArbiter.ARBITER_ROLE())).to.equal(0n);
    });

    it('lets governance change the threshold and the attestors, keeping the threshold reachable', async () => {
      const { escrow, admin, stranger, attestors } = await loadFixture(deployEscrow);
      await expect(escrow.setThreshold(3)).to.emit(escrow, 'ThresholdChanged').withArgs(2n, 3n);
      await expect(escrow.setThreshold(4)).to.be.revertedWithCustomError(escrow, 'InvalidThreshold').withArgs(4n, 3n);
      await expect(escrow.connect(stranger).setThreshold(1)).to.be.revertedWithCustomError(escrow, 'AccessControlUnauthorizedAccount').withArgs(stranger.address, await escrow.GOVERNANCE_ROLE());
      const role = await escrow.ATTESTOR_ROLE();
      await expect(escrow.revokeRole(role, attestors[0]!.address)).to.be.revertedWithCustomError(escrow, 'InvalidThreshold').withArgs(3n, 2n);
      await escrow.setThreshold(2);
      await expect(escrow.revokeRole(role, attestors[0]!.address)).to.emit(escrow, 'RoleRevoked').withArgs(role, attestors[0]!.address, admin.address);
      expect(await escrow.attestorCount()).to.equal(2n);
      await escrow.revokeRole(role, attestors[0]!.address); // revoking a non-member is a no-op
      await expect(escrow.connect(stranger).grantRole(role, stranger.address)).to.be.revertedWithCustomError(escrow, 'AccessControlUnauthorizedAccount');
      await escrow.grantRole(role, stranger.address);
      await expect(escrow.connect(stranger).renounceRole(role, stranger.address)).to.emit(escrow, 'RoleRevoked');
    });

    it('pauses and unpauses only for the pauser', async () => {
      const { escrow, stranger } = await loadFixture(deployEscrow);
      await expect(escrow.connect(stranger).pause()).to.be.revertedWithCustomError(escrow, 'AccessControlUnauthorizedAccount');
      await expect(escrow.pause()).to.emit(escrow, 'Paused');
      expect(await escrow.paused()).to.equal(true);
      await expect(escrow.connect(stranger).unpause()).to.be.revertedWithCustomError(escrow, 'AccessControlUnauthorizedAccount');
      await expect(escrow.unpause()).to.emit(escrow, 'Unpaused');
      await expect(escrow.unpause()).to.be.revertedWithCustomError(escrow, 'ExpectedPause');
    });
  });

  describe('fund', () => {
    it('pulls the total from the buyer, stores the order and emits OrderFunded', async () => {
      const base = await loadFixture(deployEscrow);
      const { escrow, token, buyer, factory, sub1 } = base;
      const deadline = (await now(ethers)) + DAY;
      const milestones = [{ kind: Kind.Produced, amount: 600n, deadline, shares: [9_000, 1_000] }, { kind: Kind.Delivered, amount: 400n, deadline: deadline + DAY, shares: [10_000, 0] }];
      const tx = escrow.connect(buyer).fund(LEDGER_ORDER, await token.getAddress(), [factory.address, sub1.address], milestones);
      await expect(tx).to.emit(escrow, 'OrderFunded').withArgs(ORDER, LEDGER_ORDER, buyer.address, await token.getAddress(), 1_000n, 1n, 2n);
      await expect(tx).to.changeTokenBalances(ethers, token, [buyer, escrow], [-1_000n, 1_000n]);
      const order = await escrow.getOrder(ORDER);
      expect(order.buyer).to.equal(buyer.address);
      expect(order.nonce).to.equal(1n);
      expect(order.total).to.equal(1_000n);
      expect(order.payees).to.deep.equal([factory.address, sub1.address]);
      expect(order.milestoneCount).to.equal(2n);
      const m = await escrow.getMilestone(ORDER, 0);
      expect([m.kind, m.status, m.amount, m.deadline]).to.deep.equal([BigInt(Kind.Produced), Status.Pending, 600n, BigInt(deadline)]);
      expect(m.shares.map(Number)).to.deep.equal([9_000, 1_000]);
      expect(await escrow.held(await token.getAddress())).to.equal(1_000n);
    });

    it('gives each funding a new nonce and never reuses an order id', async () => {
      const { escrow, token, buyer, factory } = await loadFixture(fundedOrder);
      const deadline = (await now(ethers)) + DAY;
      const ms = [{ kind: 0, amount: 5n, deadline, shares: [10_000] }];
      await expect(escrow.connect(buyer).fund(LEDGER_ORDER, await token.getAddress(), [factory.address], ms)).to.be.revertedWithCustomError(escrow, 'OrderAlreadyExists').withArgs(ORDER);
      await expect(escrow.connect(buyer).fund('ORD-2', await token.getAddress(), [factory.address], ms)).to.emit(escrow, 'OrderFunded').withArgs(orderKey('ORD-2'), 'ORD-2', buyer.address, anyValue, 5n, 2n, 1n);
    });

    it('rejects malformed orders', async () => {
      const { escrow, token, buyer, factory, sub1 } = await loadFixture(deployEscrow);
      const t = await token.getAddress();
      const deadline = (await now(ethers)) + DAY;
      const one = (over: Partial<{ kind: number; amount: bigint; deadline: number; shares: number[] }> = {}) => ({ kind: 0, amount: 10n, deadline, shares: [10_000], ...over });
      const fund = (payees: string[], ms: unknown[], tokenAddress = t) => escrow.connect(buyer).fund(LEDGER_ORDER, tokenAddress, payees, ms as never);
      await expect(fund([factory.address], [one()], ethers.ZeroAddress)).to.be.revertedWithCustomError(escrow, 'ZeroAddress');
      await expect(fund([], [one()])).to.be.revertedWithCustomError(escrow, 'InvalidPayeeCount').withArgs(0n);
      const nine = Array.from({ length: 9 }, (_, i) => wallet(`payee-${i}`).address);
      await expect(fund(nine, [one({ shares: Array(9).fill(0) })])).to.be.revertedWithCustomError(escrow, 'InvalidPayeeCount').withArgs(9n);
      await expect(fund([ethers.ZeroAddress], [one()])).to.be.revertedWithCustomError(escrow, 'InvalidPayee').withArgs(ethers.ZeroAddress);
      await expect(fund([factory.address, factory.address], [one({ shares: [5_000, 5_000] })])).to.be.revertedWithCustomError(escrow, 'InvalidPayee').withArgs(factory.address);
      await expect(fund([factory.address], [])).to.be.revertedWithCustomError(escrow, 'InvalidMilestoneCount').withArgs(0n);
      await expect(fund([factory.address], Array(17).fill(one()))).to.be.revertedWithCustomError(escrow, 'InvalidMilestoneCount').withArgs(17n);
      await expect(fund([factory.address], [one(), one({ amount: 0n })])).to.be.revertedWithCustomError(escrow, 'ZeroAmount').withArgs(1n);
      const latest = await now(ethers);
      await expect(fund([factory.address], [one({ deadline: latest })])).to.be.revertedWithCustomError(escrow, 'DeadlineInPast').withArgs(0n, BigInt(latest));
      await expect(fund([factory.address, sub1.address], [one()])).to.be.revertedWithCustomError(escrow, 'InvalidShares').withArgs(0n);
      await expect(fund([factory.address, sub1.address], [one({ shares: [5_000, 4_999] })])).to.be.revertedWithCustomError(escrow, 'InvalidShares').withArgs(0n);
      await expect(fund([factory.address], [one({ kind: 4 })])).to.be.revert(ethers);
    });

    it('fails without allowance or balance (SafeERC20 surfaces the token error)', async () => {
      const { escrow, token, stranger, factory } = await loadFixture(deployEscrow);
      await escrow.grantRole(await escrow.FUNDER_ROLE(), stranger.address);
      const ms = [{ kind: 0, amount: 10n, deadline: (await now(ethers)) + DAY, shares: [10_000] }];
      await expect(escrow.connect(stranger).fund(LEDGER_ORDER, await token.getAddress(), [factory.address], ms)).to.be.revertedWithCustomError(token, 'ERC20InsufficientAllowance');
    });

    it('lets only funders granted by governance fund, so nobody else can take an order id first', async () => {
      const { escrow, token, stranger, factory, buyer } = await loadFixture(deployEscrow);
      const ms = [{ kind: 0, amount: 10n, deadline: (await now(ethers)) + DAY, shares: [10_000] }];
      const role = await escrow.FUNDER_ROLE();
      await expect(escrow.connect(stranger).fund(LEDGER_ORDER, await token.getAddress(), [factory.address], ms)).to.be.revertedWithCustomError(escrow, 'AccessControlUnauthorizedAccount').withArgs(stranger.address, role);
      expect(await escrow.getRoleAdmin(role)).to.equal(await escrow.GOVERNANCE_ROLE());
      // Only governance grants it: nobody can make itself a funder.
      await expect(escrow.connect(stranger).grantRole(role, stranger.address)).to.be.revertedWithCustomError(escrow, 'AccessControlUnauthorizedAccount');
      await escrow.revokeRole(role, buyer.address);
      await expect(escrow.connect(buyer).fund(LEDGER_ORDER, await token.getAddress(), [factory.address], ms)).to.be.revertedWithCustomError(escrow, 'AccessControlUnauthorizedAccount');
    });

    it('refuses fee-on-transfer tokens', async () => {
      const { escrow, buyer, factory } = await loadFixture(deployEscrow);
      const fee = await ethers.deployContract('FeeOnTransferToken');
      await fee.mint(buyer.address, 10_000n);
      await fee.connect(buyer).approve(await escrow.getAddress(), 10_000n);
      const ms = [{ kind: 0, amount: 1_000n, deadline: (await now(ethers)) + DAY, shares: [10_000] }];
      await expect(escrow.connect(buyer).fund(LEDGER_ORDER, await fee.getAddress(), [factory.address], ms)).to.be.revertedWithCustomError(escrow, 'UnexpectedTokenAmount').withArgs(1_000n, 990n);
    });
  });

  describe('release (aggregated signatures)', () => {
    it('releases a milestone on 2 of 3 attestations and credits the exact split', async () => {
      const { escrow, token, attestors, domain, batch, nonce, factory, sub1, sub2 } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const sigs = await signAll([attestors[0]!, attestors[2]!], domain, ORDER, nonce, 0, ev);
      const t = await token.getAddress();
      const tx = escrow.release(ORDER, 0, ev, sigs);
      await expect(tx).to.emit(escrow, 'MilestoneReleased').withArgs(ORDER, 0n, ev.ledgerTxId, ev.anchorRoot, leafOf(ev), 1_000n);
      await expect(tx).to.emit(escrow, 'PaymentCredited').withArgs(factory.address, t, ORDER, 0n, 700n);
      await expect(tx).to.emit(escrow, 'PaymentCredited').withArgs(sub1.address, t, ORDER, 0n, 200n);
      await expect(tx).to.emit(escrow, 'PaymentCredited').withArgs(sub2.address, t, ORDER, 0n, 100n);
      expect((await escrow.getMilestone(ORDER, 0)).status).to.equal(Status.Released);
      expect(await escrow.owed(t, factory.address)).to.equal(700n);
      expect(await escrow.held(t)).to.equal(9_000n);
      expect(await escrow.owedTotal(t)).to.equal(1_000n);
    });

    it('gives the rounding remainder to the main factory and skips zero shares', async () => {
      const { escrow, token, buyer, factory, sub1, sub2, attestors, domain } = await loadFixture(deployEscrow);
      const t = await token.getAddress();
      const ms = [{ kind: Kind.Delivered, amount: 101n, deadline: (await now(ethers)) + DAY, shares: [3_333, 3_333, 3_334] }, { kind: Kind.Delivered, amount: 50n, deadline: (await now(ethers)) + DAY, shares: [10_000, 0, 0] }];
      await escrow.connect(buyer).fund(LEDGER_ORDER, t, [factory.address, sub1.address, sub2.address], ms);
      const { evidence } = anchoredBatch([{ orderId: ORDER, milestone: 0 }, { orderId: ORDER, milestone: 1 }]);
      await escrow.release(ORDER, 0, evidence[0]!, await signAll(attestors.slice(0, 2), domain, ORDER, 1n, 0, evidence[0]!));
      expect(await escrow.owed(t, sub1.address)).to.equal(33n);
      expect(await escrow.owed(t, sub2.address)).to.equal(33n);
      expect(await escrow.owed(t, factory.address)).to.equal(35n);
      const tx = escrow.release(ORDER, 1, evidence[1]!, await signAll(attestors.slice(0, 2), domain, ORDER, 1n, 1, evidence[1]!));
      await expect(tx).to.emit(escrow, 'PaymentCredited').withArgs(factory.address, t, ORDER, 1n, 50n);
      expect((await (await tx).wait())!.logs.filter((l) => escrow.interface.parseLog(l)?.name === 'PaymentCredited')).to.have.length(1);
    });

    it('credits nothing to a main factory whose share is zero', async () => {
      const { escrow, token, buyer, factory, sub1, sub2, attestors, domain } = await loadFixture(deployEscrow);
      const t = await token.getAddress();
      await escrow.connect(buyer).fund(LEDGER_ORDER, t, [factory.address, sub1.address, sub2.address], [{ kind: Kind.Produced, amount: 100n, deadline: (await now(ethers)) + DAY, shares: [0, 5_000, 5_000] }]);
      const ev = anchoredBatch([{ orderId: ORDER, milestone: 0 }]).evidence[0]!;
      const tx = escrow.release(ORDER, 0, ev, await signAll(attestors.slice(0, 2), domain, ORDER, 1n, 0, ev));
      const credited = (await (await tx).wait())!.logs.map((l) => escrow.interface.parseLog(l)).filter((l) => l?.name === 'PaymentCredited').map((l) => l!.args.account as string);
      expect(credited).to.deep.equal([sub1.address, sub2.address]);
      expect([await escrow.owed(t, factory.address), await escrow.owed(t, sub1.address), await escrow.owed(t, sub2.address)]).to.deep.equal([0n, 50n, 50n]);
    });

    it('accepts all 3 attestations too', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[1]!;
      await expect(escrow.release(ORDER, 1, ev, await signAll(attestors, domain, ORDER, nonce, 1, ev))).to.emit(escrow, 'MilestoneReleased');
    });

    it('rejects a signature of someone who is not an attestor', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const outsider = wallet('outsider');
      const signers = [attestors[0]!, outsider].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
      await expect(escrow.release(ORDER, 0, ev, await signAll(signers, domain, ORDER, nonce, 0, ev))).to.be.revertedWithCustomError(escrow, 'UnknownAttestor').withArgs(outsider.address);
    });

    it('rejects a revoked attestor', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      await escrow.revokeRole(await escrow.ATTESTOR_ROLE(), attestors[1]!.address);
      const ev = batch.evidence[0]!;
      await expect(escrow.release(ORDER, 0, ev, await signAll(attestors.slice(0, 2), domain, ORDER, nonce, 0, ev))).to.be.revertedWithCustomError(escrow, 'UnknownAttestor').withArgs(attestors[1]!.address);
    });

    it('rejects the same attestor twice and unsorted signers', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const [s0, s1] = await signAll(attestors.slice(0, 2), domain, ORDER, nonce, 0, ev);
      await expect(escrow.release(ORDER, 0, ev, [s0!, s0!])).to.be.revertedWithCustomError(escrow, 'DuplicateAttestor').withArgs(attestors[0]!.address);
      await expect(escrow.release(ORDER, 0, ev, [s1!, s0!])).to.be.revertedWithCustomError(escrow, 'AttestorsNotSorted').withArgs(attestors[1]!.address, attestors[0]!.address);
      // a duplicate that is not adjacent is caught by the ordering rule
      const s2 = await sign(attestors[2]!, domain, ORDER, nonce, 0, ev);
      await expect(escrow.release(ORDER, 0, ev, [s0!, s2, s0!])).to.be.revertedWithCustomError(escrow, 'AttestorsNotSorted').withArgs(attestors[2]!.address, attestors[0]!.address);
    });

    it('rejects too few attestations', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      await expect(escrow.release(ORDER, 0, ev, [await sign(attestors[0]!, domain, ORDER, nonce, 0, ev)])).to.be.revertedWithCustomError(escrow, 'InsufficientAttestations').withArgs(1n, 2n);
      await expect(escrow.release(ORDER, 0, ev, [])).to.be.revertedWithCustomError(escrow, 'InsufficientAttestations').withArgs(0n, 2n);
    });

    it('rejects a wrong Merkle proof, a wrong record and a wrong root', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const signers = attestors.slice(0, 2);
      const wrongProof: Evidence = { ...ev, proof: batch.evidence[1]!.proof };
      await expect(escrow.release(ORDER, 0, wrongProof, await signAll(signers, domain, ORDER, nonce, 0, wrongProof))).to.be.revertedWithCustomError(escrow, 'InvalidMerkleProof').withArgs(ev.anchorRoot, leafOf(ev));
      const otherPayload: Evidence = { ...ev, payloadHash: batch.evidence[1]!.payloadHash };
      await expect(escrow.release(ORDER, 0, otherPayload, await signAll(signers, domain, ORDER, nonce, 0, otherPayload))).to.be.revertedWithCustomError(escrow, 'InvalidMerkleProof');
      const otherRoot: Evidence = { ...ev, anchorRoot: anchoredBatch([{ orderId: ORDER, milestone: 9 }]).root };
      await expect(escrow.release(ORDER, 0, otherRoot, await signAll(signers, domain, ORDER, nonce, 0, otherRoot))).to.be.revertedWithCustomError(escrow, 'InvalidMerkleProof');
    });

    it('rejects signatures over other evidence than submitted (the signer then recovers to a stranger)', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const sigs = await signAll(attestors.slice(0, 2), domain, ORDER, nonce, 0, { ...ev, ledgerTxId: ethers.ZeroHash });
      await expect(escrow.release(ORDER, 0, ev, sigs)).to.be.revertedWithCustomError(escrow, 'UnknownAttestor');
    });

    it('rejects replayed attestations: same milestone again, another milestone, another order, another escrow', async () => {
      const base = await loadFixture(fundedOrder);
      const { escrow, token, buyer, attestors, domain, batch, nonce, payees, milestones } = base;
      const ev0 = batch.evidence[0]!;
      const sigs = await signAll(attestors.slice(0, 2), domain, ORDER, nonce, 0, ev0);
      await escrow.release(ORDER, 0, ev0, sigs);
      await expect(escrow.release(ORDER, 0, ev0, sigs)).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending').withArgs(ORDER, 0n, Status.Released);
      // milestone 1 has its own record, but the signatures name milestone 0
      const ev1ForReplay: Evidence = { ...batch.evidence[1]! };
      await expect(escrow.release(ORDER, 1, ev1ForReplay, sigs)).to.be.revertedWithCustomError(escrow, 'UnknownAttestor');
      await expect(escrow.release(ORDER, 1, ev0, sigs)).to.be.revertedWithCustomError(escrow, 'UnknownAttestor');
      // another order (new nonce) with the same milestone evidence
      const other = orderKey('ORD-2');
      await escrow.connect(buyer).fund('ORD-2', await token.getAddress(), payees, milestones);
      await expect(escrow.release(other, 0, ev0, sigs)).to.be.revertedWithCustomError(escrow, 'UnknownAttestor');
      // the same order id on another escrow deployment (different EIP-712 domain)
      const escrow2 = await ethers.deployContract('OrderEscrow', [base.admin.address, base.arbiter.address, attestors.map((a) => a.address), 2]);
      await escrow2.grantRole(await escrow2.FUNDER_ROLE(), buyer.address);
      await token.connect(buyer).approve(await escrow2.getAddress(), ethers.MaxUint256);
      await escrow2.connect(buyer).fund(LEDGER_ORDER, await token.getAddress(), payees, milestones);
      await expect(escrow2.release(ORDER, 0, ev0, sigs)).to.be.revertedWithCustomError(escrow2, 'UnknownAttestor');
    });

    it('rejects malformed signatures with the ECDSA errors', async () => {
      const { escrow, batch } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      await expect(escrow.release(ORDER, 0, ev, ['0x1234', '0x5678'])).to.be.revertedWithCustomError(escrow, 'ECDSAInvalidSignatureLength').withArgs(2n);
    });

    it('rejects after the deadline, unknown orders and milestones, and while paused', async () => {
      const { escrow, attestors, domain, batch, nonce, deadlines } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const sigs = await signAll(attestors.slice(0, 2), domain, ORDER, nonce, 0, ev);
      await expect(escrow.release(orderKey('nope'), 0, ev, sigs)).to.be.revertedWithCustomError(escrow, 'UnknownOrder').withArgs(orderKey('nope'));
      await expect(escrow.release(ORDER, 4, ev, sigs)).to.be.revertedWithCustomError(escrow, 'UnknownMilestone').withArgs(ORDER, 4n);
      await escrow.pause();
      await expect(escrow.release(ORDER, 0, ev, sigs)).to.be.revertedWithCustomError(escrow, 'EnforcedPause');
      await escrow.unpause();
      await time.increaseTo(deadlines[0]! + 1);
      await expect(escrow.release(ORDER, 0, ev, sigs)).to.be.revertedWithCustomError(escrow, 'MilestoneDeadlinePassed').withArgs(ORDER, 0n, BigInt(deadlines[0]!));
    });

    it('still releases exactly at the deadline', async () => {
      const { escrow, attestors, domain, batch, nonce, deadlines } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const sigs = await signAll(attestors.slice(0, 2), domain, ORDER, nonce, 0, ev);
      await time.setNextBlockTimestamp(deadlines[0]!);
      await expect(escrow.release(ORDER, 0, ev, sigs)).to.emit(escrow, 'MilestoneReleased');
    });

    it('exposes the digest the attestors sign (matches ethers TypedDataEncoder)', async () => {
      const { escrow, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[2]!;
      const value = { orderId: ORDER, nonce, milestone: 2, ledgerTxId: ev.ledgerTxId, anchorRoot: ev.anchorRoot, recordLeaf: leafOf(ev) };
      expect(await escrow.attestationDigest(ORDER, 2, ev.ledgerTxId, ev.anchorRoot, leafOf(ev))).to.equal(ethers.TypedDataEncoder.hash(domain, ATTESTATION_TYPES, value));
      expect(await escrow.recordLeaf(ev.recordId, ev.payloadHash)).to.equal(leafOf(ev));
      expect(await escrow.orderIdOf(LEDGER_ORDER)).to.equal(ORDER);
      expect(await escrow.recordLeaf(ev.recordId, ev.payloadHash)).to.equal(batch.tree.leafHash([ev.recordId, ev.payloadHash]));
      const [, name, version, chainId, verifyingContract] = await escrow.eip712Domain();
      expect({ name, version, chainId, verifyingContract }).to.deep.equal(domain);
      await expect(escrow.attestationDigest(orderKey('nope'), 0, ev.ledgerTxId, ev.anchorRoot, leafOf(ev))).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
    });
  });

  describe('attest (on-chain aggregation)', () => {
    it('counts attestations and releases at the threshold', async () => {
      const { escrow, token, attestors, domain, batch, nonce, stranger, factory } = await loadFixture(fundedOrder);
      const ev = batch.evidence[2]!;
      const digest = await escrow.attestationDigest(ORDER, 2, ev.ledgerTxId, ev.anchorRoot, leafOf(ev));
      const first = escrow.connect(stranger).attest(ORDER, 2, ev, await sign(attestors[1]!, domain, ORDER, nonce, 2, ev));
      await expect(first).to.emit(escrow, 'MilestoneAttested').withArgs(ORDER, 2n, attestors[1]!.address, digest, 1n);
      await expect(first).not.to.emit(escrow, 'MilestoneReleased');
      expect(await escrow.approvals(digest)).to.equal(1n);
      expect(await escrow.hasAttested(digest, attestors[1]!.address)).to.equal(true);
      expect(await escrow.hasAttested(digest, attestors[0]!.address)).to.equal(false);
      expect(await escrow.attest.staticCall(ORDER, 2, ev, await sign(attestors[0]!, domain, ORDER, nonce, 2, ev))).to.equal(true);
      const second = escrow.attest(ORDER, 2, ev, await sign(attestors[0]!, domain, ORDER, nonce, 2, ev));
      await expect(second).to.emit(escrow, 'MilestoneAttested').withArgs(ORDER, 2n, attestors[0]!.address, digest, 2n);
      await expect(second).to.emit(escrow, 'MilestoneReleased').withArgs(ORDER, 2n, ev.ledgerTxId, ev.anchorRoot, leafOf(ev), 3_000n);
      expect(await escrow.owed(await token.getAddress(), factory.address)).to.equal(1_500n);
      await expect(escrow.attest(ORDER, 2, ev, await sign(attestors[2]!, domain, ORDER, nonce, 2, ev))).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending').withArgs(ORDER, 2n, Status.Released);
    });

    it('rejects a duplicate attestation, a stranger, a wrong proof, a late one and a paused escrow', async () => {
      const { escrow, attestors, domain, batch, nonce, deadlines } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const sig = await sign(attestors[0]!, domain, ORDER, nonce, 0, ev);
      await escrow.attest(ORDER, 0, ev, sig);
      await expect(escrow.attest(ORDER, 0, ev, sig)).to.be.revertedWithCustomError(escrow, 'DuplicateAttestor').withArgs(attestors[0]!.address);
      const outsider = wallet('outsider');
      await expect(escrow.attest(ORDER, 0, ev, await sign(outsider, domain, ORDER, nonce, 0, ev))).to.be.revertedWithCustomError(escrow, 'UnknownAttestor').withArgs(outsider.address);
      const bad: Evidence = { ...ev, proof: [] };
      await expect(escrow.attest(ORDER, 0, bad, await sign(attestors[1]!, domain, ORDER, nonce, 0, bad))).to.be.revertedWithCustomError(escrow, 'InvalidMerkleProof');
      await escrow.pause();
      await expect(escrow.attest(ORDER, 0, ev, await sign(attestors[1]!, domain, ORDER, nonce, 0, ev))).to.be.revertedWithCustomError(escrow, 'EnforcedPause');
      await escrow.unpause();
      await time.increaseTo(deadlines[0]! + 1);
      await expect(escrow.attest(ORDER, 0, ev, await sign(attestors[1]!, domain, ORDER, nonce, 0, ev))).to.be.revertedWithCustomError(escrow, 'MilestoneDeadlinePassed');
      await expect(escrow.attest(orderKey('nope'), 0, ev, sig)).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
    });

    it('counts only attestations on the same evidence', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const other = anchoredBatch([{ orderId: ORDER, milestone: 0 }], 7).evidence[0]!;
      await escrow.attest(ORDER, 0, ev, await sign(attestors[0]!, domain, ORDER, nonce, 0, ev));
      await expect(escrow.attest(ORDER, 0, other, await sign(attestors[1]!, domain, ORDER, nonce, 0, other))).not.to.emit(escrow, 'MilestoneReleased');
      await expect(escrow.attest(ORDER, 0, ev, await sign(attestors[2]!, domain, ORDER, nonce, 0, ev))).to.emit(escrow, 'MilestoneReleased');
    });

    it('stops counting an attestor once it is revoked', async () => {
      const { escrow, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      const digest = await escrow.attestationDigest(ORDER, 0, ev.ledgerTxId, ev.anchorRoot, leafOf(ev));
      await escrow.attest(ORDER, 0, ev, await sign(attestors[0]!, domain, ORDER, nonce, 0, ev));
      await escrow.revokeRole(await escrow.ATTESTOR_ROLE(), attestors[0]!.address);
      expect(await escrow.approvals(digest)).to.equal(0n);
      await expect(escrow.attest(ORDER, 0, ev, await sign(attestors[1]!, domain, ORDER, nonce, 0, ev))).to.emit(escrow, 'MilestoneAttested').withArgs(ORDER, 0n, attestors[1]!.address, digest, 1n);
      expect((await escrow.getMilestone(ORDER, 0)).status).to.equal(Status.Pending);
    });
  });

  describe('refund', () => {
    it('refunds an unattested milestone after its deadline to the buyer, callable by anyone', async () => {
      const { escrow, token, buyer, stranger, deadlines } = await loadFixture(fundedOrder);
      const t = await token.getAddress();
      await expect(escrow.refund(ORDER, 1)).to.be.revertedWithCustomError(escrow, 'MilestoneDeadlineNotReached').withArgs(ORDER, 1n, BigInt(deadlines[1]!));
      await time.increaseTo(deadlines[1]! + 1);
      const tx = escrow.connect(stranger).refund(ORDER, 1);
      await expect(tx).to.emit(escrow, 'MilestoneRefunded').withArgs(ORDER, 1n, 2_000n);
      await expect(tx).to.emit(escrow, 'PaymentCredited').withArgs(buyer.address, t, ORDER, 1n, 2_000n);
      expect(await escrow.owed(t, buyer.address)).to.equal(2_000n);
      expect((await escrow.getMilestone(ORDER, 1)).status).to.equal(Status.Refunded);
      await expect(escrow.refund(ORDER, 1)).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending').withArgs(ORDER, 1n, Status.Refunded);
    });

    it('does not refund released or disputed milestones, unknown ones, or while paused', async () => {
      const { escrow, buyer, attestors, domain, batch, nonce, deadlines } = await loadFixture(fundedOrder);
      const ev = batch.evidence[0]!;
      await escrow.release(ORDER, 0, ev, await signAll(attestors.slice(0, 2), domain, ORDER, nonce, 0, ev));
      await escrow.connect(buyer).openDispute(ORDER, 1);
      await time.increaseTo(deadlines[3]! + 1);
      await expect(escrow.refund(ORDER, 0)).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending').withArgs(ORDER, 0n, Status.Released);
      await expect(escrow.refund(ORDER, 1)).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending').withArgs(ORDER, 1n, Status.Disputed);
      await expect(escrow.refund(ORDER, 9)).to.be.revertedWithCustomError(escrow, 'UnknownMilestone');
      await expect(escrow.refund(orderKey('nope'), 0)).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
      await escrow.pause();
      await expect(escrow.refund(ORDER, 2)).to.be.revertedWithCustomError(escrow, 'EnforcedPause');
    });
  });

  describe('disputes', () => {
    it('lets the buyer or a payee open a dispute, which blocks attestations until the arbiter splits it', async () => {
      const { escrow, token, arbiter, buyer, factory, sub1, sub2, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const t = await token.getAddress();
      await expect(escrow.connect(sub2).openDispute(ORDER, 2)).to.emit(escrow, 'DisputeOpened').withArgs(ORDER, 2n, sub2.address);
      const ev = batch.evidence[2]!;
      await expect(escrow.release(ORDER, 2, ev, await signAll(attestors.slice(0, 2), domain, ORDER, nonce, 2, ev))).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending').withArgs(ORDER, 2n, Status.Disputed);
      await expect(escrow.connect(buyer).openDispute(ORDER, 2)).to.be.revertedWithCustomError(escrow, 'MilestoneNotPending');
      const tx = escrow.connect(arbiter).resolveDispute(ORDER, 2, 4_000);
      await expect(tx).to.emit(escrow, 'DisputeResolved').withArgs(ORDER, 2n, arbiter.address, 1_200n, 1_800n);
      await expect(tx).to.emit(escrow, 'PaymentCredited').withArgs(buyer.address, t, ORDER, 2n, 1_200n);
      expect(await escrow.owed(t, factory.address)).to.equal(900n);
      expect(await escrow.owed(t, sub1.address)).to.equal(450n);
      expect(await escrow.owed(t, sub2.address)).to.equal(450n);
      expect((await escrow.getMilestone(ORDER, 2)).status).to.equal(Status.Resolved);
      await expect(escrow.connect(arbiter).resolveDispute(ORDER, 2, 0)).to.be.revertedWithCustomError(escrow, 'MilestoneNotDisputed').withArgs(ORDER, 2n, Status.Resolved);
      expect(await escrow.held(t)).to.equal(7_000n);
    });

    it('handles all-to-buyer and all-to-payees splits', async () => {
      const { escrow, token, arbiter, buyer, factory } = await loadFixture(fundedOrder);
      const t = await token.getAddress();
      await escrow.connect(factory).openDispute(ORDER, 0);
      await escrow.connect(buyer).openDispute(ORDER, 3);
      const all = escrow.connect(arbiter).resolveDispute(ORDER, 0, 10_000);
      await expect(all).to.emit(escrow, 'DisputeResolved').withArgs(ORDER, 0n, arbiter.address, 1_000n, 0n);
      await expect(escrow.connect(arbiter).resolveDispute(ORDER, 3, 0)).to.emit(escrow, 'DisputeResolved').withArgs(ORDER, 3n, arbiter.address, 0n, 4_000n);
      expect(await escrow.owed(t, buyer.address)).to.equal(1_000n);
      expect(await escrow.owed(t, factory.address)).to.equal(4_000n);
    });

    it('rejects disputes by strangers, after the deadline, on unknown milestones and while paused', async () => {
      const { escrow, buyer, stranger, deadlines } = await loadFixture(fundedOrder);
      await expect(escrow.connect(stranger).openDispute(ORDER, 0)).to.be.revertedWithCustomError(escrow, 'NotAParty').withArgs(stranger.address);
      await expect(escrow.connect(buyer).openDispute(ORDER, 7)).to.be.revertedWithCustomError(escrow, 'UnknownMilestone');
      await expect(escrow.connect(buyer).openDispute(orderKey('nope'), 0)).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
      await escrow.pause();
      await expect(escrow.connect(buyer).openDispute(ORDER, 0)).to.be.revertedWithCustomError(escrow, 'EnforcedPause');
      await escrow.unpause();
      await time.increaseTo(deadlines[0]! + 1);
      await expect(escrow.connect(buyer).openDispute(ORDER, 0)).to.be.revertedWithCustomError(escrow, 'MilestoneDeadlinePassed');
    });

    it('lets only the arbiter resolve, with at most 10 000 bps, not while paused', async () => {
      const { escrow, arbiter, buyer, stranger } = await loadFixture(fundedOrder);
      await escrow.connect(buyer).openDispute(ORDER, 0);
      await expect(escrow.connect(stranger).resolveDispute(ORDER, 0, 1)).to.be.revertedWithCustomError(escrow, 'AccessControlUnauthorizedAccount').withArgs(stranger.address, await escrow.ARBITER_ROLE());
      await expect(escrow.connect(arbiter).resolveDispute(ORDER, 0, 10_001)).to.be.revertedWithCustomError(escrow, 'InvalidBps').withArgs(10_001n);
      await expect(escrow.connect(arbiter).resolveDispute(ORDER, 1, 1)).to.be.revertedWithCustomError(escrow, 'MilestoneNotDisputed').withArgs(ORDER, 1n, Status.Pending);
      await expect(escrow.connect(arbiter).resolveDispute(ORDER, 5, 1)).to.be.revertedWithCustomError(escrow, 'UnknownMilestone');
      await expect(escrow.connect(arbiter).resolveDispute(orderKey('x'), 0, 1)).to.be.revertedWithCustomError(escrow, 'UnknownOrder');
      await escrow.pause();
      await expect(escrow.connect(arbiter).resolveDispute(ORDER, 0, 1)).to.be.revertedWithCustomError(escrow, 'EnforcedPause');
    });
  });

  describe('withdraw', () => {
    it('pays out what was credited, once', async () => {
      const { escrow, token, factory, sub1, attestors, domain, batch, nonce } = await loadFixture(fundedOrder);
      const t = await token.getAddress();
      const ev = batch.evidence[0]!;
      await escrow.release(ORDER, 0, ev, await signAll(attestors.slice(1), domain, ORDER, nonce, 0, ev));
      const tx = escrow.connect(factory).withdraw(t);
      await expect(tx).to.emit(escrow, 'Withdrawn').withArgs(factory.address, t, 700n);
      await expect(tx).to.changeTokenBalances(ethers, token, [factory, escrow], [700n, -700n]);
      expect(await escrow.owed(t, factory.address)).to.equal(0n);
      expect(await escrow.owedTotal(t)).to.equal(300n);
      await expect(escrow.connect(factory).withdraw(t)).to.be.revertedWithCustomError(escrow, 'NothingToWithdraw').withArgs(factory.address, t);
      await escrow.pause();
      await expect(escrow.connect(sub1).withdraw(t)).to.be.revertedWithCustomError(escrow, 'EnforcedPause');
      await escrow.unpause();
      await expect(escrow.connect(sub1).withdraw(t)).to.changeTokenBalance(ethers, token, sub1, 200n);
    });
  });

  describe('pause', () => {
    it('blocks funding while paused', async () => {
      const { escrow, token, buyer, factory } = await loadFixture(deployEscrow);
      await escrow.pause();
      const ms = [{ kind: 0, amount: 10n, deadline: (await now(ethers)) + DAY, shares: [10_000] }];
      await expect(escrow.connect(buyer).fund(LEDGER_ORDER, await token.getAddress(), [factory.address], ms)).to.be.revertedWithCustomError(escrow, 'EnforcedPause');
    });
  });

  describe('reentrancy', () => {
    async function reentrantSetup() {
      const base = await deployEscrow();
      const evil = await ethers.deployContract('ReentrantToken');
      const evilAddress = await evil.getAddress();
      await evil.mint(base.buyer.address, 100_000n);
      await evil.connect(base.buyer).approve(await base.escrow.getAddress(), ethers.MaxUint256);
      return { ...base, evil, evilAddress };
    }

    it('a token that re-enters fund during transferFrom is stopped', async () => {
      const { escrow, evil, evilAddress, buyer, factory } = await loadFixture(reentrantSetup);
      const ms = [{ kind: 0, amount: 10n, deadline: (await now(ethers)) + DAY, shares: [10_000] }];
      await evil.arm(await escrow.getAddress(), escrow.interface.encodeFunctionData('fund', ['inner', evilAddress, [factory.address], ms]));
      await expect(escrow.connect(buyer).fund(LEDGER_ORDER, evilAddress, [factory.address], ms)).to.be.revertedWithCustomError(escrow, 'ReentrancyGuardReentrantCall');
    });

    it('a token that re-enters withdraw during transfer is stopped, and the credit stays', async () => {
      const { escrow, evil, evilAddress, buyer, factory, attestors, domain } = await loadFixture(reentrantSetup);
      const ms = [{ kind: 0, amount: 10n, deadline: (await now(ethers)) + DAY, shares: [10_000] }];
      await escrow.connect(buyer).fund(LEDGER_ORDER, evilAddress, [factory.address], ms);
      const ev = anchoredBatch([{ orderId: ORDER, milestone: 0 }]).evidence[0]!;
      await escrow.release(ORDER, 0, ev, await signAll(attestors.slice(0, 2), domain, ORDER, 1n, 0, ev));
      await evil.arm(await escrow.getAddress(), escrow.interface.encodeFunctionData('withdraw', [evilAddress]));
      await expect(escrow.connect(factory).withdraw(evilAddress)).to.be.revertedWithCustomError(escrow, 'ReentrancyGuardReentrantCall');
      expect(await escrow.owed(evilAddress, factory.address)).to.equal(10n);
      await evil.arm(ethers.ZeroAddress, '0x');
      await expect(escrow.connect(factory).withdraw(evilAddress)).to.changeTokenBalance(ethers, evil, factory, 10n);
    });

    it('a token that re-enters refund or release during a transfer is stopped', async () => {
      const { escrow, evil, evilAddress, buyer, factory, attestors, domain } = await loadFixture(reentrantSetup);
      const deadline = (await now(ethers)) + DAY;
      const ms = [{ kind: 0, amount: 10n, deadline, shares: [10_000] }, { kind: 1, amount: 10n, deadline: deadline + DAY, shares: [10_000] }];
      await escrow.connect(buyer).fund(LEDGER_ORDER, evilAddress, [factory.address], ms);
      const ev = anchoredBatch([{ orderId: ORDER, milestone: 0 }]).evidence[0]!;
      await escrow.release(ORDER, 0, ev, await signAll(attestors.slice(0, 2), domain, ORDER, 1n, 0, ev));
      await evil.arm(await escrow.getAddress(), escrow.interface.encodeFunctionData('refund', [ORDER, 1]));
      await expect(escrow.connect(factory).withdraw(evilAddress)).to.be.revertedWithCustomError(escrow, 'ReentrancyGuardReentrantCall');
      const ev1 = anchoredBatch([{ orderId: ORDER, milestone: 1 }]).evidence[0]!;
      await evil.arm(await escrow.getAddress(), escrow.interface.encodeFunctionData('release', [ORDER, 1, ev1, await signAll(attestors.slice(0, 2), domain, ORDER, 1n, 1, ev1)]));
      await expect(escrow.connect(factory).withdraw(evilAddress)).to.be.revertedWithCustomError(escrow, 'ReentrancyGuardReentrantCall');
      expect(BPS).to.equal(10_000n);
    });
  });
});
