/**
 * MQTT into the twins. Two modes:
 * - **embedded** (default): an `aedes` broker in the gateway process listens on a TCP port;
 *   machines and edge agents publish to it; the gateway subscribes in-process.
 * - **external**: an `mqtt` client connects to a broker by URL (e.g. Mosquitto) with a fixed
 *   client id and a persistent session (`clean: false`), so QoS 1 messages published while the
 *   gateway is down are delivered when it comes back.
 *
 * Topic `forgetrace/{org}/{machine}/telemetry`, QoS 1, JSON payloads (see `telemetry.ts`).
 * Backpressure: a message is acknowledged only after the twin service has queued it; while the
 * service's bounded queue is full the acknowledgement waits, so the broker (aedes: the
 * connection's next read; mqtt.js: `handleMessage`) stops delivering and memory stays bounded.
 * Duplicates (QoS 1 redelivery) and out-of-order messages are handled by the twins.
 *
 * The broker packages are loaded when MQTT is started, so the rest of the gateway works without
 * them: `npm install aedes mqtt` (workspace `@forgetrace/gateway`).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TwinError } from './errors';
import { parseTelemetryTopic, TELEMETRY_FILTER } from './telemetry';
import type { TwinService } from './twin-service';

/** The part of an MQTT publish packet we read. */
interface PublishPacket {
  readonly topic: string;
  readonly payload: Buffer | string;
  readonly qos?: number;
}

/** The part of the aedes broker API we use (aedes ≥ 0.51 / 1.x). */
interface AedesBroker {
  handle(socket: Socket): void;
  subscribe(topic: string, deliver: (packet: PublishPacket, cb: () => void) => void, done: () => void): void;
  close(cb?: () => void): void;
}
interface AedesClient {
  readonly id: string;
}
interface AedesModule {
  readonly Aedes?: { createBroker(options?: object): Promise<AedesBroker> | AedesBroker };
  (options?: object): AedesBroker;
}

/** The part of the mqtt.js client API we use (mqtt 5.x). */
export interface MqttClientLike {
  handleMessage: (packet: PublishPacket, callback: (error?: Error) => void) => void;
  subscribe(topic: string, options: { qos: 0 | 1 | 2 }, callback: (error: Error | null) => void): unknown;
  publish(topic: string, message: string | Buffer, options: { qos: 0 | 1 | 2 }, callback: (error?: Error) => void): unknown;
  end(force: boolean, options: object, callback: () => void): unknown;
  on(event: 'connect' | 'error' | 'close' | 'offline' | 'reconnect', listener: (arg?: unknown) => void): unknown;
  readonly connected: boolean;
}
interface MqttModule {
  connect(url: string, options: object): MqttClientLike;
}

/** Load an optional package or throw MQTT_UNAVAILABLE naming it. */
export function loadOptional<T>(pkg: 'aedes' | 'mqtt'): T {
  try {
    return require(pkg) as T;
  } catch (e) {
    throw new TwinError('MQTT_UNAVAILABLE', { pkg, reason: `${(e as Error).message.split('\n')[0]}; run npm install ${pkg} -w @forgetrace/gateway` });
  }
}

/**
 * Connect an mqtt.js client and wait for CONNACK. `prepare` runs on the client before the
 * connection opens (a persistent session delivers queued messages right after CONNACK, so the
 * message handler must be in place by then).
 * @throws MQTT_UNAVAILABLE; the connection error
 */
