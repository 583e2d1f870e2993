#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
/**
 * forgetrace-edge: runs at a factory next to its machines. It subscribes to the factory's own
 * MQTT broker (`forgetrace/<org>/<machine>/telemetry`), filters every sample through a local
 * twin (the gateway's EdgeAgent), and forwards raw samples, summaries and snapshots to the
 * member gateway in envelopes signed with the factory's identity. Everything is written to a
 * SQLite buffer first and leaves it only when the gateway acknowledges, so an outage of the
 * gateway loses nothing and a resend duplicates nothing.
 *
 *   forgetrace-edge --gateway http://127.0.0.1:8080 --api-key <key> --wallet <dir> --identity <label>
 *                   --machines DE-MILL-01:cnc-spindle,DE-LATHE-01:cnc-spindle --mqtt mqtt://127.0.0.1:1883
 *                   --buffer edge.db [--agent-id edge-1] [--interval-ms 1000]
 *
 * Exit codes: 0 stopped by SIGTERM/SIGINT, 2 bad arguments or identity, 3 broker unreachable.
 */
import { parseArgs } from 'node:util';
import { connectAsync, type MqttClient } from 'mqtt';
import { EdgeAgent, httpTransport } from '@forgetrace/gateway/dist/twin/edge/edge-agent';
import { modelById, MODEL_IDS } from '@forgetrace/gateway/dist/twin/models/index';
import { decodeTelemetry, parseTelemetryTopic } from '@forgetrace/gateway/dist/twin/telemetry';
import { FileSystemWallet } from '@forgetrace/gateway/dist/wallet/wallet';

/** What the agent is told to do. */
export interface EdgeOptions {
  readonly gateway: string;
  readonly apiKey: string;
  readonly wallet: string;
  readonly identity: string;
  readonly machines: readonly { readonly machineId: string; readonly model: string }[];
  readonly mqtt: string;
  readonly buffer: string;
  readonly agentId: string;
  readonly intervalMs: number;
}

/** A bad argument: one line for the user. */
export class UsageError extends Error {}

/** Parse the command line. @throws UsageError */
export function parseEdgeArgs(argv: readonly string[]): EdgeOptions {
  let v;
  try {
    v = parseArgs({
      args: [...argv],
      options: {
        gateway: { type: 'string' }, 'api-key': { type: 'string' }, wallet: { type: 'string' }, identity: { type: 'string' },
        machines: { type: 'string' }, mqtt: { type: 'string' }, buffer: { type: 'string' }, 'agent-id': { type: 'string' }, 'interval-ms': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const need = (name: keyof typeof v): string => {
    const value = v[name];
    if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
    return value;
  };
  const gateway = need('gateway');
  if (!/^https?:\/\/[^/]+$/.test(gateway)) throw new UsageError(`--gateway must be http(s)://host:port, not ${gateway}`);
  const machines = need('machines').split(',').map((entry) => {
    const [machineId, model] = entry.split(':');
    if (!machineId || !model) throw new UsageError(`--machines entries are <machine>:<model>, not ${entry}`);
    if (!MODEL_IDS.includes(model as (typeof MODEL_IDS)[number])) throw new UsageError(`unknown twin model ${model} for ${machineId} (models: ${MODEL_IDS.join(', ')})`);
    return { machineId, model };
  });
  const intervalMs = Number(v['interval-ms'] ?? 1000);
  if (!Number.isInteger(intervalMs) || intervalMs < 50) throw new UsageError('--interval-ms must be an integer ≥ 50');
  return {
    gateway, apiKey: need('api-key'), wallet: need('wallet'), identity: need('identity'), machines,
    mqtt: need('mqtt'), buffer: need('buffer'), agentId: v['agent-id'] ?? `edge-${need('identity')}`, intervalMs,
  };
}

/** A running agent. */
export interface RunningEdge {
  readonly agent: EdgeAgent;
  readonly counts: { received: number; rejected: number };
  close(): Promise<void>;
}

/** Start the agent: identity from the wallet, the buffer, the MQTT subscription and the forwarding loop. */
export async function runEdge(o: EdgeOptions, log: (line: Record<string, unknown>) => void = () => undefined): Promise<RunningEdge> {
  const identity = await new FileSystemWallet(o.wallet).get(o.identity);
  if (!identity) throw new UsageError(`wallet ${o.wallet} has no identity ${o.identity}`);
  const models = new Map(o.machines.map((m) => [m.machineId, modelById(m.model)]));
  const agent = EdgeAgent.open({ agentId: o.agentId, identity, machines: o.machines, filename: o.buffer, transport: httpTransport(o.gateway, o.apiKey) });
  const counts = { received: 0, rejected: 0 };
  let client: MqttClient;
  try {
    client = await connectAsync(o.mqtt, { protocolVersion: 4, reconnectPeriod: 1000, connectTimeout: 5000, clientId: `${o.agentId}-${process.pid}`, clean: false });
  } catch (e) {
    await agent.close();
    throw Object.assign(new Error(`cannot reach the MQTT broker ${o.mqtt}: ${(e as Error).message}`), { exitCode: 3 });
  }
  client.on('message', (topic, payload) => {
    const where = parseTelemetryTopic(topic);
    const model = where && where.org === identity.mspId ? models.get(where.machineId) : undefined;
    if (!where || !model) {
      counts.rejected++;
      return;
    }
    const decoded = decodeTelemetry(payload, model);
    if (!decoded.ok) {
      counts.rejected++;
      log({ level: 'warn', machineId: where.machineId, reason: decoded.reason, detail: decoded.detail });
      return;
    }
    for (const sample of decoded.samples) {
      if (agent.ingest(where.machineId, sample)) counts.received++;
      else counts.rejected++;
    }
  });
  await client.subscribeAsync(o.machines.map((m) => `forgetrace/${identity.mspId}/${m.machineId}/telemetry`), { qos: 1 });
  agent.start(o.intervalMs);
  log({ level: 'info', msg: 'edge agent running', agentId: o.agentId, machines: o.machines.map((m) => m.machineId), gateway: o.gateway });
  return {
    agent,
    counts,
    async close() {
      await client.endAsync();
      await agent.close();
    },
  };
}

async function main(): Promise<void> {
  const log = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
  let running: RunningEdge;
  try {
    running = await runEdge(parseEdgeArgs(process.argv.slice(2)), log);
  } catch (e) {
    process.stderr.write(`forgetrace-edge: ${(e as Error).message}\n`);
    process.exit(e instanceof UsageError ? 2 : ((e as { exitCode?: number }).exitCode ?? 1));
  }
  const stop = (): void => {
    const left = running.agent.buffered();
    running.close().then(
      () => {
        log({ level: 'info', msg: 'stopped', ...running.counts, buffered: left });
        process.exit(0);
      },
      (e: unknown) => {
        process.stderr.write(`forgetrace-edge: stopping failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) void main();
