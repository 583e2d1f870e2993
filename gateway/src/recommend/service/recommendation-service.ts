/**
 * The recommendation service: trains model versions from off-chain feedback and the orders in
 * the index, anchors each version on the ledger (Merkle root over the hashes of its parameters,
 * training data, metrics and code version), serves part and factory recommendations with
 * explanations, and logs every served answer to the anchoring outbox so that an auditor can
 * prove which model version produced it. Ratings and buyer behaviour never leave this gateway.
 */
import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson, type Anchor, type Machine, type Order } from '@forgetrace/chaincode/api';
import type { AnchorOutbox } from '../../anchoring/anchor-outbox';
import type { RecordProof } from '../../anchoring/record-proof';
import { listAll, type QueryStore } from '../../indexer/store';
import type { LedgerClient } from '../../ledger/ledger-client';
import { LedgerError, type LedgerIdentity } from '../../ledger/port';
import { deserializeModel, IdIndex } from '../index';
import { FeedbackStore, type StoredFeedback, type StoredModelVersion } from './feedback-store';
import {
  buildManifest, buyerFeatures, CANCELLED_ORDER_VALUE, configurationFeatures, configurationOf, EVENT_VALUES, explainPrediction, factoryFeatures,
  MODEL_ALGORITHM, MODEL_CODE_VERSION, ORDER_VALUE, RATING_MAX, scoreFactory, trainSide, type FactoryScore, type FeedbackEvent, type ModelManifest, type SideModel, type TrainingRow,
} from './recommendation-model';

/** Codes of the service's input errors; the API maps them to problem documents. */
export type RecommendationErrorCode = 'UNKNOWN_ORDER' | 'UNKNOWN_FACTORY' | 'NOT_YOUR_ORDER' | 'NOT_YOUR_BUYER' | 'EVENT_ID_REUSED' | 'NOT_FOUND' | 'INVALID_K';

/** A problem in the caller's words: which order, buyer or event is wrong. */
export class RecommendationInputError extends Error {
  override readonly name = 'RecommendationInputError';
  constructor(readonly code: RecommendationErrorCode, message: string) {
    super(message);
  }
}

/** Options of {@link RecommendationService}. */
export interface RecommendationServiceOptions {
  readonly store: QueryStore;
  readonly ledger: LedgerClient;
  readonly outbox: AnchorOutbox;
  /** Identity that anchors model versions trained without an admin request (first use, automatic retraining). Role admin, factory_operator or buyer. */
  readonly identity: LedgerIdentity;
  /** SQLite file of feedback and model versions (':memory:' in tests). */
  readonly sqlitePath: string;
  /** Training seed (default 1). */
  readonly seed?: number;
  /** Latent factors (default 8: the consortium's data are small). */
  readonly factors?: number;
  /** Retrain automatically once this many new feedback entries arrived since the current version (default 50; 0 = only on request). */
  readonly retrainAfter?: number;
  /** Largest k of part recommendations (default 50). */
  readonly maxK?: number;
  /** Health assumed for a machine without a twin snapshot (default 0.9: unobserved is slightly worse than healthy). */
  readonly unknownHealth?: number;
  readonly clock?: () => Date;
  readonly logger?: { warn(obj: unknown, msg: string): void; info?(obj: unknown, msg: string): void };
}

/** A version ready to serve. */
interface LoadedVersion {
  readonly stored: StoredModelVersion;
  readonly parts: SideModel | null;
  readonly factories: SideModel | null;
}

/** The caller, as the service needs it. */
export interface Caller {
  readonly userId: string;
  readonly role: 'admin' | 'auditor' | 'buyer' | 'factory_operator';
  readonly mspId: string;
}

/** A model version as the API shows it. */
export interface ModelVersionView {
  readonly id: string;
  readonly manifest: ModelManifest;
  readonly anchor: { readonly id: string; readonly transactionId: string | null; readonly anchoredBy: string };
  readonly feedbackEntries: number;
  readonly createdAt: string;
}

/** One recommended part configuration. */
export interface PartRecommendation {
  readonly configuration: string;
  readonly score: number;
  readonly explanation: {
    readonly predictedRating: number;
    readonly contributions: readonly { readonly name: 'globalMean' | 'buyerBias' | 'itemBias' | 'interaction'; readonly value: number; readonly detail: string }[];
    readonly summary: string;
  };
}

