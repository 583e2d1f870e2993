/**
 * One place that wires the twin feature for a gateway: the twin service, its anchoring outbox,
 * snapshot recorder, telemetry windows, edge receiver, MQTT ingestion and the REST extension.
 * `main`/`start` call {@link openTwinFeature} and pass `extension` to `startGateway`; closing
 * the extension (the gateway does it on shutdown) closes everything it opened.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AnchorOutbox } from '../anchoring/anchor-outbox';
import type { ApiExtension } from '../api/openapi';
import type { LedgerClient } from '../ledger/ledger-client';
import type { LedgerIdentity } from '../ledger/port';
import { EdgeReceiver } from './edge/edge-receiver';
import { MqttIngest, type BrokerCredentials } from './mqtt-ingest';
import { SnapshotRecorder, type SnapshotPolicy } from './snapshots';
import { TelemetryWindows } from './telemetry-windows';
import { twinApi } from './twin-api';
import { TwinService, type TwinServiceOptions } from './twin-service';
import { TwinStateStore } from './twin-state-store';

/** Options of {@link openTwinFeature}. */
export interface TwinFeatureOptions {
  /** Directory (created if missing) of the feature's SQLite files (twin-outbox.db, twin-snapshots.db, twin-telemetry.db, twin-edge.db, twin-state.db). */
  readonly directory: string;
  readonly ledger: LedgerClient;
  /** This organisation's identity that records snapshots and anchors (factory_operator or admin). */
  readonly identity: LedgerIdentity;
  /** Twins to create at start (owned by `identity.mspId`); more via `PUT /v1/machines/{id}/twin`. */
  readonly machines?: readonly { readonly machineId: string; readonly model: string }[];
  /** MQTT: embedded broker (default, port 1883 on 127.0.0.1), external broker by URL, or none. */
  readonly mqtt?: { readonly mode: 'embedded'; readonly host?: string; readonly port?: number; readonly credentials?: BrokerCredentials } | { readonly mode: 'external'; readonly url: string; readonly clientId?: string; readonly username?: string; readonly password?: string } | false;
  readonly snapshotPolicy?: SnapshotPolicy;
  /** Telemetry window size (default 256 samples or 5 min). */
  readonly windowSamples?: number;
  readonly windowMs?: number;
  /** Edge agents allowed to send envelopes (PEM certificate and organisation). */
  readonly edgeAgents?: readonly { readonly certificate: string; readonly mspId: string }[];
  readonly service?: TwinServiceOptions;
  /** Twin checkpoints are saved this often (default 30 s) and on close, and restored at open. */
  readonly checkpointEveryMs?: number;
  /** Background errors (outbox and snapshot flushes). */
  readonly onError?: (error: unknown) => void;
}

/** The opened feature. */
export interface TwinFeature {
  readonly extension: ApiExtension;
  readonly service: TwinService;
  readonly outbox: AnchorOutbox;
  readonly recorder: SnapshotRecorder;
  readonly windows: TelemetryWindows;
  readonly edge: EdgeReceiver;
  readonly mqtt: MqttIngest | null;
}

/**
 * Open the twin feature's stores, start the outbox and snapshot timers and MQTT ingestion.
 * @throws MQTT_UNAVAILABLE when MQTT is asked for and its package is missing; UNKNOWN_MODEL
 */
export async function openTwinFeature(options: TwinFeatureOptions): Promise<TwinFeature> {
  await mkdir(options.directory, { recursive: true });
  const service = new TwinService(options.service);
  const state = TwinStateStore.open(join(options.directory, 'twin-state.db'));
  service.restore(state.load());
  for (const m of options.machines ?? []) service.register(m.machineId, m.model, options.identity.mspId);
  const outbox = AnchorOutbox.open({ filename: join(options.directory, 'twin-outbox.db'), ledger: options.ledger, identity: options.identity, ...(options.onError ? { onError: options.onError } : {}) });
  const recorder = SnapshotRecorder.open({ filename: join(options.directory, 'twin-snapshots.db'), service, ledger: options.ledger, identity: options.identity, outbox, ...(options.snapshotPolicy ? { policy: options.snapshotPolicy } : {}), ...(options.onError ? { onError: options.onError } : {}) });
  const windows = TelemetryWindows.open({ filename: join(options.directory, 'twin-telemetry.db'), service, outbox, ownerMsp: options.identity.mspId, ...(options.windowSamples ? { windowSamples: options.windowSamples } : {}), ...(options.windowMs ? { windowMs: options.windowMs } : {}) });
  const edge = EdgeReceiver.open({ filename: join(options.directory, 'twin-edge.db'), service, recorder, trusted: options.edgeAgents ?? [] });
  let mqtt: MqttIngest | null = null;
  try {
    const m = options.mqtt ?? { mode: 'embedded' as const };
    if (m) mqtt = await MqttIngest.start({ ...m, service });
  } catch (e) {
    state.close();
    await recorder.close();
    windows.close();
    edge.close();
    await outbox.close();
    throw e;
  }
  outbox.start();
  recorder.start();
  const saver = setInterval(() => {
    try {
      state.save(service.checkpoints());
    } catch (e) {
      options.onError?.(e);
    }
  }, options.checkpointEveryMs ?? 30_000);
  saver.unref();
  const api = twinApi({ service, ledger: options.ledger, recorder, windows, edge, ...(mqtt ? { mqtt } : {}) });
  const extension: ApiExtension = {
    ...api,
    async close() {
      clearInterval(saver);
      await api.close?.();
      state.save(service.checkpoints());
      state.close();
      await outbox.close();
    },
  };
  return { extension, service, outbox, recorder, windows, edge, mqtt };
}
