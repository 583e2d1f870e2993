/**
 * Biased matrix factorisation for explicit ratings, hybrid with content features:
 *
 *   r̂(u,i) = μ + b_u + b_i + ⟨p_u, q_i⟩,   p_u = p⁰_u + Σ_{f∈F(u)} w_f,   b_u = b⁰_u + Σ_{f∈F(u)} c_f
 *
 * (items alike). Both trainers minimise the same regularised loss
 *
 *   ½ Σ_(u,i) e²  +  ½ λ_b (Σ b⁰² + Σ c²)  +  ½ λ_f (Σ_u n_u ‖p⁰_u‖² + Σ_i n_i ‖q⁰_i‖²)  +  ½ λ_w Σ_f n_f ‖w_f‖²
 *
 * — biases with a fixed ridge (as the bias-only baseline, so with zero factors the model is
 * that baseline), factors with the frequency-weighted penalty of ALS-WR / Funk SGD (n = number
 * of training ratings). {@link trainMfSgd}: SGD, decaying learning rate. {@link trainMfAls}:
 * alternating exact block solves. Both stop early on a validation split of the training data.
 */
import { fitBiasBaseline } from './baselines';
import { RecommendError } from './errors';
import { featureIndices, type FeatureTable } from './features';
import { FactorSide } from './internal/factor-side';
import { choleskySolve } from './internal/linalg';
import { countBy, groupBy, meanRating, type RatingSet } from './ratings';
import { Rng } from '../common/rng';
import { holdOut } from './split';

/** An entity to predict for: a trained index, -1 for an unknown one, or the content features of a new one. */
export type EntityRef = number | { readonly features: readonly string[] };

/** A trained biased MF model. Indices are those of the training {@link RatingSet}. */
export class BiasedMf {
  /** @internal */
  constructor(
    /** Global mean of the training ratings. */
    readonly mu: number,
    /** User side (free factors, biases, feature embeddings). @internal */
    readonly users: FactorSide,
    /** Item side. @internal */
    readonly items: FactorSide,
    /** Predictions are clipped to [ratingMin, ratingMax], the range seen in training. */
    readonly ratingMin: number,
    readonly ratingMax: number,
  ) {}

  /** Number of latent factors. */
  get factors(): number {
    return this.users.factors;
  }

  /**
   * Predicted rating. An index of -1 (or an entity with no training data) takes the cold-start
   * path: only its features contribute, and with none it falls back to the other side's bias.
   * @throws RecommendError INDEX_OUT_OF_RANGE for an index outside the model.
   */
  predict(user: EntityRef, item: EntityRef): number {
    const k = this.factors;
    const p = new Float64Array(k), q = new Float64Array(k);
    const bu = resolve(this.users, user, p, 'user'), bi = resolve(this.items, item, q, 'item');
    let dot = 0;
    for (let d = 0; d < k; d++) dot += p[d]! * q[d]!;
    return clamp(this.mu + bu + bi + dot, this.ratingMin, this.ratingMax);
  }

  /** Predictions for many (user index, item index) pairs; -1 means unknown. */
  predictMany(users: Int32Array, items: Int32Array, out: Float32Array = new Float32Array(users.length)): Float32Array {
    const k = this.factors;
    const U = this.users.effectiveAll(), I = this.items.effectiveAll();
    const uv = U.vectors, iv = I.vectors;
    for (let r = 0; r < users.length; r++) {
      const u = users[r]!, i = items[r]!;
      let s = this.mu;
      if (u >= 0 && i >= 0) {
        s += U.biases[u]! + I.biases[i]!;
        const ou = u * k, oi = i * k;
        for (let d = 0; d < k; d++) s += uv[ou + d]! * iv[oi + d]!;
      } else {
        if (u >= 0) s += U.biases[u]!;
        if (i >= 0) s += I.biases[i]!;
      }
      out[r] = s < this.ratingMin ? this.ratingMin : s > this.ratingMax ? this.ratingMax : s;
    }
    return out;
  }

  /** Scores of every item for one user (unclipped), for ranking. */
  scoreItems(user: EntityRef, out: Float64Array = new Float64Array(this.items.count)): Float64Array {
    const k = this.factors;
    const p = new Float64Array(k), q = new Float64Array(k);
    const bu = resolve(this.users, user, p, 'user');
    for (let i = 0; i < this.items.count; i++) {
      let s = this.mu + bu + this.items.effective(i, q);
      for (let d = 0; d < k; d++) s += p[d]! * q[d]!;
      out[i] = s;
    }
    return out;
  }

