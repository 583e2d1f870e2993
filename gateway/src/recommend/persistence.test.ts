import { expect } from 'chai';
import { trainBpr } from './bpr';
import { RecommendError } from './errors';
import { BiasedMf, trainMfSgd } from './mf';
import { deserializeModel, serializeModel } from './persistence';
import { generateSynthetic } from './synthetic';

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (e instanceof RecommendError) return e.code; throw e; }
  return 'no error';
};

describe('recommend/persistence', () => {
  const synth = generateSynthetic({ ratings: 2_000, users: 60, items: 80, seed: 9 });
  const features = { userFeatures: synth.userFeatures, itemFeatures: synth.itemFeatures };

  it('round-trips biased MF with identical predictions, including the cold-start path', () => {
    const model = trainMfSgd(synth.ratings, { ...features, factors: 6, maxEpochs: 5, seed: 2 });
    const text = serializeModel({ model, userIds: synth.userIds, itemIds: synth.itemIds });
    const back = deserializeModel(text);
    expect(back.model).to.be.instanceOf(BiasedMf);
    expect(back.userIds).to.deep.equal(synth.userIds);
    const m = back.model as BiasedMf;
    const { users, items } = synth.ratings;
    expect([...m.predictMany(users, items)]).to.deep.equal([...model.predictMany(users, items)]);
    expect(m.predict({ features: ['industry=medical'] }, { features: ['category=gear', 'material=PEEK'] }))
      .to.equal(model.predict({ features: ['industry=medical'] }, { features: ['category=gear', 'material=PEEK'] }));
    expect(serializeModel({ model: m, userIds: synth.userIds, itemIds: synth.itemIds })).to.equal(text);
  });

  it('round-trips BPR with identical scores', () => {
    const model = trainBpr(synth.ratings, { ...features, factors: 6, epochs: 2, seed: 2 });
    const back = deserializeModel(serializeModel({ model })).model;
    expect([...back.scoreItems(3)]).to.deep.equal([...model.scoreItems(3)]);
    expect([...back.scoreItems(-1)]).to.deep.equal([...model.scoreItems(-1)]);
  });

  it('refuses edited, foreign and newer files', () => {
    const model = trainMfSgd(synth.ratings, { factors: 2, maxEpochs: 1 });
    const doc = JSON.parse(serializeModel({ model }));
    expect(code(() => deserializeModel(JSON.stringify({ ...doc, mu: doc.mu + 0.1 })))).to.equal('MODEL_CORRUPTED');
    expect(code(() => deserializeModel(JSON.stringify({ ...doc, version: 2 })))).to.equal('MODEL_VERSION');
    expect(code(() => deserializeModel('{"hello":1}'))).to.equal('MODEL_FORMAT');
    expect(code(() => deserializeModel('not json'))).to.equal('MODEL_FORMAT');
  });
});
