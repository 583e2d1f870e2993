/**
 * Start a member gateway: query store, indexer and HTTP server on one ledger.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { authenticate, authenticateUpgrade, resolveIdentities, type AuthOptions } from './api/auth';
import { AnchorOutbox } from './anchoring/anchor-outbox';
import type { ApiExtension } from './api/openapi';
import { queryRoutes } from './api/queries';
import type { GatewayConfig } from './config/config';
import { Indexer } from './indexer/indexer';
import { PostgresStore } from './indexer/postgres-store';
import { SqliteStore } from './indexer/sqlite-store';
import type { QueryStore } from './indexer/store';
import { LedgerClient } from './ledger/ledger-client';
import type { LedgerIdentity, LedgerPort } from './ledger/port';
import { createServer } from './server';
import type { Wallet } from './wallet/wallet';

export interface RunningGateway {
  readonly url: string;
  readonly outbox: AnchorOutbox;
  readonly server: Server;
  readonly store: QueryStore;
  readonly indexer: Indexer;
  /** Stop accepting requests, finish in-flight ones, checkpoint the index, close the store. */
  close(): Promise<void>;
}

/** What a feature module may use of the running gateway. */
export interface ExtensionContext {
  readonly config: GatewayConfig;
  readonly store: QueryStore;
  readonly ledger: LedgerClient;
  readonly indexer: Indexer;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** The gateway's anchoring outbox (records → Merkle batches → one CreateAnchor each); started and closed by the gateway. */
  readonly outbox: AnchorOutbox;
  /** The identity the gateway anchors with (its first user whose role may anchor). */
  readonly anchorIdentity: LedgerIdentity;
}

export interface StartOptions {
  readonly config: GatewayConfig;
  /** The ledger (the caller opens it; the gateway does not close it). */
  readonly ledger: LedgerPort;
  readonly wallet: Wallet;
  readonly logger?: Logger;
  readonly version?: string;
  /**
   * Feature modules with their own routes (closed on shutdown, after the HTTP server), or a
   * function making them from the gateway's own store, ledger client and indexer.
   */
  readonly extensions?: readonly ApiExtension[] | ((context: ExtensionContext) => readonly ApiExtension[] | Promise<readonly ApiExtension[]>);
}

/** Start the gateway described by `config` and listen on its host and port. */
export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const { config } = options;
  const logger = options.logger ?? pino({ level: config.logLevel, base: { msp: config.mspId } });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const auth: AuthOptions = {
    mspId: config.mspId,
    users: config.auth.users,
    wallet: options.wallet,
    ...(config.auth.jwtSecret ? { jwt: { secret: config.auth.jwtSecret, issuer: config.auth.jwtIssuer, audience: config.auth.jwtAudience } } : {}),
  };
  const identities = await resolveIdentities(auth);
  const store: QueryStore = config.index.postgresUrl
    ? await PostgresStore.open({ connectionString: config.index.postgresUrl })
    : await SqliteStore.open({ filename: config.index.sqlitePath });
  const readIdentity = identities.values().next().value!;
  const indexer = new Indexer({ ledger: options.ledger, identity: readIdentity, store, logger: logger.child({ component: 'indexer' }), metrics });
  await indexer.start();

  const submitSeconds = new Histogram({
    name: 'forgetrace_ledger_submit_seconds', help: 'Ledger submit latency by transaction and outcome',
    labelNames: ['transaction', 'outcome'], registers: [metrics], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const traceSources = new Counter({
    name: 'forgetrace_trace_source_total', help: 'Part traces computed, by source: index (verified against the ledger), ledger_mismatch, ledger_not_indexed',
    labelNames: ['source'], registers: [metrics],
  });
  const ledger = new LedgerClient(options.ledger, { observe: (transaction, outcome, seconds) => submitSeconds.observe({ transaction, outcome }, seconds) });
  // The anchoring outbox submits as the first user whose role may anchor (admin, factory operator or buyer).
  const anchorUser = config.auth.users.find((u) => u.role !== 'auditor');
  const anchorIdentity = identities.get((anchorUser ?? config.auth.users[0]!).id)!;
  const outbox = AnchorOutbox.open({
    filename: config.anchoring.sqlitePath, ledger, identity: anchorIdentity,
    maxBatchSize: config.anchoring.maxBatchSize, maxAgeMs: config.anchoring.maxAgeMs,
    onError: (e) => logger.warn({ err: e }, 'anchoring flush failed; it is retried'),
  });
  if (anchorUser) outbox.start(config.anchoring.flushIntervalMs);
  const extensions = typeof options.extensions === 'function'
    ? await options.extensions({ config, store, ledger, indexer, logger, metrics, outbox, anchorIdentity })
    : (options.extensions ?? []);
  const app = createServer({
    mspId: config.mspId,
    version: options.version ?? '0.1.0',
    ledger,
    idempotency: store,
    auth,
    identities,
    queries: queryRoutes(store, ledger, () => {
      const cp = indexer.status().checkpoint;
      return cp ? `${cp.blockNumber}.${cp.transactionIndex}` : '';
    }, (source) => traceSources.inc({ source })),
    logger,
    metrics,
    http: config.http,
    extensions,
    waitForIndex: (block, transactionId) => indexer.waitFor(block, { transactionId, timeoutMs: 2000 }).catch(() => undefined),
    notReady: async () => {
      try {
        const lag = await indexer.lag();
        return lag.lagBlocks > 100 ? `index is ${lag.lagBlocks} blocks behind the ledger` : undefined;
      } catch (e) {
        return `ledger unreachable: ${(e as Error).message}`;
      }
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.http.port, config.http.host, () => resolve(s));
    s.once('error', reject);
  });
  // WebSocket upgrades go to the first extension that takes them, authenticated like the API.
  const authHandler = authenticate(auth, identities);
  server.on('upgrade', (req, socket, head) => {
    const taken = extensions.some((x) => x.upgrade?.(req, socket, head, () => authenticateUpgrade(authHandler, req)) ?? false);
    if (!taken) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.http.host}:${address.port}`;
  logger.info({ url }, 'gateway listening');
  return {
    url,
    outbox,
    server,
    store,
    indexer,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      for (const x of extensions) await x.close?.();
      await outbox.close();
      await indexer.stop();
      await store.close();
    },
  };
}
