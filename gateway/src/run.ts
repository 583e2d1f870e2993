#!/usr/bin/env node
/**
 * The gateway as a process (`node gateway/dist/run.js`, or `forgetrace-gateway`): configuration
 * from FT_CONFIG and FT_* variables, identities from the wallet (enrolled from the Fabric CA when
 * configured and missing), the ledger (Fabric via fabric-gateway, or a standalone embedded
 * ledger), then the HTTP service. SIGTERM/SIGINT: stop accepting, finish in-flight requests,
 * checkpoint the index, close the ledger connection; exit 0.
 *
 * Exit codes: 0 stopped cleanly, 2 configuration wrong (each problem on its own line), 1 any
 * other start failure (CA refused, ledger unreachable, …).
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { buildCollectionsConfig } from '@forgetrace/chaincode/api';
import { ConfigError, loadConfig, type GatewayConfig } from './config/config';
import { EmbeddedLedger } from './ledger/embedded/embedded-ledger';
import { FabricLedger } from './ledger/fabric/fabric-ledger';
import type { LedgerPort } from './ledger/port';
import { standardFeatures } from './features';
import { startGateway, type RunningGateway } from './main';
import { ensureEnrolled } from './wallet/enroll';
import { FileSystemWallet, type Wallet } from './wallet/wallet';

function readPem(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([`${setting}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
}

/** Open the ledger the configuration names. */
export async function openLedger(config: GatewayConfig, wallet: Wallet): Promise<LedgerPort> {
  const l = config.ledger;
  if (l.kind === 'fabric') {
    const label = config.auth.users[0]!.identity ?? config.auth.users[0]!.role;
    const readIdentity = await wallet.get(label);
    if (!readIdentity) throw new ConfigError([`auth.users[0]: wallet has no identity "${label}" to read events with`]);
    return new FabricLedger({
      peerEndpoint: l.peerEndpoint,
      ...(l.tlsRootCert ? { tlsRootCertificate: readPem(l.tlsRootCert, 'ledger.tlsRootCert') } : {}),
      ...(l.hostAlias ? { hostAlias: l.hostAlias } : {}),
      channel: l.channel,
      chaincode: l.chaincode,
      readIdentity,
    });
  }
  if (!l.organizations || l.organizations.length === 0) {
    throw new ConfigError(['ledger.organizations: a standalone embedded ledger needs its channel members (mspId, role, rootCertPath); `npm start` runs the demo consortium instead']);
  }
  return EmbeddedLedger.open({
    directory: l.directory,
    chaincodePath: l.chaincodePath ?? dirname(require.resolve('@forgetrace/chaincode/package.json')),
    organizations: l.organizations.map((o, i) => ({ mspId: o.mspId, rootCertificates: [readPem(o.rootCertPath, `ledger.organizations[${i}].rootCertPath`)] })),
    collections: buildCollectionsConfig(l.organizations),
  });
}

/** Start everything the configuration describes. */
export async function run(config: GatewayConfig, logger: Logger): Promise<{ gateway: RunningGateway; close(): Promise<void> }> {
  const wallet = new FileSystemWallet(config.wallet);
  if (config.ca) {
    const enrolled = await ensureEnrolled(wallet, {
      url: config.ca.url,
      ...(config.ca.caName ? { caName: config.ca.caName } : {}),
      ...(config.ca.tlsRootCert ? { tlsRootCertificate: readPem(config.ca.tlsRootCert, 'ca.tlsRootCert') } : {}),
    }, config.mspId, config.ca.enroll);
    if (enrolled.length > 0) logger.info({ enrolled }, 'enrolled identities from the Fabric CA');
  }
  const ledger = await openLedger(config, wallet);
  let gateway: RunningGateway;
  try {
    gateway = await startGateway({ config, ledger, wallet, logger, extensions: standardFeatures });
  } catch (e) {
    await ledger.close();
    throw e;
  }
  return {
    gateway,
    async close() {
      await gateway.close();
      await ledger.close();
    },
  };
}

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = pino({ level: config.logLevel, base: { msp: config.mspId } });
  let running: Awaited<ReturnType<typeof run>>;
  try {
    running = await run(config, logger);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err: e }, 'gateway failed to start');
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: draining requests and checkpointing the index');
    running.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) void main();
