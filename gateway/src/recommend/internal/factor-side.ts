/**
 * One side (users or items) of a hybrid factor model: per entity a free factor vector and
 * bias, plus an embedding and bias per content feature. An entity's effective vector is its
 * free vector plus the sum of its features' embeddings (same for the bias), so an entity
 * with no ratings but known features still has a sensible vector.
 */
import type { FeatureTable } from '../features';
import type { Rng } from '../../common/rng';

const NO_FEATURES: FeatureTable = { offsets: new Int32Array(1), indices: new Int32Array(0), vocabulary: [] };

export class FactorSide {
  /** Free factors, row-major count×factors. */
  readonly free: Float64Array;
  /** Free bias per entity. */
  readonly bias: Float64Array;
  /** Feature embeddings, row-major featureCount×factors. */
  readonly featureVectors: Float64Array;
  /** Bias per feature. */
  readonly featureBias: Float64Array;
  /** Offsets into `featureIndices` per entity (length count+1). */
  readonly featureOffsets: Int32Array;
  readonly featureIndices: Int32Array;
  readonly vocabulary: readonly string[];

  constructor(readonly count: number, readonly factors: number, features?: FeatureTable) {
    const table = features ?? { ...NO_FEATURES, offsets: new Int32Array(count + 1) };
    if (table.offsets.length !== count + 1) throw new RangeError(`feature table covers ${table.offsets.length - 1} entities, expected ${count}`);
    this.featureOffsets = table.offsets;
    this.featureIndices = table.indices;
    this.vocabulary = table.vocabulary;
    this.free = new Float64Array(count * factors);
    this.bias = new Float64Array(count);
    this.featureVectors = new Float64Array(table.vocabulary.length * factors);
    this.featureBias = new Float64Array(table.vocabulary.length);
  }

  get featureCount(): number {
    return this.vocabulary.length;
  }

  /** Fills the free factors and the feature embeddings with N(0, std²). */
  initialise(rng: Rng, std: number): void {
    for (let x = 0; x < this.free.length; x++) this.free[x] = rng.normal() * std;
    // Feature embeddings start at zero: they are shared, and noise there reaches every entity.
  }

  /** Writes entity `e`'s effective vector into `out` and returns its effective bias. */
  effective(e: number, out: Float64Array): number {
    const k = this.factors, free = this.free, fv = this.featureVectors;
    const base = e * k;
    for (let d = 0; d < k; d++) out[d] = free[base + d]!;
    let b = this.bias[e]!;
    for (let x = this.featureOffsets[e]!, end = this.featureOffsets[e + 1]!; x < end; x++) {
      const f = this.featureIndices[x]!;
      b += this.featureBias[f]!;
      for (let d = 0, o = f * k; d < k; d++) out[d]! += fv[o + d]!;
    }
    return b;
  }

  /** Effective vector and bias of an entity known only by its features (cold start). */
  fromFeatures(features: ArrayLike<number>, out: Float64Array): number {
    const k = this.factors, fv = this.featureVectors;
    out.fill(0, 0, k);
    let b = 0;
    for (let x = 0; x < features.length; x++) {
      const f = features[x]!;
      b += this.featureBias[f]!;
      for (let d = 0, o = f * k; d < k; d++) out[d]! += fv[o + d]!;
    }
    return b;
  }

  /** All effective vectors (count×factors) and biases, for scoring many pairs. */
  effectiveAll(): { vectors: Float64Array; biases: Float64Array } {
    const k = this.factors;
    const vectors = new Float64Array(this.count * k), biases = new Float64Array(this.count);
    const row = new Float64Array(k);
    for (let e = 0; e < this.count; e++) {
      biases[e] = this.effective(e, row);
      vectors.set(row, e * k);
    }
    return { vectors, biases };
  }

  /** Sets the free parameters of entities with no training data to zero (they take the feature-only path). */
  clearCold(counts: Int32Array): void {
    const k = this.factors;
    for (let e = 0; e < this.count; e++) {
      if (counts[e]! === 0) { this.bias[e] = 0; this.free.fill(0, e * k, e * k + k); }
    }
  }

  /** Training-data weight per feature: the sum of `counts` over the entities that have it. */
  featureCounts(counts: Int32Array): Float64Array {
    const n = new Float64Array(this.featureCount);
    for (let e = 0; e < this.count; e++) {
      for (let x = this.featureOffsets[e]!, end = this.featureOffsets[e + 1]!; x < end; x++) n[this.featureIndices[x]!]! += counts[e]!;
    }
    return n;
  }

  /** A deep copy. */
  clone(): FactorSide {
    const copy = new FactorSide(this.count, this.factors, { offsets: this.featureOffsets, indices: this.featureIndices, vocabulary: this.vocabulary });
    copy.copyFrom(this);
    return copy;
  }

  /** Copies the parameters of a side of the same shape. */
  copyFrom(other: FactorSide): void {
    this.free.set(other.free);
    this.bias.set(other.bias);
    this.featureVectors.set(other.featureVectors);
    this.featureBias.set(other.featureBias);
  }
}
