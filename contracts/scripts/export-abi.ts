// Writes abi/<Contract>.json ({ contractName, abi, bytecode }) from the Hardhat artifacts, for the
// gateway (CommonJS, no Hardhat) to read at run time. `test/abi-export.test.ts` fails when the
// committed files differ from a fresh compilation, so they cannot drift.
// Usage: hardhat compile && node scripts/export-abi.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const EXPORTED = [
  { contractName: 'OrderEscrow', source: 'contracts/OrderEscrow.sol' },
  { contractName: 'TestToken', source: 'contracts/test/TestToken.sol' },
] as const;

const root = path.resolve(import.meta.dirname, '..');
/** Address that Hardhat's coverage instrumentation calls; its bytecode must never be exported. */
export const COVERAGE_MARKER = 'c0bec0bec0bec0bec0bec0bec0bec0bec0bec0be';

/** The exported form of one artifact. */
export function exported(contractName: string, source: string): string {
  const artifact = JSON.parse(readFileSync(path.join(root, 'artifacts', source, `${contractName}.json`), 'utf8')) as { abi: unknown; bytecode: string };
  if (artifact.bytecode.includes(COVERAGE_MARKER)) throw new Error(`${contractName}: the artifact is instrumented for coverage; run \`hardhat compile\` first`);
  return JSON.stringify({ contractName, abi: artifact.abi, bytecode: artifact.bytecode }, null, 2) + '\n';
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) {
  mkdirSync(path.join(root, 'abi'), { recursive: true });
  for (const { contractName, source } of EXPORTED) {
    writeFileSync(path.join(root, 'abi', `${contractName}.json`), exported(contractName, source));
    console.log(`abi/${contractName}.json`);
  }
}
