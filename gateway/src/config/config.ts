/**
 * Gateway configuration: a JSON file (FT_CONFIG) overlaid with environment variables,
 * validated once at start. Every wrong setting is reported with its name and the reason.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { epcisSettingsSchema } from '../epcis/identifiers';

const role = z.enum(['factory_operator', 'auditor', 'buyer', 'admin']);

const userSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 characters of letters, digits, ".", "_", "@" or "-"'),
  role,
  /** SHA-256 (hex) of the user's API key; the key itself is never stored. */
  apiKeySha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash in lowercase hex').optional(),
  /** Wallet label of the ledger identity this user acts as (defaults to the role). */
  identity: z.string().min(1).optional(),
});

export const configSchema = z.strictObject({
  /** This member's MSP ID; the gateway holds only this organisation's keys. */
  mspId: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'must be an MSP ID such as Org1MSP'),
  http: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Origins allowed by CORS; empty means same-origin only. */
    corsOrigins: z.array(z.url()).default([]),
    bodyLimit: z.string().regex(/^\d+(kb|mb)$/, 'must look like 256kb or 1mb').default('256kb'),
    rateLimitPerMinute: z.coerce.number().int().min(1).max(1_000_000).default(600),
    /** Check every 2xx JSON response against its OpenAPI schema (a mismatch answers 500 and is logged). */
    validateResponses: z.boolean().default(true),
    /** Folder of the built web app (clients/web/dist) to serve at `/`; not served when absent. */
    webRoot: z.string().min(1).optional(),
  }).prefault({}),
  ledger: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('embedded'),
      directory: z.string().min(1),
      /** Channel members for a standalone embedded ledger: MSP ID and a root CA certificate file (PEM). */
      organizations: z.array(z.strictObject({ mspId: z.string().min(1), role: z.enum(['factory', 'buyer', 'auditor']), rootCertPath: z.string().min(1) })).optional(),
      /** Folder of the chaincode package (default: the installed @forgetrace/chaincode). */
      chaincodePath: z.string().min(1).optional(),
    }),
    z.strictObject({
      kind: z.literal('fabric'),
      /** Peer Gateway endpoint, host:port. */
      peerEndpoint: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be host:port'),
      /** File with the peer's TLS root CA certificate (PEM); omit only for a plaintext test peer. */
      tlsRootCert: z.string().min(1).optional(),
      /** TLS server name override when the certificate's name differs from the endpoint host. */
      hostAlias: z.string().min(1).optional(),
      channel: z.string().regex(/^[a-z][a-z0-9.-]{0,248}$/, 'must be a Fabric channel name (lowercase letters, digits, "." or "-")'),
      chaincode: z.string().min(1),
    }),
  ]),
  /** A Fabric CA to enrol missing wallet identities from at start. */
  ca: z.strictObject({
    url: z.string().regex(/^https?:\/\/[^/]+$/, 'must be http(s)://host:port'),
    caName: z.string().min(1).optional(),
    /** File with the CA's TLS root certificate (PEM), for https. */
    tlsRootCert: z.string().min(1).optional(),
    enroll: z.array(z.strictObject({ label: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be a wallet label'), enrollmentId: z.string().min(1), enrollmentSecret: z.string().min(1) })).default([]),
  }).optional(),
  /** Folder of ledger identities (fabric-network file-system wallet format: <label>.id). */
  wallet: z.string().min(1),
  index: z.strictObject({
    sqlitePath: z.string().min(1).default(':memory:'),
    postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string').optional(),
  }).prefault({}),
  auth: z.strictObject({
    /** HS256 secret for JWT bearer tokens (at least 32 characters), if JWTs are accepted. */
    jwtSecret: z.string().min(32, 'must be at least 32 characters').optional(),
    jwtIssuer: z.string().min(1).default('forgetrace'),
    jwtAudience: z.string().min(1).default('forgetrace-gateway'),
    users: z.array(userSchema).min(1, 'must list at least one user'),
  }),
  /** The anchoring outbox: its SQLite file (':memory:' loses pending records on restart) and batch limits. */
  anchoring: z.strictObject({
    sqlitePath: z.string().min(1).default(':memory:'),
    maxBatchSize: z.coerce.number().int().min(1).max(100_000).default(4096),
    maxAgeMs: z.coerce.number().int().min(0).max(86_400_000).default(2000),
    flushIntervalMs: z.coerce.number().int().min(50).max(3_600_000).default(500),
  }).prefault({}),
  /** Cross-company payments (OrderEscrow on an EVM chain); off when absent. Keys are read from files. */
  payments: z.strictObject({
    rpcUrl: z.url(),
    escrowAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address'),
    /** File holding this member's attestor private key (0x + 64 hex). */
    attestorKeyFile: z.string().min(1).optional(),
    /** File holding a buyer key the gateway may fund with. */
    funderKeyFile: z.string().min(1).optional(),
    /** This gateway records reached milestones in its outbox and attests first. */
    reporter: z.boolean().default(false),
    syncIntervalMs: z.coerce.number().int().min(200).max(3_600_000).default(2000),
  }).optional(),
  /** Digital twins of this factory's machines; off when absent. */
  twin: z.strictObject({
    /** Folder of the twin feature's SQLite files (state checkpoints, snapshots, telemetry windows, edge inbox). */
    directory: z.string().min(1),
    /** MQTT telemetry: an embedded broker (aedes), an external broker by URL, or none (HTTP only). */
    mqtt: z.union([
      z.literal(false),
      z.strictObject({ mode: z.literal('embedded'), host: z.string().default('127.0.0.1'), port: z.coerce.number().int().min(1).max(65535).default(1883) }),
      z.strictObject({ mode: z.literal('external'), url: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'must be an mqtt://, mqtts://, ws:// or wss:// URL') }),
    ]).default({ mode: 'embedded', host: '127.0.0.1', port: 1883 }),
    /** Twins to create at start: machine id and model (`cnc-spindle`, `am-printer`). */
    machines: z.array(z.strictObject({ machineId: z.string().min(1), model: z.enum(['cnc-spindle', 'am-printer']) })).default([]),
    /** Edge agents whose signed envelopes are accepted: their certificate file (PEM) and organisation. */
    edgeAgents: z.array(z.strictObject({ certificatePath: z.string().min(1), mspId: z.string().min(1) })).default([]),
  }).optional(),
  /** The recommender's feedback and model versions (off-chain, private). */
  recommend: z.strictObject({ sqlitePath: z.string().min(1).default(':memory:') }).prefault({}),
  /** GS1 identifiers of EPCIS exports and the Digital Link resolver: domain, GTIN per order, GLN per member (`FT_EPCIS` JSON overrides). */
  epcis: epcisSettingsSchema.prefault({}),
  /** Buyers' disclosure choices (which trace fields of a part are public): their SQLite file. */
  disclosure: z.strictObject({ sqlitePath: z.string().min(1).default(':memory:') }).prefault({}),
  /** Webhook subscriptions: their SQLite file (cursors survive restarts unless ':memory:'). */
  subscriptions: z.strictObject({
    sqlitePath: z.string().min(1).default(':memory:'),
    maxAttempts: z.coerce.number().int().min(1).max(100).default(8),
    timeoutMs: z.coerce.number().int().min(100).max(60_000).default(5000),
  }).prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type GatewayConfig = z.output<typeof configSchema>;
export type GatewayUser = z.output<typeof userSchema>;

/** Configuration that is wrong; `problems` has one line per setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid gateway configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Environment variables that override the file, and where they go. */
const ENV: ReadonlyArray<[string, string[]]> = [
  ['FT_MSP_ID', ['mspId']],
  ['FT_HTTP_HOST', ['http', 'host']],
  ['FT_HTTP_PORT', ['http', 'port']],
  ['FT_WEB_ROOT', ['http', 'webRoot']],
  ['FT_WALLET', ['wallet']],
  ['FT_INDEX_SQLITE', ['index', 'sqlitePath']],
  ['FT_INDEX_POSTGRES_URL', ['index', 'postgresUrl']],
  ['FT_ANCHORING_SQLITE', ['anchoring', 'sqlitePath']],
  ['FT_SUBSCRIPTIONS_SQLITE', ['subscriptions', 'sqlitePath']],
  ['FT_RECOMMEND_SQLITE', ['recommend', 'sqlitePath']],
  ['FT_DISCLOSURE_SQLITE', ['disclosure', 'sqlitePath']],
  ['FT_JWT_SECRET', ['auth', 'jwtSecret']],
  ['FT_LOG_LEVEL', ['logLevel']],
  ['FT_FABRIC_PEER', ['ledger', 'peerEndpoint']],
  ['FT_CA_URL', ['ca', 'url']],
];

/**
 * Load and validate the configuration from `FT_CONFIG` (a JSON file) and FT_* variables.
 * @throws ConfigError listing every wrong setting
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, base: Record<string, unknown> = {}): GatewayConfig {
  let raw: Record<string, unknown> = structuredClone(base);
  if (env.FT_CONFIG) {
    try {
      raw = { ...raw, ...(JSON.parse(readFileSync(env.FT_CONFIG, 'utf8')) as Record<string, unknown>) };
    } catch (e) {
      throw new ConfigError([`FT_CONFIG (${env.FT_CONFIG}): ${(e as Error).message}`]);
    }
  }
  for (const [name, path] of ENV) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let node = raw;
    for (const part of path.slice(0, -1)) {
      node[part] = (node[part] && typeof node[part] === 'object' ? node[part] : {}) as Record<string, unknown>;
      node = node[part] as Record<string, unknown>;
    }
    node[path.at(-1)!] = value;
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}${envName(i.path)}`));
  }
  return result.data;
}

function envName(path: PropertyKey[]): string {
  const hit = ENV.find(([, p]) => p.join('.') === path.join('.'));
  return hit ? ` (set by ${hit[0]} or the config file)` : '';
}