  /** A deep copy. */
  clone(): BiasedMf {
    return new BiasedMf(this.mu, this.users.clone(), this.items.clone(), this.ratingMin, this.ratingMax);
  }
}

function resolve(side: FactorSide, ref: EntityRef, out: Float64Array, what: string): number {
  if (typeof ref === 'number') {
    if (ref === -1) { out.fill(0); return 0; }
    if (!Number.isInteger(ref) || ref < -1 || ref >= side.count) throw new RecommendError('INDEX_OUT_OF_RANGE', { what, index: ref, max: side.count - 1 });
    return side.effective(ref, out);
  }
  return side.fromFeatures(featureIndices({ offsets: side.featureOffsets, indices: side.featureIndices, vocabulary: side.vocabulary }, ref.features), out);
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Regularisation weights of the loss (see the file header). */
export interface MfRegularisation {
  /** λ_b: ridge on every bias (free and feature). */
  readonly bias: number;
  /** λ_f: per-rating weight on free factors. */
  readonly factor: number;
  /** λ_w: per-rating weight on feature embeddings. */
  readonly feature: number;
}

/** Progress of one epoch (SGD) or sweep (ALS). */
export interface EpochReport {
  readonly epoch: number;
  /** RMSE on the validation split (NaN when there is none). */
  readonly validationRmse: number;
  /** 'search' while early stopping looks for the best epoch count, 'refit' when training on all the data. */
  readonly phase: 'search' | 'refit' | 'fixed';
}

/** Options shared by {@link trainMfSgd} and {@link trainMfAls}. */
export interface MfOptions {
  /** Latent factors (default 32 for SGD, 16 for ALS). */
  readonly factors?: number;
  /** Upper bound on epochs / sweeps (default 100 SGD, 15 ALS). */
  readonly maxEpochs?: number;
  /** Regularisation (default λ_b 10, λ_f = λ_w = 0.05 for SGD, 0.2 for ALS, which has no early-stopping shrinkage). */
  readonly regularisation?: Partial<MfRegularisation>;
  /** Share of the training data held out to pick the epoch count (default 0.1; 0 trains maxEpochs on everything). */
  readonly validationFraction?: number;
  /** Epochs without a better validation RMSE before stopping (default 5 SGD, 2 ALS). */
  readonly patience?: number;
  /**
   * Epochs always run before early stopping may stop (default 20 SGD, 3 ALS): SGD factors grow
   * from small noise, so validation RMSE sits on a plateau at the bias-only level for the first
   * epochs before it falls.
   */
  readonly minEpochs?: number;
  /**
   * After early stopping, retrain on all the training data for the best epoch count (default
   * true for SGD: the held-out tenth is worth ~0.008 RMSE on a 100k-rating set, for twice the
   * training time; false for ALS, whose sweeps are exact and costlier).
   */
  readonly refit?: boolean;
  /**
   * Std of the initial free factors (default 0.01 SGD, 0.1 ALS). SGD from a small start grows
   * the strongest directions of the residual first, so stopping early on validation also keeps
   * the factors low-rank (the implicit regularisation of small initialisation); from 0.1 the
   * noise dot products are already ~0.06 rating points and the model starts overfit.
   */
  readonly initStd?: number;
  /** Seed of the initialisation, shuffles and validation split (default 1). */
  readonly seed?: number;
  /** Content features of the users (indexed like the ratings' users). */
  readonly userFeatures?: FeatureTable;
  /** Content features of the items. */
  readonly itemFeatures?: FeatureTable;
  /** Called after each epoch. */
  readonly onEpoch?: (report: EpochReport) => void;
}

/** SGD-only options. */
export interface SgdOptions extends MfOptions {
  /** Initial learning rate (default 0.02). */
  readonly learningRate?: number;
  /** Learning rate multiplier per epoch (default 0.97). */
  readonly learningRateDecay?: number;
}

/** Defaults of {@link trainMfSgd}. */
export const SGD_DEFAULTS = {
  factors: 32, maxEpochs: 100, learningRate: 0.02, learningRateDecay: 0.97,
  regularisation: { bias: 10, factor: 0.05, feature: 0.05 }, validationFraction: 0.1, patience: 5, minEpochs: 20, refit: true, initStd: 0.01, seed: 1,
} as const;

/** Defaults of {@link trainMfAls}. */
export const ALS_DEFAULTS = {
  ...SGD_DEFAULTS, factors: 16, maxEpochs: 15, patience: 2, minEpochs: 3, refit: false, initStd: 0.1,
  regularisation: { bias: 10, factor: 0.2, feature: 0.2 },
} as const;

/** Per-entity and per-feature training counts (the n of the loss). @internal */
export interface TrainingCounts {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly userFeatures: Float64Array;
  readonly itemFeatures: Float64Array;
}

/** @internal */
export function trainingCounts(model: BiasedMf, data: RatingSet): TrainingCounts {
  const users = countBy(data, 'user'), items = countBy(data, 'item');
  return { users, items, userFeatures: model.users.featureCounts(users), itemFeatures: model.items.featureCounts(items) };
}

/** The regularised loss both trainers minimise (for tests and diagnostics). */
export function regularisedLoss(model: BiasedMf, data: RatingSet, reg: MfRegularisation): number {
  const counts = trainingCounts(model, data);
  const k = model.factors;
  const p = new Float64Array(k), q = new Float64Array(k);
  let loss = 0;
  for (let r = 0; r < data.values.length; r++) {
    const bu = model.users.effective(data.users[r]!, p), bi = model.items.effective(data.items[r]!, q);
    let pred = model.mu + bu + bi;
    for (let d = 0; d < k; d++) pred += p[d]! * q[d]!;
    const e = data.values[r]! - pred;
    loss += 0.5 * e * e;
  }
  for (const [side, n, nf] of [[model.users, counts.users, counts.userFeatures], [model.items, counts.items, counts.itemFeatures]] as const) {
    for (let e = 0; e < side.count; e++) {
      loss += 0.5 * reg.bias * side.bias[e]! ** 2;
      for (let d = 0; d < k; d++) loss += 0.5 * reg.factor * n[e]! * side.free[e * k + d]! ** 2;
    }
    for (let f = 0; f < side.featureCount; f++) {
      loss += 0.5 * reg.bias * side.featureBias[f]! ** 2;
      for (let d = 0; d < k; d++) loss += 0.5 * reg.feature * nf[f]! * side.featureVectors[f * k + d]! ** 2;
    }
  }
  return loss;
}

/**
 * One SGD pass over `data` in `order`: for each rating, a step of size `lr` along minus the
 * gradient of its share of {@link regularisedLoss} (regularisation applied as an implicit
 * step, x ← (x + lr·g)/(1 + lr·λ), stable for any lr). @internal
 */
export function sgdEpoch(model: BiasedMf, data: RatingSet, order: Int32Array, lr: number, reg: MfRegularisation, counts: TrainingCounts): void {
  const U = model.users, I = model.items, k = model.factors, mu = model.mu;
  const uFree = U.free, iFree = I.free, uBias = U.bias, iBias = I.bias;
  const uFo = U.featureOffsets, uFi = U.featureIndices, iFo = I.featureOffsets, iFi = I.featureIndices;
  const uFv = U.featureVectors, iFv = I.featureVectors, uFb = U.featureBias, iFb = I.featureBias;
  const nu = counts.users, ni = counts.items, nuf = counts.userFeatures, nif = counts.itemFeatures;
  const users = data.users, items = data.items, values = data.values;
  const p = new Float64Array(k), q = new Float64Array(k);
  const shrinkF = 1 / (1 + lr * reg.factor), shrinkW = 1 / (1 + lr * reg.feature);
  for (let x = 0; x < order.length; x++) {
    const r = order[x]!;
    const u = users[r]!, i = items[r]!;
    const ou = u * k, oi = i * k;
    const uf0 = uFo[u]!, uf1 = uFo[u + 1]!, if0 = iFo[i]!, if1 = iFo[i + 1]!;
    let pred = mu + uBias[u]! + iBias[i]!;
    for (let d = 0; d < k; d++) { p[d] = uFree[ou + d]!; q[d] = iFree[oi + d]!; }
    for (let y = uf0; y < uf1; y++) {
      const f = uFi[y]!; pred += uFb[f]!;
      for (let d = 0, o = f * k; d < k; d++) p[d]! += uFv[o + d]!;
    }
    for (let y = if0; y < if1; y++) {
      const f = iFi[y]!; pred += iFb[f]!;
      for (let d = 0, o = f * k; d < k; d++) q[d]! += iFv[o + d]!;
    }
    for (let d = 0; d < k; d++) pred += p[d]! * q[d]!;
    const e = values[r]! - pred, le = lr * e;
    uBias[u] = (uBias[u]! + le) / (1 + lr * reg.bias / nu[u]!);
    iBias[i] = (iBias[i]! + le) / (1 + lr * reg.bias / ni[i]!);
    for (let d = 0; d < k; d++) {
      uFree[ou + d] = (uFree[ou + d]! + le * q[d]!) * shrinkF;
      iFree[oi + d] = (iFree[oi + d]! + le * p[d]!) * shrinkF;
    }
    for (let y = uf0; y < uf1; y++) {
      const f = uFi[y]!;
      uFb[f] = (uFb[f]! + le) / (1 + lr * reg.bias / nuf[f]!);
      for (let d = 0, o = f * k; d < k; d++) uFv[o + d] = (uFv[o + d]! + le * q[d]!) * shrinkW;
    }
    for (let y = if0; y < if1; y++) {
      const f = iFi[y]!;
      iFb[f] = (iFb[f]! + le) / (1 + lr * reg.bias / nif[f]!);
      for (let d = 0, o = f * k; d < k; d++) iFv[o + d] = (iFv[o + d]! + le * p[d]!) * shrinkW;
    }
  }
}

/** RMSE of the model's clipped predictions on `data`. */
export function rmseOf(model: BiasedMf, data: RatingSet): number {
  const pred = model.predictMany(data.users, data.items);
  let s = 0;
  for (let r = 0; r < pred.length; r++) { const e = pred[r]! - data.values[r]!; s += e * e; }
  return pred.length > 0 ? Math.sqrt(s / pred.length) : Number.NaN;
}

function ratingRange(data: RatingSet): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let r = 0; r < data.values.length; r++) { const v = data.values[r]!; if (v < lo) lo = v; if (v > hi) hi = v; }
  return [lo, hi];
}

