import { expect } from 'chai';
import { fitBiasBaseline } from './baselines';
import { RecommendError } from './errors';
import { buildFeatureTable } from './features';
import { FactorSide } from './internal/factor-side';
import { BiasedMf, regularisedLoss, rmseOf, sgdEpoch, trainingCounts, trainMfAls, trainMfSgd, type MfRegularisation } from './mf';
import { createRatingSet, type RatingSet } from './ratings';
import { Rng } from '../common/rng';
import { foldSplit, assignFolds } from './split';
import { generateSynthetic } from './synthetic';

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof RecommendError) return e.code; throw e; }
  return 'no error';
};

/** A tiny hybrid model with random parameters everywhere (free, biases, features). */
function tinyCase(): { model: BiasedMf; data: RatingSet } {
  const rng = new Rng(7);
  const data = createRatingSet([0, 0, 1, 2, 2, 1], [0, 1, 1, 0, 2, 2], [4, 2, 5, 3, 1, 4], 3, 3);
  const uf = buildFeatureTable(3, (u) => [`industry=${u % 2}`]);
  const itf = buildFeatureTable(3, (i) => [`material=${i % 2}`, 'process=LPBF']);
  const users = new FactorSide(3, 2, uf), items = new FactorSide(3, 2, itf);
  for (const side of [users, items]) {
    for (const a of [side.free, side.bias, side.featureVectors, side.featureBias]) for (let x = 0; x < a.length; x++) a[x] = rng.normal() * 0.5;
  }
  return { model: new BiasedMf(3.2, users, items, 1, 5), data };
}

function params(m: BiasedMf): Float64Array[] {
  return [m.users.free, m.users.bias, m.users.featureVectors, m.users.featureBias, m.items.free, m.items.bias, m.items.featureVectors, m.items.featureBias];
}

