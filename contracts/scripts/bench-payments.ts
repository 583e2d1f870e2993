// Gas figures of the escrow's operations on Hardhat's in-process chain (EDR), with a naive baseline:
// aggregated `release` (M signatures verified in one transaction) against on-chain aggregation
// (`attest`, one transaction per attestor), and the marginal cost of one more signature in each.
// Usage: node scripts/bench-payments.ts [--json]   (the JSON object is the last line of output)
import { network } from 'hardhat';
import { DAY, anchoredBatch, attestorWallets, orderKey, signAll, type Domain } from '../test/helpers.ts';

const json = process.argv.includes('--json');
const { ethers } = await network.create();

const [admin, arbiter, buyer, factory, sub1, sub2] = await ethers.getSigners();
const ATTESTORS = 5;
const attestors = attestorWallets(ATTESTORS);
const token = await ethers.deployContract('TestToken', ['Bench', 'B']);
const t = await token.getAddress();
await token.mint(buyer!.address, 10n ** 30n);

async function escrowWithThreshold(threshold: number) {
  const escrow = await ethers.deployContract('OrderEscrow', [admin!.address, arbiter!.address, attestors.map((a) => a.address), threshold]);
  await escrow.grantRole(await escrow.FUNDER_ROLE(), buyer!.address);
  await token.connect(buyer!).approve(await escrow.getAddress(), ethers.MaxUint256);
  const { chainId } = await ethers.provider.getNetwork();
  const domain: Domain = { name: 'ForgeTrace OrderEscrow', version: '1', chainId, verifyingContract: await escrow.getAddress() };
  return { escrow, domain };
}

const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> => Number((await (await tx).wait())!.gasUsed);
let orders = 0;
async function fund(escrow: Awaited<ReturnType<typeof escrowWithThreshold>>['escrow'], milestones: number): Promise<{ id: string; gas: number }> {
  const ledgerId = `BENCH-${++orders}`;
  const id = orderKey(ledgerId);
  const start = (await ethers.provider.getBlock('latest'))!.timestamp;
  const ms = Array.from({ length: milestones }, (_, i) => ({ kind: i % 4, amount: 1_000_000n * BigInt(i + 1), deadline: start + (i + 1) * 10 * DAY, shares: [7_000, 2_000, 1_000] }));
  const gas = await gasOf(escrow.connect(buyer!).fund(ledgerId, t, [factory!.address, sub1!.address, sub2!.address], ms));
  return { id, gas };
}

const figures: Record<string, number> = {};
const releaseBySigs: Record<number, number> = {};
const attestTotals: Record<number, number> = {};
for (const m of [1, 2, 3, 5]) {
  const { escrow, domain } = await escrowWithThreshold(m);
  // batch: one release with m signatures (a 64-leaf anchor batch: 6 proof hashes)
  const a = await fund(escrow, 4);
  if (m === 2) {
    figures.fund1Milestone = (await fund(escrow, 1)).gas;
    figures.fund4Milestones = a.gas;
  }
  const batchA = anchoredBatch([{ orderId: a.id, milestone: 0 }], 63);
  const ev = batchA.evidence[0]!;
  const nonceA = (await escrow.getOrder(a.id)).nonce;
  releaseBySigs[m] = await gasOf(escrow.release(a.id, 0, ev, await signAll(attestors.slice(0, m), domain, a.id, nonceA, 0, ev)));
  // naive baseline: on-chain aggregation, one attest transaction per attestor
  const b = await fund(escrow, 4);
  const evB = anchoredBatch([{ orderId: b.id, milestone: 0 }], 63).evidence[0]!;
  const nonceB = (await escrow.getOrder(b.id)).nonce;
  let sum = 0;
  for (let i = 0; i < m; ++i) {
    const [sig] = await signAll([attestors[i]!], domain, b.id, nonceB, 0, evB);
    const gas = await gasOf(escrow.attest(b.id, 0, evB, sig!));
    if (m === 3 && i === 0) figures.attestFirst = gas;
    if (m === 3 && i === 2) figures.attestReleasing = gas;
    sum += gas;
  }
  attestTotals[m] = sum;
  if (m === 2) {
    // refund and withdraw on the same escrow
    const c = await fund(escrow, 1);
    await ethers.provider.send('evm_increaseTime', [11 * DAY]);
    figures.refund = await gasOf(escrow.refund(c.id, 0));
    figures.withdrawPayee = await gasOf(escrow.connect(factory!).withdraw(t));
    const d = await fund(escrow, 1);
    figures.openDispute = await gasOf(escrow.connect(buyer!).openDispute(d.id, 0));
    figures.resolveDispute = await gasOf(escrow.connect(arbiter!).resolveDispute(d.id, 0, 5_000));
  }
}
figures.release2of5 = releaseBySigs[2]!;
figures.release3of5 = releaseBySigs[3]!;
figures.release5of5 = releaseBySigs[5]!;
figures.perSignatureBatch = Math.round((releaseBySigs[5]! - releaseBySigs[2]!) / 3);
figures.attestAggregation2 = attestTotals[2]!;
figures.attestAggregation3 = attestTotals[3]!;
figures.attestAggregation5 = attestTotals[5]!;
figures.perSignatureNaive = Math.round((attestTotals[5]! - attestTotals[2]!) / 3);

const rows: [string, number, string][] = [
  ['fund (1 milestone, 3 payees)', figures.fund1Milestone!, ''],
  ['fund (4 milestones, 3 payees)', figures.fund4Milestones!, ''],
  ['attest (first of 3, stores the approval)', figures.attestFirst!, ''],
  ['attest (3rd of 3, releases)', figures.attestReleasing!, ''],
  ['release, 2 signatures (threshold 2)', figures.release2of5!, `naive: 2 x attest = ${figures.attestAggregation2}`],
  ['release, 3 signatures (threshold 3)', figures.release3of5!, `naive: 3 x attest = ${figures.attestAggregation3}`],
  ['release, 5 signatures (threshold 5)', figures.release5of5!, `naive: 5 x attest = ${figures.attestAggregation5}`],
  ['per extra signature, aggregated release', figures.perSignatureBatch!, `naive (one attest tx each): ${figures.perSignatureNaive}`],
  ['refund (after deadline)', figures.refund!, ''],
  ['openDispute', figures.openDispute!, ''],
  ['resolveDispute (50/50)', figures.resolveDispute!, ''],
  ['withdraw (payee)', figures.withdrawPayee!, ''],
];
console.log('OrderEscrow gas (EDR, solc 0.8.28, optimizer 200 runs; evidence = 64-leaf anchor batch, 6 proof hashes)');
for (const [name, gas, note] of rows) console.log(`  ${name.padEnd(44)} ${String(gas).padStart(8)}  ${note}`);
if (json) console.log(JSON.stringify({ bench: 'payments', unit: 'gas', ...figures }));