/** One recommended factory. */
export interface FactoryRecommendation extends FactoryScore {
  readonly factoryMsp: string;
  readonly machines: readonly string[];
}

/** What every served answer carries so that it can be audited. */
export interface ServedAudit {
  readonly recordId: string;
  readonly modelVersion: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const round = (x: number) => Math.round(x * 1e6) / 1e6;
const ACTIVE_JOB = new Set(['assigned', 'accepted', 'started']);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function loadSide(text: string | null, parametersHash: string | null, metrics: SideModel['metrics'] | null, versionId: string): SideModel | null {
  if (text === null || parametersHash === null || metrics === null) return null;
  if (sha256(text) !== parametersHash) throw new Error(`stored model of version ${versionId} does not match its anchored parameter hash`);
  const stored = deserializeModel(text);
  if (!('ratingMin' in stored.model)) throw new Error(`stored model of version ${versionId} is not a biased MF model`);
  return { model: stored.model, buyers: new IdIndex(stored.userIds ?? []), items: new IdIndex(stored.itemIds ?? []), serialized: text, parametersHash, metrics };
}

/** The recommendation service (see the file header). Close it to close its SQLite file. */
export class RecommendationService {
  private readonly db: FeedbackStore;
  private readonly seed: number;
  private readonly factors: number;
  private readonly retrainAfter: number;
  readonly maxK: number;
  private readonly unknownHealth: number;
  private readonly clock: () => Date;
  private current: LoadedVersion | undefined;
  private training: Promise<unknown> = Promise.resolve();
  private autoRetrain: Promise<unknown> | undefined;

  constructor(private readonly options: RecommendationServiceOptions) {
    this.db = FeedbackStore.open(options.sqlitePath);
    this.seed = options.seed ?? 1;
    this.factors = options.factors ?? 8;
    this.retrainAfter = options.retrainAfter ?? 50;
    this.maxK = options.maxK ?? 50;
    this.unknownHealth = options.unknownHealth ?? 0.9;
    this.clock = options.clock ?? (() => new Date());
  }

  /** The version being served: the loaded one, else the newest stored one, else a newly trained and anchored one. */
  async currentVersion(): Promise<LoadedVersion> {
    if (this.current) return this.current;
    const stored = this.db.latestVersion();
    if (stored) {
      const m = stored.manifest;
      this.current = {
        stored,
        parts: loadSide(stored.partsModel, m.parameters.parts, m.metrics.parts, m.id),
        factories: loadSide(stored.factoriesModel, m.parameters.factories, m.metrics.factories, m.id),
      };
      return this.current;
    }
    return (await this.retrain(this.options.identity, 'system')).version;
  }

  /**
   * Train a version on every feedback entry and every indexed order, anchor it
   * (`anchors:CreateAnchor`, kind recommendation) and serve it. Deterministic: the same data
   * give the same version id, and then the stored version is reused (`created: false`).
   * Trainings run one at a time.
   * @throws LedgerError when the anchor cannot be written (the version is then not served)
   */
  retrain(identity: LedgerIdentity, requestedBy: string): Promise<{ version: LoadedVersion; created: boolean }> {
    const run = this.training.then(() => this.train(identity, requestedBy));
    this.training = run.catch(() => undefined);
    return run;
  }

