// The Hardhat Ignition modules deploy a working escrow with the given governance parameters.
import { expect } from 'chai';
import { network } from 'hardhat';
import LocalEscrowModule from '../ignition/modules/LocalEscrow.js';
import OrderEscrowModule from '../ignition/modules/OrderEscrow.js';
import type { OrderEscrow, TestToken } from '../types/ethers-contracts/index.js';
import { attestorWallets } from './helpers.js';

const { ethers, ignition } = await network.create();

describe('Ignition modules', () => {
  it('OrderEscrowModule deploys with the given admin, arbiter, attestors and threshold', async () => {
    const [, governance, arbiter] = await ethers.getSigners();
    const attestors = attestorWallets(3).map((a) => a.address);
    const deployed = await ignition.deploy(OrderEscrowModule, { parameters: { OrderEscrowModule: { admin: governance!.address, arbiter: arbiter!.address, attestors, threshold: 2 } } });
    const escrow = deployed.escrow as unknown as OrderEscrow;
    expect(await escrow.threshold()).to.equal(2n);
    expect(await escrow.attestorCount()).to.equal(3n);
    expect(await escrow.hasRole(await escrow.GOVERNANCE_ROLE(), governance!.address)).to.equal(true);
    expect(await escrow.hasRole(await escrow.ARBITER_ROLE(), arbiter!.address)).to.equal(true);
  });

  it('OrderEscrowModule refuses a threshold above the number of attestors', async () => {
    const attestors = attestorWallets(1).map((a) => a.address);
    const failure = await ignition.deploy(OrderEscrowModule, { parameters: { OrderEscrowModule: { attestors, threshold: 2 } } }).then(() => undefined, (e: unknown) => e);
    expect(failure).to.be.instanceOf(Error);
    expect((failure as Error).message).to.include('InvalidThreshold');
  });

  it('LocalEscrowModule adds a mintable test token', async () => {
    const [deployer] = await ethers.getSigners();
    const attestors = attestorWallets(2).map((a) => a.address);
    const deployed = await ignition.deploy(LocalEscrowModule, { parameters: { OrderEscrowModule: { attestors, threshold: 1 } } });
    const escrow = deployed.escrow as unknown as OrderEscrow;
    const token = deployed.token as unknown as TestToken;
    await token.mint(deployer!.address, 5n);
    expect(await token.balanceOf(deployer!.address)).to.equal(5n);
    expect(await escrow.hasRole(await escrow.DEFAULT_ADMIN_ROLE(), deployer!.address)).to.equal(true);
  });
});