type Stepper = (epoch: number) => void;

function checkOptions(train: RatingSet, o: { factors: number; maxEpochs: number; validationFraction: number; patience: number }): void {
  if (train.values.length === 0) throw new RecommendError('PARSE_EMPTY');
  for (let r = 0; r < train.values.length; r++) {
    if (!Number.isFinite(train.values[r]!)) throw new RecommendError('INVALID_RATING', { index: r, value: train.values[r] });
  }
  if (!Number.isInteger(o.factors) || o.factors < 1) throw new RecommendError('INVALID_OPTION', { option: 'factors', expected: 'an integer >= 1', value: o.factors });
  if (!Number.isInteger(o.maxEpochs) || o.maxEpochs < 1) throw new RecommendError('INVALID_OPTION', { option: 'maxEpochs', expected: 'an integer >= 1', value: o.maxEpochs });
  if (!(o.validationFraction >= 0 && o.validationFraction < 1)) throw new RecommendError('INVALID_OPTION', { option: 'validationFraction', expected: 'in [0, 1)', value: o.validationFraction });
  if (!Number.isInteger(o.patience) || o.patience < 1) throw new RecommendError('INVALID_OPTION', { option: 'patience', expected: 'an integer >= 1', value: o.patience });
}

/** Early stopping around a trainer: pick the epoch count on a validation split, then refit (or keep the best snapshot). */
function fitWithEarlyStopping(
  train: RatingSet, o: Required<Omit<MfOptions, 'userFeatures' | 'itemFeatures' | 'onEpoch' | 'regularisation'>> & MfOptions,
  reg: MfRegularisation,
  makeStepper: (model: BiasedMf, data: RatingSet, rng: Rng) => Stepper,
): BiasedMf {
  checkOptions(train, o);
  const [lo, hi] = ratingRange(train);
  const init = (data: RatingSet): { model: BiasedMf; rng: Rng } => {
    const rng = new Rng(o.seed);
    const users = new FactorSide(train.userCount, o.factors, o.userFeatures);
    const items = new FactorSide(train.itemCount, o.factors, o.itemFeatures);
    users.initialise(rng, o.initStd);
    items.initialise(rng, o.initStd);
    // Start from the ridge bias solution (the bias-only baseline with this loss's λ_b): training
    // then only has to add what the factors explain, and epoch 0 is the baseline itself.
    const biases = fitBiasBaseline(data, { regUser: reg.bias, regItem: reg.bias });
    users.bias.set(biases.userBias);
    items.bias.set(biases.itemBias);
    return { model: new BiasedMf(meanRating(data), users, items, lo, hi), rng };
  };
  const finish = (model: BiasedMf, data: RatingSet): BiasedMf => {
    model.users.clearCold(countBy(data, 'user'));
    model.items.clearCold(countBy(data, 'item'));
    return model;
  };
  const validationSize = Math.round(train.values.length * o.validationFraction);
  if (validationSize === 0 || validationSize === train.values.length) {
    const { model, rng } = init(train);
    const step = makeStepper(model, train, rng);
    for (let epoch = 1; epoch <= o.maxEpochs; epoch++) { step(epoch); o.onEpoch?.({ epoch, validationRmse: Number.NaN, phase: 'fixed' }); }
    return finish(model, train);
  }
  const { fit, validation } = holdOut(train, o.validationFraction, o.seed ^ 0x5bd1e995);
  const { model, rng } = init(fit);
  const step = makeStepper(model, fit, rng);
  // Epoch 0 (biases only, factors still noise-sized) competes too: with nothing to gain from
  // the factors, the model stays at the baseline.
  const start = finish(model.clone(), fit);
  let best = rmseOf(start, validation), bestEpoch = 0, snapshot: BiasedMf | undefined = o.refit ? undefined : start;
  for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
    step(epoch);
    // Score the state the model would be used in: entities unseen in `fit` on their cold path.
    const scored = finish(model.clone(), fit);
    const rmse = rmseOf(scored, validation);
    o.onEpoch?.({ epoch, validationRmse: rmse, phase: 'search' });
    if (rmse < best - 1e-6) { best = rmse; bestEpoch = epoch; if (!o.refit) snapshot = scored; }
    else if (epoch - bestEpoch >= o.patience && epoch >= o.minEpochs) break;
  }
  if (!o.refit) return snapshot!;
  const again = init(train);
  const stepAll = makeStepper(again.model, train, again.rng);
  for (let epoch = 1; epoch <= bestEpoch; epoch++) { stepAll(epoch); o.onEpoch?.({ epoch, validationRmse: Number.NaN, phase: 'refit' }); }
  return finish(again.model, train);
}