  private async train(identity: LedgerIdentity, requestedBy: string): Promise<{ version: LoadedVersion; created: boolean }> {
    const now = this.clock().toISOString();
    const feedbackSeq = this.db.lastFeedbackSeq();
    const feedback = this.db.listFeedback(feedbackSeq);
    const orders = (await listAll((p) => this.options.store.listOrders(p))).map((o) => o.data);
    const machines = await this.commissionedMachines();
    const partRows: TrainingRow[] = orders.map((o) => ({ buyer: o.buyerMsp, item: configurationOf(o), value: o.status === 'open' ? ORDER_VALUE : CANCELLED_ORDER_VALUE, source: 'order', ref: o.id, at: o.created.at }));
    const factoryRows: TrainingRow[] = [];
    for (const f of feedback) (f.target === 'part' ? partRows : factoryRows).push({ buyer: f.buyer, item: f.item, value: f.value, source: 'feedback', ref: f.eventId, at: f.receivedAt });
    const ordersByBuyer = groupBy(orders, (o) => o.buyerMsp);
    const machinesByFactory = groupBy(machines, (m) => m.ownerMsp);
    const buyerFeatureOf = (b: string) => buyerFeatures(ordersByBuyer.get(b) ?? []);
    const common = { seed: this.seed, factors: this.factors, buyerFeatures: buyerFeatureOf };
    const parts = trainSide(partRows, { ...common, itemFeatures: configurationFeatures });
    const factories = trainSide(factoryRows, { ...common, itemFeatures: (f) => factoryFeatures(machinesByFactory.get(f) ?? []) });
    const manifest = buildManifest({ parts, factories, partRows, factoryRows, seed: this.seed, factors: this.factors, fallbackTime: now });
    const existing = this.db.getVersion(manifest.id);
    if (existing) {
      this.current = { stored: existing, parts, factories };
      return { version: this.current, created: false };
    }
    const transactionId = await this.anchorVersion(identity, manifest);
    const stored = this.db.saveVersion({
      manifest, partsModel: parts?.serialized ?? null, factoriesModel: factories?.serialized ?? null, feedbackSeq,
      anchor: { transactionId, anchoredBy: requestedBy }, createdAt: now,
    });
    this.current = { stored, parts, factories };
    this.options.logger?.info?.({ modelVersion: manifest.id, transactionId, requestedBy }, 'recommender model version anchored');
    return { version: this.current, created: true };
  }

  /**
   * A version is anchored directly (not through the outbox): it must be on the ledger before it
   * serves, and its anchor carries its own meaning (inputHash = training data hash,
   * algorithmVersion = code version, a four-leaf tree) rather than an outbox batch's.
   */
  private async anchorVersion(identity: LedgerIdentity, m: ModelManifest): Promise<string | null> {
    const input = {
      id: m.id, kind: 'recommendation', merkleRoot: m.merkleRoot.slice(2), leafCount: m.leaves.length,
      algorithm: MODEL_ALGORITHM, algorithmVersion: MODEL_CODE_VERSION, inputHash: m.trainingDataHash, window: m.window,
    };
    try {
      return (await this.options.ledger.submit<Anchor>(identity, 'anchors:CreateAnchor', [input])).transactionId;
    } catch (e) {
      // Trained and anchored by an earlier run whose local record was lost: the ledger has it already.
      if (!(e instanceof LedgerError && e.code === 'ALREADY_EXISTS')) throw e;
      const existing = await this.options.ledger.evaluate<Anchor>(identity, 'anchors:GetAnchor', [m.id]);
      if (existing.merkleRoot !== input.merkleRoot || existing.inputHash !== input.inputHash) throw e;
      return existing.recorded.txId;
    }
  }

  /** The API view of a version. */
  view(v: LoadedVersion | StoredModelVersion): ModelVersionView {
    const s = 'stored' in v ? v.stored : v;
    return { id: s.manifest.id, manifest: s.manifest, anchor: { id: s.manifest.id, ...s.anchor }, feedbackEntries: s.feedbackSeq, createdAt: s.createdAt };
  }

  /** Every stored version, newest first. */
  versions(): ModelVersionView[] {
    return this.db.listVersions().map((v) => this.view(v));
  }

  private async commissionedMachines(): Promise<Machine[]> {
    return (await listAll((p) => this.options.store.listMachines({ status: 'commissioned', ...p }))).map((m) => m.data);
  }

  private async ordersOf(buyer: string): Promise<Order[]> {
    return (await listAll((p) => this.options.store.listOrders({ buyerMsp: buyer, ...p }))).map((o) => o.data);
  }

  private log(payload: Record<string, unknown>): string {
    // The nonce keeps a served answer's leaf hash from being confirmed by guessing its content.
    return this.options.outbox.add({ kind: 'recommendation', payload: { ...payload, nonce: randomBytes(16).toString('hex') } });
  }

