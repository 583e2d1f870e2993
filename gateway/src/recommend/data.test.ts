import { expect } from 'chai';
import { fitBiasBaseline } from './baselines';
import { crossValidate } from './evaluation';
import { RecommendError } from './errors';
import { createRatingSet } from './ratings';
import { Rng } from '../common/rng';
import { assignFolds } from './split';
import { generateSynthetic } from './synthetic';

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof RecommendError) return e.code; throw e; }
  return 'no error';
};

describe('recommend/data: rng, synthetic data, baselines, folds, cross-validation', () => {
  it('the PRNG is deterministic for a seed and roughly uniform / normal', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).to.deep.equal(xs);
    expect(Array.from({ length: 5 }, () => c.next())).to.not.deep.equal(xs);
    const r = new Rng(1);
    let sum = 0, sq = 0;
    for (let i = 0; i < 20_000; i++) { const z = r.normal(); sum += z; sq += z * z; }
    expect(sum / 20_000).to.be.closeTo(0, 0.03);
    expect(sq / 20_000).to.be.closeTo(1, 0.05);
  });

  it('synthetic data is deterministic, distinct pairs, on the scale, with a noise floor near the noise', () => {
    const s1 = generateSynthetic({ ratings: 5_000, users: 100, items: 120, seed: 5, round: false });
    const s2 = generateSynthetic({ ratings: 5_000, users: 100, items: 120, seed: 5, round: false });
    expect([...s1.ratings.values]).to.deep.equal([...s2.ratings.values]);
    const keys = new Set(Array.from(s1.ratings.users, (u, r) => u * 120 + s1.ratings.items[r]!));
    expect(keys.size).to.equal(5_000);
    expect(Math.min(...s1.ratings.values)).to.be.at.least(1);
    expect(Math.max(...s1.ratings.values)).to.be.at.most(5);
    expect(s1.noiseFloorRmse).to.be.within(0.4, 0.5); // noise 0.5, a little less where clipping cuts it
    expect(code(() => generateSynthetic({ ratings: 10_000, users: 10, items: 10 }))).to.equal('INVALID_OPTION');
    // Default shapes: MovieLens-100k's at 100k; below ~12,500 ratings, parts are added to hold them.
    const big = generateSynthetic({ ratings: 100_000 }).ratings;
    expect([big.userCount, big.itemCount]).to.deep.equal([943, 1695]);
    const small = generateSynthetic({ ratings: 3_000 }).ratings;
    expect(small.values.length).to.equal(3_000);
    expect(small.userCount * small.itemCount).to.be.at.least(2 * 3_000);
  });

  it('the bias baseline matches the closed form on a tiny case and refuses NaN ratings', () => {
    // One sweep: item biases from the mean, then user biases from those.
    const data = createRatingSet([0, 0, 1], [0, 1, 0], [5, 3, 1], 2, 2);
    const b = fitBiasBaseline(data, { regUser: 1, regItem: 1, sweeps: 1 });
    const mu = 3;
    const bi0 = (5 - mu + 1 - mu) / (1 + 2), bi1 = (3 - mu) / (1 + 1);
    const bu0 = (5 - mu - bi0 + 3 - mu - bi1) / (1 + 2), bu1 = (1 - mu - bi0) / (1 + 1);
    expect(b.predict(0, 0)).to.be.closeTo(mu + bu0 + bi0, 1e-12);
    expect(b.predict(1, 1)).to.be.closeTo(mu + bu1 + bi1, 1e-12);
    expect(b.predict(-1, -1)).to.equal(mu);
    expect(code(() => fitBiasBaseline({ ...data, values: Float32Array.from([1, Number.NaN, 2]) }))).to.equal('INVALID_RATING');
    expect(code(() => createRatingSet([0], [0], [Number.NaN], 1, 1))).to.equal('INVALID_RATING');
  });

  it('folds partition the data evenly; bad fold counts are refused', () => {
    const f = assignFolds(103, 5, 1);
    const sizes = [0, 1, 2, 3, 4].map((k) => f.filter((x) => x === k).length);
    expect(sizes.reduce((a, b) => a + b, 0)).to.equal(103);
    expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
    expect(code(() => assignFolds(10, 1, 1))).to.equal('INVALID_K');
    expect(code(() => assignFolds(10, 11, 1))).to.equal('INVALID_K');
  });

  it('cross-validation reports every model beside its baselines', () => {
    const s = generateSynthetic({ ratings: 4_000, users: 80, items: 100, seed: 6 });
    const folds: number[] = [];
    const r = crossValidate(s.ratings, {
      folds: 3, sgd: { factors: 4, maxEpochs: 5 }, als: { factors: 4, maxEpochs: 2 }, bpr: { factors: 4, epochs: 2 },
      userFeatures: s.userFeatures, itemFeatures: s.itemFeatures, onFold: (x) => folds.push(x.fold),
    });
    expect(folds).to.deep.equal([0, 1, 2]);
    expect(r.mean.globalMean.rmse).to.be.above(r.mean.biasOnly.rmse);
    expect(r.mean.mfSgd.rmse).to.be.a('number').and.be.above(0);
    expect(r.mean.mfAls!.rmse).to.be.above(0);
    expect(r.mean.bpr!.ndcg).to.be.within(0, 1);
    expect(r.mean.popularity!.precision).to.be.within(0, 1);
    expect(r.mean.mfSgd.predictionsPerSecond).to.be.above(0);
  });
});