function resolveReg(o: MfOptions, defaults: MfRegularisation): MfRegularisation {
  return { ...defaults, ...o.regularisation };
}

/**
 * Trains biased (hybrid) MF by SGD: shuffled passes, learning rate × decay per epoch, early
 * stopping on a validation split. Deterministic for `seed`.
 * @throws RecommendError INVALID_RATING, INVALID_OPTION, PARSE_EMPTY (no ratings).
 */
export function trainMfSgd(train: RatingSet, options: SgdOptions = {}): BiasedMf {
  const o = { ...SGD_DEFAULTS, ...options };
  const reg = resolveReg(options, SGD_DEFAULTS.regularisation);
  if (!(o.learningRate > 0)) throw new RecommendError('INVALID_OPTION', { option: 'learningRate', expected: '> 0', value: o.learningRate });
  return fitWithEarlyStopping(train, o, reg, (model, data, rng) => {
    const counts = trainingCounts(model, data);
    const order = Int32Array.from({ length: data.values.length }, (_, i) => i);
    return (epoch) => {
      rng.shuffle(order);
      sgdEpoch(model, data, order, o.learningRate * o.learningRateDecay ** (epoch - 1), reg, counts);
    };
  });
}

/**
 * Trains biased (hybrid) MF by alternating least squares: each sweep solves every user's
 * (bias, factors) exactly given the items, then the user features given the users, then the
 * same for items. Early stopping on a validation split. Deterministic for `seed`.
 * @throws RecommendError INVALID_RATING, INVALID_OPTION, PARSE_EMPTY (no ratings).
 */