  /**
   * Top-k part configurations for `buyer`. A buyer the model has not seen takes the cold-start
   * path: its order history's materials and processes (features), or, with none, popularity.
   * @throws RecommendationInputError INVALID_K
   */
  async recommendParts(buyer: string, k: number, caller: Caller): Promise<{ buyer: string; k: number; coldStart: boolean; strategy: string; modelVersion: string; items: PartRecommendation[]; audit: ServedAudit }> {
    if (!Number.isInteger(k) || k < 1 || k > this.maxK) throw new RecommendationInputError('INVALID_K', `k must be an integer from 1 to ${this.maxK}, got ${k}`);
    const version = await this.currentVersion();
    const side = version.parts;
    const history = await this.ordersOf(buyer);
    const features = buyerFeatures(history);
    const known = side !== null && side.buyers.indexOf(buyer) >= 0;
    const usableFeatures = side === null ? [] : features.filter((f) => side.model.users.vocabulary.includes(f));
    const strategy = side === null ? 'none' : known ? 'personalised' : usableFeatures.length > 0 ? 'features' : 'popularity';
    const candidates = new Set<string>(side?.items.ids() ?? []);
    for (const o of (await listAll((p) => this.options.store.listOrders({ status: 'open', ...p })))) candidates.add(configurationOf(o.data));
    const scored: PartRecommendation[] = [];
    if (side) {
      for (const item of [...candidates].sort()) {
        const p = explainPrediction(side, buyer, features, item, configurationFeatures(item));
        const contributions = ([
          ['buyerBias', p.buyerBias, known ? 'how your ratings and orders compare with the average' : usableFeatures.length > 0 ? `buyers ordering ${usableFeatures.join(', ')} (you have no feedback yet)` : 'unknown buyer: no personal signal'],
          ['itemBias', p.itemBias, side.items.indexOf(item) >= 0 ? 'how buyers rated and ordered this configuration compared with the average' : 'new configuration: from its material and processes'],
          ['interaction', p.interaction, 'match between your taste and this configuration (latent factors)'],
        ] as const).map(([name, value, detail]) => ({ name, value: round(value), detail }));
        contributions.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
        const top = contributions[0]!;
        scored.push({
          configuration: item, score: round(p.predicted),
          explanation: {
            predictedRating: round(p.predicted),
            contributions: [{ name: 'globalMean', value: round(p.globalMean), detail: 'mean rating over all buyers and configurations' }, ...contributions],
            summary: `predicted ${p.predicted.toFixed(2)} of ${RATING_MAX}; strongest factor: ${top.name} ${top.value >= 0 ? '+' : ''}${top.value.toFixed(2)} (${top.detail})`,
          },
        });
      }
    }
    scored.sort((a, b) => b.score - a.score || (a.configuration < b.configuration ? -1 : 1));
    const items = scored.slice(0, k);
    const modelVersion = version.stored.manifest.id;
    const recordId = this.log({
      type: 'parts', modelVersion, buyer, k, strategy, servedAt: this.clock().toISOString(), servedTo: caller.userId,
      items: items.map((i) => ({ configuration: i.configuration, score: i.score })),
    });
    return { buyer, k, coldStart: !known, strategy, modelVersion, items, audit: { recordId, modelVersion } };
  }

