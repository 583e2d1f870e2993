// Hardhat Ignition module for a local development chain: OrderEscrow (from OrderEscrowModule) plus
// a mintable TestToken to pay with. Never use it on a real network.
import { buildModule } from '@nomicfoundation/hardhat-ignition/modules';
import OrderEscrowModule from './OrderEscrow.js';

export default buildModule('LocalEscrowModule', (m) => {
  const { escrow } = m.useModule(OrderEscrowModule);
  const token = m.contract('TestToken', ['ForgeTrace Test EUR', 'tEUR']);
  return { escrow, token };
});