export function trainMfAls(train: RatingSet, options: MfOptions = {}): BiasedMf {
  const o = { ...ALS_DEFAULTS, ...options };
  const reg = resolveReg(options, ALS_DEFAULTS.regularisation);
  return fitWithEarlyStopping(train, o, reg, (model, data) => {
    const counts = trainingCounts(model, data);
    const byUser = groupBy(data, 'user'), byItem = groupBy(data, 'item');
    return () => {
      alsHalfSweep(model.mu, model.users, model.items, byUser, data.items, data.values, counts.users, reg);
      alsHalfSweep(model.mu, model.items, model.users, byItem, data.users, data.values, counts.items, reg);
    };
  });
}

/** Solves one side given the other (see {@link trainMfAls}). */
function alsHalfSweep(
  mu: number, side: FactorSide, other: FactorSide, groups: { offsets: Int32Array; order: Int32Array },
  otherIndex: Int32Array, values: Float32Array, counts: Int32Array, reg: MfRegularisation,
): void {
  const k = side.factors, m = k + 1;
  const { vectors: ov, biases: ob } = other.effectiveAll();
  const { vectors: v, biases: beta } = side.effectiveAll(); // v, β: effective parameters, solved below
  const prior = new Float64Array(k);
  const a = new Float64Array(m * m), b = new Float64Array(m);
  for (let e = 0; e < side.count; e++) {
    const n = counts[e]!;
    if (n === 0) continue;
    a.fill(0); b.fill(0);
    for (let x = groups.offsets[e]!, end = groups.offsets[e + 1]!; x < end; x++) {
      const r = groups.order[x]!, j = otherIndex[r]!, o = j * k;
      const t = values[r]! - mu - ob[j]!;
      for (let d1 = 0; d1 < k; d1++) {
        const x1 = ov[o + d1]!;
        b[d1]! += x1 * t;
        for (let d2 = 0; d2 <= d1; d2++) a[d1 * m + d2]! += x1 * ov[o + d2]!;
        a[k * m + d1]! += x1;
      }
      a[k * m + k]! += 1;
      b[k]! += t;
    }
    for (let d1 = 0; d1 < m; d1++) for (let d2 = 0; d2 < d1; d2++) a[d2 * m + d1] = a[d1 * m + d2]!;
    const priorBias = side.fromFeatures(side.featureIndices.subarray(side.featureOffsets[e]!, side.featureOffsets[e + 1]!), prior);
    const lf = reg.factor * n;
    for (let d = 0; d < k; d++) { a[d * m + d]! += lf; b[d]! += lf * prior[d]!; }
    a[k * m + k]! += reg.bias;
    b[k]! += reg.bias * priorBias;
    choleskySolve(a, m, b);
    for (let d = 0; d < k; d++) v[e * k + d] = b[d]!;
    beta[e] = b[k]!;
  }
  if (side.featureCount > 0) solveFeatures(side, v, beta, counts, reg);
  // Free parts = effective − features (with the features just solved).
  const s = new Float64Array(k);
  for (let e = 0; e < side.count; e++) {
    if (counts[e]! === 0) continue;
    const t = side.fromFeatures(side.featureIndices.subarray(side.featureOffsets[e]!, side.featureOffsets[e + 1]!), s);
    for (let d = 0; d < k; d++) side.free[e * k + d] = v[e * k + d]! - s[d]!;
    side.bias[e] = beta[e]! - t;
  }
}

