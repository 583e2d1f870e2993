/**
 * Pure parts of the recommendation service (no I/O): what a "part configuration" is, how feedback
 * and orders become training rows, how a model version is trained, hashed and described for its
 * anchor, and how a factory score is composed and explained.
 */
import { createHash } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { canonicalJson, type Machine, type Order } from '@forgetrace/chaincode/api';
import { buildFeatureTable, createRatingSet, featureIndices, fitBiasBaseline, holdOut, IdIndex, rmseOf, serializeModel, trainMfSgd, type BiasedMf, type RatingSet } from '../index';

/** Ratings are stars from 1 to 5. */
export const RATING_MIN = 1;
export const RATING_MAX = 5;

/** Implicit events and the rating each stands for in training. */
export const EVENT_VALUES = { ordered: 4, reordered: 5, delivered: 4, rejected: 1, returned: 1 } as const;
export type FeedbackEvent = keyof typeof EVENT_VALUES;

/** Rating of the implicit signal "this buyer placed an (open) order for this configuration", and of a cancelled one. */
export const ORDER_VALUE = 4;
export const CANCELLED_ORDER_VALUE = 2;

/** Written into every model-version anchor: `algorithm` and `algorithmVersion` (the code version). */
export const MODEL_ALGORITHM = 'forgetrace-hybrid-mf';
export const MODEL_CODE_VERSION = 'recommend-service/1+mf-sgd+format-1';
/** Leaf encoding of the model-version tree (as the anchoring outbox: `abi.encode(string, bytes32)`). */
export const MODEL_LEAF_ENCODING = ['string', 'bytes32'] as const;

/**
 * The "part configuration" of an order: its material and its set of processes, e.g.
 * `ti6al4v|additive+milling`. The spec name is free text that differs per order, so it would make
 * every order its own item and leave nothing to learn across buyers; material and process set
 * are labels shared across orders.
 */
export function configurationOf(order: Pick<Order, 'spec' | 'operations'>): string {
  const processes = [...new Set(order.operations.map((o) => o.process))].sort();
  return `${order.spec.material}|${processes.join('+')}`;
}

/** Pattern of a configuration id (labels are lowercase `a-z0-9_-`). */
export const CONFIGURATION_PATTERN = /^[a-z0-9][a-z0-9_-]{0,47}\|[a-z0-9][a-z0-9_-]{0,47}(\+[a-z0-9][a-z0-9_-]{0,47}){0,31}$/;

/** Content features of a configuration: `material=…` and one `process=…` per process. */
export function configurationFeatures(configuration: string): string[] {
  const [material, processes = ''] = configuration.split('|');
  return [`material=${material ?? ''}`, ...processes.split('+').filter((p) => p.length > 0).map((p) => `process=${p}`)];
}

/** Content features of a factory: the processes and materials of its commissioned machines. */
export function factoryFeatures(machines: readonly Machine[]): string[] {
  const out = new Set<string>();
  for (const m of machines) {
    for (const p of m.capabilities.processes) out.add(`process=${p}`);
    for (const x of m.capabilities.materials) out.add(`material=${x}`);
  }
  return [...out].sort();
}

/** Content features of a buyer: the materials and processes of the orders it placed. */
export function buyerFeatures(orders: readonly Pick<Order, 'spec' | 'operations'>[]): string[] {
  const out = new Set<string>();
  for (const o of orders) for (const f of configurationFeatures(configurationOf(o))) out.add(f);
  return [...out].sort();
}

/** One training example. `source` and `ref` say where it came from (a feedback event id or an order id). */
export interface TrainingRow {
  readonly buyer: string;
  readonly item: string;
  readonly value: number;
  readonly source: 'feedback' | 'order';
  readonly ref: string;
  readonly at: string;
}

