// The committed abi/*.json (read by the gateway) must equal what a fresh compilation produces.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import hre from 'hardhat';
import { COVERAGE_MARKER, EXPORTED } from '../scripts/export-abi.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('abi/ exports', () => {
  for (const { contractName } of EXPORTED) {
    it(`abi/${contractName}.json matches the compiled contract (run \`npm run export-abi -w contracts\` after changing it)`, async () => {
      const committed = JSON.parse(readFileSync(path.join(root, 'abi', `${contractName}.json`), 'utf8')) as { contractName: string; abi: unknown; bytecode: string };
      const artifact = await hre.artifacts.readArtifact(contractName);
      expect(committed.contractName).to.equal(contractName);
      expect(committed.abi).to.deep.equal(artifact.abi);
      // under `--coverage` the artifacts are instrumented; the ABI is the same, the bytecode is not
      if (!artifact.bytecode.includes(COVERAGE_MARKER)) expect(committed.bytecode).to.equal(artifact.bytecode);
      expect(committed.bytecode).not.to.include(COVERAGE_MARKER);
    });
  }
});
