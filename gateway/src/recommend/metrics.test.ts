import { expect } from 'chai';
import { RecommendError } from './errors';
import { mae, ndcgAtK, precisionAtK, recallAtK, rmse, topK } from './metrics';

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof RecommendError) return e.code; throw e; }
  return 'no error';
};

describe('recommend/metrics', () => {
  it('RMSE and MAE match hand-computed values', () => {
    // errors 1, -2, 0, 1: squares 1+4+0+1 = 6 → sqrt(6/4); absolute 1+2+0+1 = 4 → 1
    expect(rmse([2, 1, 3, 5], [1, 3, 3, 4])).to.be.closeTo(Math.sqrt(1.5), 1e-12);
    expect(mae([2, 1, 3, 5], [1, 3, 3, 4])).to.equal(1);
  });

  it('precision, recall and NDCG at k match hand-computed values', () => {
    const ranked = [7, 3, 9, 1, 5];
    const relevant = new Set([3, 5, 8]);
    // hits at ranks 2 and 5
    expect(precisionAtK(ranked, relevant, 5)).to.equal(2 / 5);
    expect(recallAtK(ranked, relevant, 5)).to.equal(2 / 3);
    expect(precisionAtK(ranked, relevant, 2)).to.equal(1 / 2);
    expect(recallAtK(ranked, relevant, 1)).to.equal(0);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(6);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAtK(ranked, relevant, 5)).to.be.closeTo(dcg / idcg, 1e-12);
    // k = 2: one hit at rank 2, ideal has two hits
    expect(ndcgAtK(ranked, relevant, 2)).to.be.closeTo((1 / Math.log2(3)) / (1 + 1 / Math.log2(3)), 1e-12);
    expect(ndcgAtK([3, 5, 8], relevant, 3)).to.equal(1);
    expect(ndcgAtK(ranked, new Set(), 3)).to.equal(0);
    // fewer than k ranked: precision still divides by k
    expect(precisionAtK([3], relevant, 10)).to.equal(0.1);
  });

  it('topK returns the best k, best first, skipping excluded items', () => {
    const scores = [0.1, 0.9, 0.5, 0.9, 0.3, 0.7];
    expect([...topK(scores, 3)]).to.deep.equal([1, 3, 5]);
    expect([...topK(scores, 3, new Set([1]))]).to.deep.equal([3, 5, 2]);
    expect([...topK(scores, 6, new Set([0, 1, 2, 3, 4]))]).to.deep.equal([5]);
  });

  it('rejects k out of range and bad inputs with codes', () => {
    expect(code(() => precisionAtK([1], new Set([1]), 0))).to.equal('INVALID_K');
    expect(code(() => ndcgAtK([1], new Set([1]), 2.5))).to.equal('INVALID_K');
    expect(code(() => recallAtK([1], new Set([1]), -1))).to.equal('INVALID_K');
    expect(code(() => topK([1, 2], 3))).to.equal('INVALID_K');
    expect(code(() => rmse([1, Number.NaN], [1, 2]))).to.equal('INVALID_RATING');
    expect(code(() => mae([], []))).to.equal('INVALID_OPTION');
  });
});
