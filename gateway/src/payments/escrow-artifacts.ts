/**
 * ABI and bytecode of the escrow contracts, read at run time from the contracts package's
 * exported `abi/*.json` (kept equal to the compiled artifacts by a test in contracts/).
 */
import { readFileSync } from 'node:fs';
import type { InterfaceAbi } from 'ethers';

/** An exported contract: name, ABI, creation bytecode. */
export interface ContractArtifact {
  readonly contractName: string;
  readonly abi: InterfaceAbi;
  readonly bytecode: string;
}

const cache = new Map<string, ContractArtifact>();

/** The exported artifact of `OrderEscrow` or `TestToken` (a mintable ERC-20 for tests and demos). */
export function contractArtifact(name: 'OrderEscrow' | 'TestToken'): ContractArtifact {
  let artifact = cache.get(name);
  if (!artifact) {
    artifact = JSON.parse(readFileSync(require.resolve(`@forgetrace/contracts/abi/${name}.json`), 'utf8')) as ContractArtifact;
    cache.set(name, artifact);
  }
  return artifact;
}

/** Minimal ERC-20 ABI the gateway uses. */
export const ERC20_ABI = [
  'function approve(address spender, uint256 amount) returns (bool)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function balanceOf(address account) view returns (uint256)',
] as const;