  /**
   * Factories for an order, each scored by predicted satisfaction × capability × load × health
   * and explained. Buyers may ask only about their own organisation's orders.
   * @throws RecommendationInputError UNKNOWN_ORDER, NOT_YOUR_ORDER
   */
  async recommendFactories(orderId: string, caller: Caller): Promise<{ orderId: string; buyer: string; configuration: string; coldStart: boolean; modelVersion: string; factories: FactoryRecommendation[]; audit: ServedAudit }> {
    const order = (await this.options.store.getOrder(orderId))?.data;
    if (!order) throw new RecommendationInputError('UNKNOWN_ORDER', `order ${orderId} is not on the ledger (or not indexed yet)`);
    if (caller.role === 'buyer' && order.buyerMsp !== caller.mspId) throw new RecommendationInputError('NOT_YOUR_ORDER', `order ${orderId} belongs to ${order.buyerMsp}; a buyer of ${caller.mspId} may only ask about its own orders`);
    const version = await this.currentVersion();
    const side = version.factories;
    const buyer = order.buyerMsp;
    const features = buyerFeatures(await this.ordersOf(buyer));
    const machines = await this.commissionedMachines();
    const byFactory = groupBy(machines, (m) => m.ownerMsp);
    const processes = order.operations.map((o) => o.process);
    const material = order.spec.material;
    const out: FactoryRecommendation[] = [];
    for (const [factoryMsp, own] of [...byFactory.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const capable = own.filter((m) => m.capabilities.materials.includes(material) && m.capabilities.processes.some((p) => processes.includes(p)));
      const covered = processes.filter((p) => capable.some((m) => m.capabilities.processes.includes(p))).length;
      if (covered === 0) continue;
      const jobs = await listAll((p) => this.options.store.listJobs({ factoryMsp, ...p }));
      const activeJobs = jobs.filter((j) => ACTIVE_JOB.has(j.data.status)).length;
      const health: { machineId: string; healthIndex: number | undefined }[] = [];
      for (const m of capable) {
        const snapshots = await listAll((p) => this.options.store.listTwinSnapshots(m.id, p));
        // Latest by observation time, then by ledger position (two snapshots in the same second).
        const time = (s: (typeof snapshots)[number]) => s.data.observedAt ?? s.data.recorded.at;
        const latest = snapshots.sort((a, b) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : a.position.blockNumber - b.position.blockNumber || a.position.transactionIndex - b.position.transactionIndex)).at(-1);
        health.push({ machineId: m.id, healthIndex: latest?.data.summary.healthIndex });
      }
      let predicted: number, basis: string;
      if (side) {
        const p = explainPrediction(side, buyer, features, factoryMsp, factoryFeatures(own));
        predicted = p.predicted;
        const knownBuyer = side.buyers.indexOf(buyer) >= 0, knownFactory = side.items.indexOf(factoryMsp) >= 0;
        basis = knownBuyer && knownFactory ? `your ratings; factory effect ${p.itemBias >= 0 ? '+' : ''}${p.itemBias.toFixed(2)}, taste match ${p.interaction >= 0 ? '+' : ''}${p.interaction.toFixed(2)}`
          : knownFactory ? `other buyers' ratings of ${factoryMsp} (no ratings of yours)` : `no ratings of ${factoryMsp} yet: from its capabilities`;
      } else {
        predicted = (1 + RATING_MAX) / 2;
        basis = 'no factory ratings in the consortium yet: neutral';
      }
      const score = scoreFactory({
        predictedSatisfaction: predicted, satisfactionBasis: basis, operationsCovered: covered, operations: processes.length,
        capableMachines: capable.length, activeJobs, health, unknownHealth: this.unknownHealth,
      });
      out.push({ factoryMsp, machines: capable.map((m) => m.id).sort(), ...score });
    }
    out.sort((a, b) => b.score - a.score || (a.factoryMsp < b.factoryMsp ? -1 : 1));
    const modelVersion = version.stored.manifest.id;
    const recordId = this.log({
      type: 'factories', modelVersion, buyer, orderId, servedAt: this.clock().toISOString(), servedTo: caller.userId,
      factories: out.map((f) => ({ factoryMsp: f.factoryMsp, score: f.score, factors: Object.fromEntries(f.factors.map((x) => [x.factor, x.value])) })),
    });
    return { orderId, buyer, configuration: configurationOf(order), coldStart: side === null || side.buyers.indexOf(buyer) < 0, modelVersion, factories: out, audit: { recordId, modelVersion } };
  }