/** Sort rows so that the same data always gives the same indices, parameters and hashes. */
export function sortRows(rows: readonly TrainingRow[]): TrainingRow[] {
  const key = (r: TrainingRow) => [r.buyer, r.item, r.source, r.ref].join('\u0000');
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A trained model of one side (parts or factories) with the ids its indices stand for. */
export interface SideModel {
  readonly model: BiasedMf;
  readonly buyers: IdIndex;
  readonly items: IdIndex;
  /** Serialised model (the persistence format), whose SHA-256 is the side's parameter hash. */
  readonly serialized: string;
  readonly parametersHash: string;
  readonly metrics: SideMetrics;
}

/** Quality figures of one side, all deterministic for the same data and seed. */
export interface SideMetrics {
  readonly ratings: number;
  readonly buyers: number;
  readonly items: number;
  readonly trainRmse: number;
  /** RMSE on a seeded 20 % hold-out of a model fitted on the other 80 % (null below 20 ratings). */
  readonly holdoutRmse: number | null;
  /** Bias-only baseline on the same hold-out (null below 20 ratings). */
  readonly holdoutBaselineRmse: number | null;
}

/** Options of {@link trainSide}. */
export interface TrainSideOptions {
  readonly seed: number;
  readonly factors: number;
  readonly buyerFeatures: (buyer: string) => readonly string[];
  readonly itemFeatures: (item: string) => readonly string[];
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const round = (x: number) => Math.round(x * 1e6) / 1e6;

function toRatingSet(rows: readonly TrainingRow[], buyers: IdIndex, items: IdIndex): RatingSet {
  return createRatingSet(rows.map((r) => buyers.indexOf(r.buyer)), rows.map((r) => items.indexOf(r.item)), rows.map((r) => r.value), buyers.size, items.size);
}

/**
 * Train one side on `rows` (sorted here; null when there are none): hybrid biased MF by SGD with
 * the given seed, buyer and item features for cold start.
 */
export function trainSide(rows: readonly TrainingRow[], options: TrainSideOptions): SideModel | null {
  if (rows.length === 0) return null;
  const sorted = sortRows(rows);
  const buyers = new IdIndex([...new Set(sorted.map((r) => r.buyer))].sort());
  const items = new IdIndex([...new Set(sorted.map((r) => r.item))].sort());
  const data = toRatingSet(sorted, buyers, items);
  const userFeatures = buildFeatureTable(buyers.size, (u) => options.buyerFeatures(buyers.idAt(u)));
  const itemFeatures = buildFeatureTable(items.size, (i) => options.itemFeatures(items.idAt(i)));
  const fit = (set: RatingSet) => trainMfSgd(set, { seed: options.seed, factors: options.factors, userFeatures, itemFeatures });
  const model = fit(data);
  let holdoutRmse: number | null = null, holdoutBaselineRmse: number | null = null;
  if (sorted.length >= 20) {
    const split = holdOut(data, 0.2, options.seed);
    holdoutRmse = round(rmseOf(fit(split.fit), split.validation));
    const baseline = fitBiasBaseline(split.fit);
    let sq = 0;
    for (let r = 0; r < split.validation.values.length; r++) {
      const p = Math.min(RATING_MAX, Math.max(RATING_MIN, baseline.predict(split.validation.users[r]!, split.validation.items[r]!)));
      sq += (p - split.validation.values[r]!) ** 2;
    }
    holdoutBaselineRmse = round(Math.sqrt(sq / Math.max(1, split.validation.values.length)));
  }
  const serialized = serializeModel({ model, userIds: buyers.ids(), itemIds: items.ids() });
  return {
    model, buyers, items, serialized, parametersHash: sha256(serialized),
    metrics: { ratings: sorted.length, buyers: buyers.size, items: items.size, trainRmse: round(rmseOf(model, data)), holdoutRmse, holdoutBaselineRmse },
  };
}

/** What is anchored for a model version, and the Merkle tree over it. */
export interface ModelManifest {
  /** Model version id = anchor id: `rm-` + the first 24 hex digits of the Merkle root. */
  readonly id: string;
  readonly algorithm: string;
  readonly codeVersion: string;
  readonly seed: number;
  readonly factors: number;
  /** SHA-256 of each side's serialised model (null when the side had no data). */
  readonly parameters: { readonly parts: string | null; readonly factories: string | null };
  /** SHA-256 over both sides' parameter hashes (the `parameters` leaf). */
  readonly parametersHash: string;
  /** SHA-256 of the canonical JSON of the sorted training rows of both sides (the anchor's `inputHash`). */
  readonly trainingDataHash: string;
  readonly metrics: { readonly parts: SideMetrics | null; readonly factories: SideMetrics | null };
  readonly metricsHash: string;
  readonly codeHash: string;
  /** The tree's leaves `[name, 0x-sha256]` in this order: parameters, trainingData, metrics, code. */
  readonly leaves: readonly (readonly [string, string])[];
  /** Merkle root, 0x-prefixed (the anchor's `merkleRoot` is the same without `0x`). */
  readonly merkleRoot: string;
  /** Oldest and newest training row time (the anchor's window). */
  readonly window: { readonly from: string; readonly to: string };
}

/** The hash an auditor recomputes from the training rows of both sides. */
export function trainingDataHash(parts: readonly TrainingRow[], factories: readonly TrainingRow[]): string {
  return sha256(canonicalJson({ parts: sortRows(parts), factories: sortRows(factories) }));
}

/** The anchor-ready description of a trained version (deterministic: same data, seed and code → same id). */
export function buildManifest(
  input: { readonly parts: SideModel | null; readonly factories: SideModel | null; readonly partRows: readonly TrainingRow[]; readonly factoryRows: readonly TrainingRow[]; readonly seed: number; readonly factors: number; readonly fallbackTime: string },
): ModelManifest {
  const parameters = { parts: input.parts?.parametersHash ?? null, factories: input.factories?.parametersHash ?? null };
  const parametersHash = sha256(canonicalJson(parameters));
  const dataHash = trainingDataHash(input.partRows, input.factoryRows);
  const metrics = { parts: input.parts?.metrics ?? null, factories: input.factories?.metrics ?? null };
  const metricsHash = sha256(canonicalJson(metrics));
  const codeHash = sha256(canonicalJson({ algorithm: MODEL_ALGORITHM, codeVersion: MODEL_CODE_VERSION, seed: input.seed, factors: input.factors }));
  const leaves: [string, string][] = [['parameters', `0x${parametersHash}`], ['trainingData', `0x${dataHash}`], ['metrics', `0x${metricsHash}`], ['code', `0x${codeHash}`]];
  const root = StandardMerkleTree.of(leaves, [...MODEL_LEAF_ENCODING]).root;
  const times = [...input.partRows, ...input.factoryRows].map((r) => r.at).sort();
  return {
    id: `rm-${root.slice(2, 26)}`, algorithm: MODEL_ALGORITHM, codeVersion: MODEL_CODE_VERSION, seed: input.seed, factors: input.factors,
    parameters, parametersHash, trainingDataHash: dataHash, metrics, metricsHash, codeHash, leaves, merkleRoot: root,
    window: { from: times[0] ?? input.fallbackTime, to: times[times.length - 1] ?? input.fallbackTime },
  };
}

/** The additive parts of a prediction μ + b_buyer + b_item + ⟨p, q⟩ (before clipping to 1–5). */
export interface PredictionParts {
  readonly globalMean: number;
  readonly buyerBias: number;
  readonly itemBias: number;
  readonly interaction: number;
  readonly predicted: number;
}

/**
 * Decompose a prediction. `buyer`/`item` are ids; an id the model does not know is represented
 * by its features (cold start), as `BiasedMf.predict` does.
 */
export function explainPrediction(side: SideModel, buyer: string, buyerFeatureList: readonly string[], item: string, itemFeatureList: readonly string[]): PredictionParts {
  const { model } = side;
  const k = model.factors;
  const p = new Float64Array(k), q = new Float64Array(k);
  const u = side.buyers.indexOf(buyer), i = side.items.indexOf(item);
  const us = model.users, is = model.items;
  const bu = u >= 0 ? us.effective(u, p) : us.fromFeatures(featureIndices({ offsets: us.featureOffsets, indices: us.featureIndices, vocabulary: us.vocabulary }, buyerFeatureList), p);
  const bi = i >= 0 ? is.effective(i, q) : is.fromFeatures(featureIndices({ offsets: is.featureOffsets, indices: is.featureIndices, vocabulary: is.vocabulary }, itemFeatureList), q);
  let dot = 0;
  for (let d = 0; d < k; d++) dot += p[d]! * q[d]!;
  const predicted = model.predict(u >= 0 ? u : { features: buyerFeatureList }, i >= 0 ? i : { features: itemFeatureList });
  return { globalMean: model.mu, buyerBias: bu, itemBias: bi, interaction: dot, predicted };
}

/** One multiplicative factor of a factory score. */
export interface ScoreFactor {
  readonly factor: 'satisfaction' | 'capability' | 'load' | 'health';
  /** In (0, 1]; the score is the product of all four. */
  readonly value: number;
  /** −ln(value): how much this factor lowers the score (0 = not at all). */
  readonly penalty: number;
  readonly detail: string;
}

/** Inputs of {@link scoreFactory}. */
export interface FactoryEvidence {
  /** Predicted satisfaction on the 1–5 scale. */
  readonly predictedSatisfaction: number;
  readonly satisfactionBasis: string;
  readonly operationsCovered: number;
  readonly operations: number;
  readonly capableMachines: number;
  readonly activeJobs: number;
  /** Latest healthIndex per capable machine (undefined when the machine has no twin snapshot). */
  readonly health: readonly { readonly machineId: string; readonly healthIndex: number | undefined }[];
  /** Health assumed for a machine without a twin snapshot. */
  readonly unknownHealth: number;
}

/** A factory's score with its factors, most limiting first. */
export interface FactoryScore {
  readonly score: number;
  readonly factors: readonly ScoreFactor[];
  readonly topFactors: readonly ScoreFactor['factor'][];
  readonly summary: string;
}

const factor = (name: ScoreFactor['factor'], value: number, detail: string): ScoreFactor => ({ factor: name, value: round(value), penalty: round(value > 0 ? -Math.log(value) : Number.MAX_VALUE), detail });

/**
 * score = satisfaction × capability × load × health, with
 * satisfaction = predicted stars / 5, capability = operations covered / operations,
 * load = 1 / (1 + active jobs / capable machines), health = mean latest healthIndex of the capable machines.
 */
export function scoreFactory(e: FactoryEvidence): FactoryScore {
  const known = e.health.filter((h) => h.healthIndex !== undefined);
  const healthValues = e.health.map((h) => h.healthIndex ?? e.unknownHealth);
  const health = healthValues.length > 0 ? healthValues.reduce((a, b) => a + b, 0) / healthValues.length : e.unknownHealth;
  const factors = [
    factor('satisfaction', e.predictedSatisfaction / RATING_MAX, `predicted satisfaction ${e.predictedSatisfaction.toFixed(2)} of ${RATING_MAX} (${e.satisfactionBasis})`),
    factor('capability', e.operations > 0 ? e.operationsCovered / e.operations : 0, `${e.operationsCovered} of ${e.operations} operations on ${e.capableMachines} commissioned machine(s) with the process and material`),
    factor('load', 1 / (1 + e.activeJobs / Math.max(1, e.capableMachines)), `${e.activeJobs} active job(s) for ${e.capableMachines} capable machine(s)`),
    factor('health', health, known.length > 0
      ? `mean health ${health.toFixed(2)}: ${e.health.map((h) => `${h.machineId} ${h.healthIndex === undefined ? `no twin snapshot (assumed ${e.unknownHealth})` : h.healthIndex.toFixed(2)}`).join(', ')}`
      : `no twin snapshot for the capable machines (assumed ${e.unknownHealth})`),
  ];
  const score = round(factors.reduce((s, f) => s * f.value, 1));
  const ranked = [...factors].sort((a, b) => b.penalty - a.penalty || a.factor.localeCompare(b.factor));
  const limiting = ranked.filter((f) => f.penalty > 1e-6).slice(0, 2);
  const summary = limiting.length === 0
    ? `score ${score.toFixed(3)}: nothing limits it`
    : `score ${score.toFixed(3)}, limited mainly by ${limiting.map((f) => `${f.factor} (${f.detail})`).join(' and ')}`;
  return { score, factors, topFactors: ranked.map((f) => f.factor), summary };
}
