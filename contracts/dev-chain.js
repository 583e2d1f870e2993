// A local development chain for the gateway's tests and demos: Hardhat's simulated network (EDR)
// behind Hardhat's JSON-RPC server, in this process, on 127.0.0.1. Nothing is downloaded.
// Plain JavaScript (ESM) so that CommonJS packages can load it with `await import(...)`.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const projectRoot = path.dirname(fileURLToPath(import.meta.url));

/**
 * Start a chain (chain id 31337 unless given) with Hardhat's 20 default accounts, each funded with
 * 10 000 ETH, and serve it over JSON-RPC.
 * @param {{ hostname?: string, port?: number, chainId?: number }} [options] port 0 (default) picks a free port.
 * @returns {Promise<{ url: string, chainId: number, close(): Promise<void> }>}
 */
export async function startDevChain(options = {}) {
  const { createHardhatRuntimeEnvironment } = await import('hardhat/hre');
  const chainId = options.chainId ?? 31337;
  const hre = await createHardhatRuntimeEnvironment({ networks: { dev: { type: 'edr-simulated', chainType: 'l1', chainId } } }, {}, projectRoot);
  const server = await hre.network.createServer('dev', options.hostname ?? '127.0.0.1', options.port ?? 0);
  const { address, port } = await server.listen();
  return {
    url: `http://${address}:${port}`,
    chainId,
    close: () => server.close(),
  };
}