describe('recommend/mf', () => {
  it('an SGD pass moves every parameter along minus the numerical gradient of the regularised loss', () => {
    const { model, data } = tinyCase();
    const reg: MfRegularisation = { bias: 0.7, factor: 0.3, feature: 0.2 };
    const before = model.clone();
    const lr = 1e-7;
    sgdEpoch(model, data, Int32Array.from([0, 1, 2, 3, 4, 5]), lr, reg, trainingCounts(model, data));
    const h = 1e-5;
    const after = params(model), start = params(before);
    let checked = 0;
    start.forEach((array, a) => {
      for (let x = 0; x < array.length; x++) {
        const probe = before.clone();
        const p = params(probe)[a]!;
        p[x] = array[x]! + h;
        const up = regularisedLoss(probe, data, reg);
        p[x] = array[x]! - h;
        const down = regularisedLoss(probe, data, reg);
        const numerical = (up - down) / (2 * h);
        const step = (after[a]![x]! - array[x]!) / lr;
        expect(step, `parameter group ${a}, entry ${x}`).to.be.closeTo(-numerical, 1e-4 * Math.max(1, Math.abs(numerical)));
        checked++;
      }
    });
    expect(checked).to.equal(3 * 2 + 3 + 2 * 2 + 2 + 3 * 2 + 3 + 3 * 2 + 3);
  });

  const synth = generateSynthetic({ ratings: 12_000, users: 150, items: 200, noise: 0.3, seed: 3 });
  const { train, test } = foldSplit(synth.ratings, assignFolds(12_000, 5, 3), 0);
  const baseline = fitBiasBaseline(train);
  const baselineRmse = Math.sqrt(test.values.reduce((s, v, r) => s + (baseline.predict(test.users[r]!, test.items[r]!) - v) ** 2, 0) / test.values.length);

  it('SGD converges on small synthetic data well below bias-only', () => {
    const model = trainMfSgd(train, { seed: 5, factors: 16 });
    const got = rmseOf(model, test);
    expect(got).to.be.below(baselineRmse * 0.9);
  });

  it('from the small default start, early stopping waits out the bias-only plateau, then refits on all the data for the best epoch count', () => {
    const phases: { epoch: number; phase: string; validationRmse: number }[] = [];
    const model = trainMfSgd(train, { seed: 5, factors: 16, onEpoch: (e) => phases.push(e) });
    const search = phases.filter((e) => e.phase === 'search'), refit = phases.filter((e) => e.phase === 'refit');
    // The first epochs barely move the validation RMSE: the factors are still growing from 0.01.
    const first = search[0]!.validationRmse, fifth = search[4]!.validationRmse;
    expect(Math.abs(fifth - first) / first).to.be.below(0.02);
    // A stopper that gives up on the plateau keeps the bias-only model, which the default does not.
    const impatient = trainMfSgd(train, { seed: 5, factors: 16, patience: 1, minEpochs: 1 });
    expect(rmseOf(impatient, test)).to.be.above(baselineRmse * 0.97);
    expect(rmseOf(model, test)).to.be.below(baselineRmse * 0.9);
    // The refit repeats exactly the epoch count that scored best on validation.
    const best = search.reduce((b, e) => (e.validationRmse < b.validationRmse ? e : b));
    expect(refit.map((e) => e.epoch)).to.deep.equal(Array.from({ length: best.epoch }, (_, i) => i + 1));
    expect(refit.every((e) => Number.isNaN(e.validationRmse))).to.equal(true);
  });

  it('ALS converges on small synthetic data well below bias-only', () => {
    const model = trainMfAls(train, { seed: 5, factors: 8, userFeatures: synth.userFeatures, itemFeatures: synth.itemFeatures });
    expect(rmseOf(model, test)).to.be.below(baselineRmse * 0.9);
  });

  it('ALS decreases the regularised loss every sweep', () => {
    const losses: number[] = [];
    const reg = { bias: 10, factor: 0.2, feature: 0.2 };
    // Fixed sweeps on all the data so the loss is the one ALS minimises.
    let model: BiasedMf | undefined;
    for (const sweeps of [1, 2, 3, 4]) {
      model = trainMfAls(train, { seed: 5, factors: 4, maxEpochs: sweeps, validationFraction: 0, regularisation: reg, userFeatures: synth.userFeatures, itemFeatures: synth.itemFeatures });
      losses.push(regularisedLoss(model, train, reg));
    }
    for (let s = 1; s < losses.length; s++) expect(losses[s]!).to.be.at.most(losses[s - 1]! * (1 + 1e-9));
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const opts = { factors: 4, maxEpochs: 5 };
    const a = trainMfSgd(train, { ...opts, seed: 11 }), b = trainMfSgd(train, { ...opts, seed: 11 }), c = trainMfSgd(train, { ...opts, seed: 12 });
    expect([...a.predictMany(test.users, test.items)]).to.deep.equal([...b.predictMany(test.users, test.items)]);
    expect([...a.predictMany(test.users, test.items)]).to.not.deep.equal([...c.predictMany(test.users, test.items)]);
  });

  it('cold start: a new part with features is predicted closer to similar parts than the global mean is', () => {
    const model = trainMfSgd(train, { seed: 5, factors: 8, userFeatures: synth.userFeatures, itemFeatures: synth.itemFeatures });
    // For every item in turn, pretend it is new: the feature-only prediction vs the truth for each user.
    let coldErr = 0, meanErr = 0, n = 0;
    for (let i = 0; i < 40; i++) {
      const tokens = synth.itemFeatures.vocabulary.filter((_, f) => synth.itemFeatures.indices.subarray(synth.itemFeatures.offsets[i]!, synth.itemFeatures.offsets[i + 1]!).includes(f));
      for (let u = 0; u < 150; u += 3) {
        const truth = synth.expectedRating(u, i);
        coldErr += (model.predict(u, { features: tokens }) - truth) ** 2;
        meanErr += (model.mu - truth) ** 2;
        n++;
      }
    }
    expect(Math.sqrt(coldErr / n)).to.be.below(Math.sqrt(meanErr / n) * 0.85);
  });

  it('unknown users and items take the cold-start path; bad indices and ratings are refused', () => {
    const model = trainMfSgd(train, { seed: 5, factors: 4, maxEpochs: 3 });
    expect(model.predict(-1, -1)).to.be.closeTo(Math.min(5, Math.max(1, model.mu)), 1e-12);
    expect(model.predict(-1, 0)).to.be.within(1, 5);
    expect(model.predict({ features: ['industry=unknown'] }, 0)).to.equal(model.predict(-1, 0));
    expect(code(() => model.predict(10_000, 0))).to.equal('INDEX_OUT_OF_RANGE');
    const bad = { ...train, values: Float32Array.from(train.values, (v, r) => (r === 3 ? Number.NaN : v)) };
    expect(code(() => trainMfSgd(bad))).to.equal('INVALID_RATING');
    expect(code(() => trainMfAls(bad))).to.equal('INVALID_RATING');
    expect(code(() => trainMfSgd(train, { factors: 0 }))).to.equal('INVALID_OPTION');
    expect(code(() => trainMfSgd(train, { validationFraction: 1 }))).to.equal('INVALID_OPTION');
  });
});