export async function connectMqtt(url: string, options: Record<string, unknown> = {}, prepare?: (client: MqttClientLike) => void): Promise<MqttClientLike> {
  const mqtt = loadOptional<MqttModule>('mqtt');
  const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 500, connectTimeout: 5000, ...options });
  prepare?.(client);
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    client.on('connect', () => {
      settled = true;
      resolve();
    });
    // only errors before the first CONNACK fail the call; later ones are reconnected by mqtt.js
    client.on('error', (e) => {
      if (settled) return;
      settled = true;
      client.end(true, {}, () => undefined);
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
  return client;
}

/** Credentials of publishers of the embedded broker: each username may publish for one org only. */
export type BrokerCredentials = Readonly<Record<string, { readonly password: string; readonly org: string }>>;

/** Options of {@link MqttIngest.start}. */
export type MqttIngestOptions = {
  readonly service: TwinService;
  /** Called with rejected messages (metrics/logging). */
  readonly onReject?: (topic: string, reason: string, detail: string) => void;
} & (
  | { readonly mode: 'embedded'; readonly host?: string; readonly port?: number; readonly credentials?: BrokerCredentials }
  | { readonly mode: 'external'; readonly url: string; readonly clientId?: string; readonly username?: string; readonly password?: string }
);

/** Counters of the MQTT path. */
export interface MqttIngestStats {
  messages: number;
  accepted: number;
  rejected: number;
  /** Messages whose acknowledgement waited for queue room. */
  throttled: number;
}

/** A running MQTT ingestion (embedded broker or external client). */
export class MqttIngest {
  readonly stats: MqttIngestStats = { messages: 0, accepted: 0, rejected: 0, throttled: 0 };
  private broker: AedesBroker | null = null;
  private server: Server | null = null;
  private client: MqttClientLike | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: MqttIngestOptions, readonly url: string) {}

  /**
   * Start the embedded broker or connect to the external one, and subscribe to telemetry.
   * @throws MQTT_UNAVAILABLE when the needed package is not installed; connection errors
   */
  static async start(options: MqttIngestOptions): Promise<MqttIngest> {
    if (options.mode === 'embedded') {
      const mod = loadOptional<AedesModule>('aedes');
      const credentials = options.credentials;
      const orgOf = new WeakMap<object, string>();
      const brokerOptions = {
        authenticate: (client: AedesClient, username: string | undefined, password: Buffer | undefined, cb: (e: Error | null, ok: boolean) => void) => {
          if (!credentials) return cb(null, true);
          const c = username ? credentials[username] : undefined;
          if (!c || !password || password.toString('utf8') !== c.password) return cb(null, false);
          orgOf.set(client, c.org);
          cb(null, true);
        },
        authorizePublish: (client: AedesClient | null, packet: PublishPacket, cb: (e: Error | null) => void) => {
          if (!credentials || !client) return cb(null);
          const t = parseTelemetryTopic(packet.topic);
          if (!t || t.org !== orgOf.get(client)) return cb(new Error(`not allowed to publish to ${packet.topic}`));
          cb(null);
        },
      };
      const broker = mod.Aedes?.createBroker ? await mod.Aedes.createBroker(brokerOptions) : mod(brokerOptions);
      const server = createServer((socket) => broker.handle(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 1883, options.host ?? '127.0.0.1', () => resolve());
      });
      const addr = server.address() as AddressInfo;
      const ingest = new MqttIngest(options, `mqtt://${options.host ?? '127.0.0.1'}:${addr.port}`);
      ingest.broker = broker;
      ingest.server = server;
      server.on('connection', (s) => {
        ingest.sockets.add(s);
        s.on('close', () => ingest.sockets.delete(s));
      });
      await new Promise<void>((resolve) => broker.subscribe(TELEMETRY_FILTER, (packet, cb) => void ingest.handle(packet).then(cb, cb), resolve));
      return ingest;
    }
    const ingest = new MqttIngest(options, options.url);
    const client = await connectMqtt(options.url, {
      clientId: options.clientId ?? `forgetrace-gateway-${process.pid}`,
      clean: false,
      ...(options.username ? { username: options.username, password: options.password } : {}),
    }, (c) => {
      // handleMessage: the next message is read (and this one acknowledged) only after callback
      c.handleMessage = (packet, callback) => void ingest.handle(packet).then(() => callback(), (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
    });
    ingest.client = client;
    await new Promise<void>((resolve, reject) => client.subscribe(TELEMETRY_FILTER, { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    return ingest;
  }

  private async handle(packet: PublishPacket): Promise<void> {
    this.stats.messages++;
    const where = parseTelemetryTopic(packet.topic);
    if (!where) {
      this.stats.rejected++;
      this.options.onReject?.(packet.topic, 'topic', 'not forgetrace/{org}/{machine}/telemetry');
      return;
    }
    const before = this.options.service.queued();
    const payload = Buffer.isBuffer(packet.payload) ? Buffer.from(packet.payload) : packet.payload;
    const pending = this.options.service.offer(where.machineId, payload, 'mqtt', { wait: true, org: where.org });
    if (before >= this.options.service.maxQueue) this.stats.throttled++;
    const r = await pending;
    if (r.accepted) this.stats.accepted++;
    else {
      this.stats.rejected++;
      this.options.onReject?.(packet.topic, r.reason ?? 'schema', r.detail ?? '');
    }
  }

  /** Stop: close the client or the broker and its connections. */
  async close(): Promise<void> {
    if (this.client) {
      const c = this.client;
      this.client = null;
      await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
    }
    if (this.broker) {
      const b = this.broker;
      this.broker = null;
      for (const s of this.sockets) s.destroy();
      await new Promise<void>((resolve) => b.close(() => resolve()));
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }
}
