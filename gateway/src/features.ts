/**
 * The feature modules every gateway runs, wired in one place (STYLE: feature folders, one
 * wiring point): `npm start`'s demo gateways and `run.js` both use this.
 */
import { readFileSync } from 'node:fs';
import { anchoringApi } from './anchoring/anchoring-api';
import { epcisFeature } from './epcis/epcis-feature';
import { DisclosureStore } from './proofs/disclosure-store';
import { proofsApi } from './proofs/proofs-api';
import type { ApiExtension } from './api/openapi';
import type { ExtensionContext } from './main';
import { scheduleApi } from './scheduling/service/schedule-api';
import { EscrowClient, PaymentsAgent, paymentsApi } from './payments';
import { recommendationApi } from './recommend/service/recommendation-api';
import { RecommendationService } from './recommend/service/recommendation-service';
import type { TimeWindow } from './scheduling/model';
import { ScheduleService } from './scheduling/service/schedule-service';
import { downtimeToUnavailability, openTwinFeature } from './twin';
import { SubscriptionService } from './subscriptions/subscription-service';
import { subscriptionsApi } from './subscriptions/subscriptions-api';

/** The standard extensions for a gateway. */
export async function standardFeatures(context: ExtensionContext): Promise<ApiExtension[]> {
  const { config } = context;
  const extras: ApiExtension[] = [];
  if (config.payments) {
    const key = (file: string | undefined) => (file ? readFileSync(file, 'utf8').trim() : undefined);
    const attestorKey = key(config.payments.attestorKeyFile);
    const funderKey = key(config.payments.funderKeyFile);
    const escrow = await EscrowClient.connect({ rpcUrl: config.payments.rpcUrl, escrowAddress: config.payments.escrowAddress, ...(attestorKey ? { attestorKey } : {}), ...(funderKey ? { funderKey } : {}) });
    const agent = attestorKey
      ? new PaymentsAgent({ escrow, ledger: context.ledger, identity: context.anchorIdentity, ...(config.payments.reporter ? { outbox: context.outbox } : {}), onError: (e) => context.logger.warn({ err: e }, 'payments sync failed; retried') })
      : undefined;
    agent?.start(config.payments.syncIntervalMs);
    extras.push(paymentsApi({ escrow, ledger: context.ledger, ...(agent ? { agent } : {}) }));
  }
  let downtime: ((machineId: string, startMs: number) => readonly TimeWindow[]) | undefined;
  if (config.twin) {
    const twin = await openTwinFeature({
      directory: config.twin.directory, ledger: context.ledger, identity: context.anchorIdentity, machines: config.twin.machines,
      edgeAgents: config.twin.edgeAgents.map((a) => ({ certificate: readFileSync(a.certificatePath, 'utf8'), mspId: a.mspId })),
      mqtt: config.twin.mqtt === false ? false : config.twin.mqtt.mode === 'embedded' ? { mode: 'embedded', host: config.twin.mqtt.host, port: config.twin.mqtt.port } : { mode: 'external', url: config.twin.mqtt.url },
      onError: (e) => context.logger.warn({ err: e }, 'twin background work failed; retried'),
    });
    extras.push({
      ...twin.extension,
      // A job report without a twin snapshot gets one recorded now, so the trace shows the machine's health then.
      async beforeCommand(transaction, body) {
        const machineId = body.machineId;
        if ((transaction !== 'jobs:ReportStart' && transaction !== 'jobs:ReportFinish') || body.twinSnapshotId || typeof machineId !== 'string') return body;
        if (!twin.service.machineIds().includes(machineId)) return body;
        return { ...body, twinSnapshotId: await twin.recorder.snapshotForReport(machineId) };
      },
    });
    // The scheduler treats the twins' predicted downtime as machine unavailability (minutes from the plan's start).
    downtime = (machineId, startMs) => downtimeToUnavailability(twin.service.downtimeByMachine().get(machineId) ?? [], { originMs: startMs, unitMs: 60_000 });
  }
  const subscriptions = new SubscriptionService({
    ledger: context.ledger.port, filename: config.subscriptions.sqlitePath, logger: context.logger.child({ component: 'webhooks' }),
    metrics: context.metrics, maxAttempts: config.subscriptions.maxAttempts, timeoutMs: config.subscriptions.timeoutMs,
  });
  subscriptions.start();
  return [
    scheduleApi(new ScheduleService({ store: context.store, ledger: context.ledger, ...(downtime ? { unavailability: downtime } : {}) })),
    subscriptionsApi(subscriptions, context.ledger.port),
    // Before the anchoring routes: POST /v1/verify with a bundle is answered here, a record proof falls through.
    proofsApi(context.ledger, context.outbox, { disclosures: new DisclosureStore(config.disclosure.sqlitePath), publicIdentity: context.anchorIdentity }),
    anchoringApi(context.outbox, context.ledger),
    epcisFeature(context),
    recommendationApi(new RecommendationService({
      store: context.store, ledger: context.ledger, outbox: context.outbox, identity: context.anchorIdentity,
      sqlitePath: config.recommend.sqlitePath, logger: context.logger.child({ component: 'recommend' }),
    })),
    ...extras,
  ];
}
