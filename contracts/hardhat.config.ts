// Hardhat 3 configuration of the ForgeTrace settlement contracts. The compiler is the `solc`
// npm package's soljson.js (pinned in package.json), so nothing is downloaded at build time.
import { createRequire } from 'node:module';
import { defineConfig } from 'hardhat/config';
import hardhatEthers from '@nomicfoundation/hardhat-ethers';
import hardhatEthersChaiMatchers from '@nomicfoundation/hardhat-ethers-chai-matchers';
import hardhatIgnitionEthers from '@nomicfoundation/hardhat-ignition-ethers';
import hardhatMocha from '@nomicfoundation/hardhat-mocha';
import hardhatNetworkHelpers from '@nomicfoundation/hardhat-network-helpers';
import hardhatTypechain from '@nomicfoundation/hardhat-typechain';

const require = createRequire(import.meta.url);

/** The solc version of the `solc` npm package; contracts pin the same pragma. */
export const SOLC_VERSION = '0.8.28';

export default defineConfig({
  plugins: [hardhatEthers, hardhatEthersChaiMatchers, hardhatMocha, hardhatNetworkHelpers, hardhatIgnitionEthers, hardhatTypechain],
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve('solc/soljson.js'),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
    },
  },
  paths: {
    tests: { mocha: './test' },
  },
  test: {
    mocha: { timeout: 60000 },
  },
  networks: {
    localhost: { type: 'http', chainType: 'l1', url: 'http://127.0.0.1:8545' },
  },
});
