import { expect } from 'chai';
import { fitPopularity } from './baselines';
import { trainBpr } from './bpr';
import { RecommendError } from './errors';
import { rankingEvaluation } from './evaluation';
import { Rng } from '../common/rng';
import { assignFolds, foldSplit } from './split';
import { generateSynthetic } from './synthetic';
import { createRatingSet } from './ratings';

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof RecommendError) return e.code; throw e; }
  return 'no error';
};

describe('recommend/bpr', () => {
  it('learns taste beyond popularity: two user groups that each take one half of the items', () => {
    // Users 0..59 take items 0..29, users 60..119 items 30..59, with equal popularity: popularity cannot tell them apart.
    const rng = new Rng(4);
    const users: number[] = [], items: number[] = [];
    for (let u = 0; u < 120; u++) {
      const base = u < 60 ? 0 : 30;
      for (let t = 0; t < 12; t++) { users.push(u); items.push(base + rng.int(30)); }
    }
    const data = createRatingSet(users, items, users.map(() => 1), 120, 60);
    const { train, test } = foldSplit(data, assignFolds(users.length, 4, 1), 0);
    const model = trainBpr(train, { factors: 8, epochs: 30, seed: 3 });
    const pop = fitPopularity(train);
    const r = rankingEvaluation(train, test, 10, [(u, out) => pop.scoreItems(out), (u, out) => model.scoreItems(u, out)]);
    expect(r.scores[1]!.ndcg).to.be.above(r.scores[0]!.ndcg * 1.3);
    expect(r.scores[1]!.precision).to.be.above(0.1); // random within the right half ≈ 0.15, over all items ≈ 0.06
  });

  it('ranks synthetic buyer × part data far better than chance, and is deterministic for a seed', () => {
    const synth = generateSynthetic({ ratings: 8_000, users: 200, items: 150, seed: 2 });
    const { train, test } = foldSplit(synth.ratings, assignFolds(8_000, 5, 2), 0);
    const a = trainBpr(train, { seed: 8 });
    const b = trainBpr(train, { seed: 8 });
    expect([...a.scoreItems(5)]).to.deep.equal([...b.scoreItems(5)]);
    const noise = new Rng(1);
    const r = rankingEvaluation(train, test, 10, [(u, out) => out.map(() => noise.next()), (u, out) => a.scoreItems(u, out)]);
    expect(r.scores[1]!.ndcg).to.be.above(r.scores[0]!.ndcg * 2);
  });

  it('falls back to popularity for a user with neither interactions nor features; bad input refused', () => {
    const data = createRatingSet([0, 0, 1, 2], [0, 1, 1, 1], [1, 1, 1, 1], 4, 3);
    const model = trainBpr(data, { factors: 2, epochs: 2 });
    expect([...model.recommend(-1, 2)]).to.deep.equal([1, 0]);
    expect([...model.recommend(3, 3)]).to.deep.equal([1, 0, 2]);
    expect(code(() => model.recommend(0, 0))).to.equal('INVALID_K');
    expect(code(() => model.recommend(0, 4))).to.equal('INVALID_K');
    expect(code(() => model.recommend(9, 1))).to.equal('INDEX_OUT_OF_RANGE');
    expect(code(() => trainBpr(createRatingSet([], [], [], 1, 1)))).to.equal('PARSE_EMPTY');
  });
});