/** Given the effective vectors/biases of the warm entities, the exact minimiser over feature embeddings and biases. */
function solveFeatures(side: FactorSide, v: Float64Array, beta: Float64Array, counts: Int32Array, reg: MfRegularisation): void {
  const k = side.factors, nf = side.featureCount;
  const nfWeight = side.featureCounts(counts);
  // Embeddings: (Sᵀ N S + (λ_w/λ_f) diag(n_f)) W = Sᵀ N V
  const a = new Float64Array(nf * nf), w = new Float64Array(nf * k);
  // Biases: (Sᵀ S + I) c = Sᵀ β over warm entities
  const ab = new Float64Array(nf * nf), c = new Float64Array(nf);
  for (let e = 0; e < side.count; e++) {
    const n = counts[e]!;
    if (n === 0) continue;
    const f0 = side.featureOffsets[e]!, f1 = side.featureOffsets[e + 1]!;
    for (let x = f0; x < f1; x++) {
      const f = side.featureIndices[x]!;
      for (let y = f0; y < f1; y++) { const g = side.featureIndices[y]!; a[f * nf + g]! += n; ab[f * nf + g]! += 1; }
      for (let d = 0; d < k; d++) w[f * k + d]! += n * v[e * k + d]!;
      c[f]! += beta[e]!;
    }
  }
  const ratio = reg.factor > 0 ? reg.feature / reg.factor : 1;
  for (let f = 0; f < nf; f++) {
    a[f * nf + f]! += nfWeight[f]! > 0 ? ratio * nfWeight[f]! : 1; // an unseen feature stays at 0
    ab[f * nf + f]! += 1;
  }
  if (choleskySolve(a, nf, w, k)) side.featureVectors.set(w);
  if (choleskySolve(ab, nf, c, 1)) side.featureBias.set(c);
}