  /**
   * Store a rating or event, deduplicated by (buyer, eventId): the same event again is answered
   * with the stored entry (`created: false`); the same id with a different body is refused.
   * @throws RecommendationInputError UNKNOWN_ORDER, NOT_YOUR_ORDER, UNKNOWN_FACTORY, EVENT_ID_REUSED
   */
  async addFeedback(input: FeedbackInput, caller: Caller): Promise<{ entry: StoredFeedback; created: boolean; retraining: boolean }> {
    const buyer = input.buyer ?? caller.mspId;
    let item: string, orderId: string | null = null;
    if (input.target.kind === 'part') {
      if (input.target.orderId !== undefined) {
        const order = (await this.options.store.getOrder(input.target.orderId))?.data;
        if (!order) throw new RecommendationInputError('UNKNOWN_ORDER', `order ${input.target.orderId} is not on the ledger (or not indexed yet)`);
        if (order.buyerMsp !== buyer) throw new RecommendationInputError('NOT_YOUR_ORDER', `order ${order.id} was placed by ${order.buyerMsp}, not by ${buyer}`);
        item = configurationOf(order);
        orderId = order.id;
      } else {
        item = input.target.configuration!;
      }
    } else {
      const member = (await this.options.store.getMember(input.target.factoryMsp))?.data;
      if (!member || member.role !== 'factory') throw new RecommendationInputError('UNKNOWN_FACTORY', `${input.target.factoryMsp} is not a factory member of the consortium`);
      item = input.target.factoryMsp;
      orderId = input.target.orderId ?? null;
    }
    const value = input.rating ?? EVENT_VALUES[input.event!];
    const bodyHash = sha256(canonicalJson({ ...input, buyer }));
    const { entry, created } = this.db.insertFeedback({
      buyer, eventId: input.eventId, bodyHash, target: input.target.kind, item, orderId, rating: input.rating ?? null, event: input.event ?? null, value,
      receivedAt: this.clock().toISOString(), submittedBy: caller.userId,
    });
    if (!created && entry.bodyHash !== bodyHash) throw new RecommendationInputError('EVENT_ID_REUSED', `event ${input.eventId} of ${buyer} was already recorded with different content (received ${entry.receivedAt}); use a new event id`);
    let retraining = false;
    if (created && this.retrainAfter > 0 && !this.autoRetrain) {
      const since = this.db.lastFeedbackSeq() - (this.current?.stored.feedbackSeq ?? this.db.latestVersion()?.feedbackSeq ?? 0);
      if (since >= this.retrainAfter) {
        retraining = true;
        this.autoRetrain = this.retrain(this.options.identity, 'automatic')
          .catch((e: unknown) => this.options.logger?.warn({ err: e }, 'automatic retraining of the recommender failed; the current version keeps serving'))
          .finally(() => { this.autoRetrain = undefined; });
      }
    }
    return { entry, created, retraining };
  }

  /** Wait for an automatic retraining started by feedback, if any (tests, shutdown). */
  async settled(): Promise<void> {
    await this.autoRetrain;
    await this.training;
  }

  /**
   * A served answer as logged, with its Merkle proof once its batch is anchored, and the model
   * version that produced it.
   * @throws RecommendationInputError NOT_FOUND (unknown record, or not a recommendation), NOT_YOUR_BUYER
   */
  served(recordId: string, caller: Caller): { recordId: string; state: string; payload: Record<string, unknown>; proof: RecordProof | null; modelVersion: ModelVersionView | null } {
    const record = this.options.outbox.get(recordId);
    if (!record || record.kind !== 'recommendation') throw new RecommendationInputError('NOT_FOUND', `no served recommendation ${recordId} on this gateway`);
    const payload = record.payload as Record<string, unknown>;
    if (caller.role === 'buyer' && payload.buyer !== caller.mspId) throw new RecommendationInputError('NOT_YOUR_BUYER', `recommendation ${recordId} was served for ${String(payload.buyer)}, not for ${caller.mspId}`);
    const version = typeof payload.modelVersion === 'string' ? this.db.getVersion(payload.modelVersion) : undefined;
    return { recordId, state: record.state, payload, proof: record.state === 'anchored' ? this.options.outbox.proof(recordId) : null, modelVersion: version ? this.view(version) : null };
  }

  /** Wait for running training and close the SQLite file. */
  async close(): Promise<void> {
    await this.settled().catch(() => undefined);
    this.db.close();
  }
}

/** A feedback request (validated by the API). */
export interface FeedbackInput {
  readonly eventId: string;
  readonly buyer?: string | undefined;
  readonly target: { readonly kind: 'part'; readonly orderId?: string | undefined; readonly configuration?: string | undefined } | { readonly kind: 'factory'; readonly factoryMsp: string; readonly orderId?: string | undefined };
  readonly rating?: number | undefined;
  readonly event?: FeedbackEvent | undefined;
}
