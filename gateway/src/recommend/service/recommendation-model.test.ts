import { expect } from 'chai';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  buildManifest, configurationFeatures, configurationOf, CONFIGURATION_PATTERN, explainPrediction, scoreFactory, trainSide, type TrainingRow, type TrainSideOptions,
} from './recommendation-model';

const order = (name: string, material: string, processes: string[]) => ({ spec: { name, specHash: '0'.repeat(64), material, parameters: {} }, operations: processes.map((process) => ({ process })) });

/** 6 buyers × 5 configurations: buyers 0–2 like additive, 3–5 like turning (deterministic, no randomness). */
function rows(): TrainingRow[] {
  const items = ['ti6al4v|additive', 'ti6al4v|additive+milling', 'al6061|turning', 'steel_316l|turning', 'al6061|milling'];
  const out: TrainingRow[] = [];
  for (let b = 0; b < 6; b++) {
    for (const [i, item] of items.entries()) {
      if ((b + i) % 4 === 3) continue;
      const likesAdditive = b < 3, isAdditive = item.includes('additive');
      const value = likesAdditive === isAdditive ? 5 : item.includes('milling') ? 3 : 1;
      out.push({ buyer: `Org${b + 10}MSP`, item, value, source: 'feedback', ref: `e-${b}-${i}`, at: `2026-01-0${1 + (i % 9)}T00:00:00Z` });
    }
  }
  return out;
}

const options: TrainSideOptions = { seed: 3, factors: 4, buyerFeatures: () => [], itemFeatures: configurationFeatures };

describe('recommendation model helpers (pure)', () => {
  it('derives the part configuration from material and process set, not from the free-text name', () => {
    expect(configurationOf(order('Bracket rev C', 'ti6al4v', ['milling', 'additive', 'milling']))).to.equal('ti6al4v|additive+milling');
    expect(configurationOf(order('Other name', 'ti6al4v', ['additive', 'milling']))).to.equal('ti6al4v|additive+milling');
    expect(configurationFeatures('ti6al4v|additive+milling')).to.deep.equal(['material=ti6al4v', 'process=additive', 'process=milling']);
    expect(CONFIGURATION_PATTERN.test('ti6al4v|additive+milling')).to.equal(true);
    expect(CONFIGURATION_PATTERN.test('Ti|milling')).to.equal(false);
    expect(CONFIGURATION_PATTERN.test('ti6al4v|')).to.equal(false);
  });

  it('trains deterministically: row order does not matter, the data, seed and code do', () => {
    const data = rows();
    const a = trainSide(data, options)!, b = trainSide([...data].reverse(), options)!;
    expect(a.parametersHash).to.equal(b.parametersHash);
    const manifest = (side: typeof a, r: TrainingRow[], seed = 3) => buildManifest({ parts: side, factories: null, partRows: r, factoryRows: [], seed, factors: 4, fallbackTime: '2026-01-01T00:00:00Z' });
    const ma = manifest(a, data), mb = manifest(b, [...data].reverse());
    expect(ma.id).to.equal(mb.id);
    expect(ma.id).to.equal(`rm-${ma.merkleRoot.slice(2, 26)}`);
    expect(StandardMerkleTree.of(ma.leaves.map((l) => [...l]), ['string', 'bytes32']).root).to.equal(ma.merkleRoot);
    expect(ma.window).to.deep.equal({ from: '2026-01-01T00:00:00Z', to: '2026-01-05T00:00:00Z' });
    const changed = data.map((r, i) => (i === 0 ? { ...r, value: r.value === 5 ? 4 : 5 } : r));
    const mc = manifest(trainSide(changed, options)!, changed);
    expect(mc.trainingDataHash).not.to.equal(ma.trainingDataHash);
    expect(mc.id).not.to.equal(ma.id);
    const md = manifest(trainSide(data, { ...options, seed: 4 })!, data, 4);
    expect(md.codeHash).not.to.equal(ma.codeHash);
    expect(trainSide([], options)).to.equal(null);
  });

  it('learns the two taste groups, reports hold-out metrics, and explains predictions additively', () => {
    const side = trainSide(rows(), options)!;
    expect(side.metrics.ratings).to.be.at.least(20);
    expect(side.metrics.holdoutRmse).to.be.a('number');
    expect(side.metrics.holdoutBaselineRmse).to.be.a('number');
    const p = (buyer: string, item: string) => explainPrediction(side, buyer, [], item, configurationFeatures(item));
    expect(p('Org10MSP', 'ti6al4v|additive').predicted).to.be.greaterThan(p('Org10MSP', 'al6061|turning').predicted);
    expect(p('Org13MSP', 'al6061|turning').predicted).to.be.greaterThan(p('Org13MSP', 'ti6al4v|additive').predicted);
    for (const [buyer, item] of [['Org11MSP', 'al6061|milling'], ['Org99MSP', 'ti6al4v|additive'], ['Org12MSP', 'ti6al4v|additive+heat_treatment']] as const) {
      const x = p(buyer, item);
      expect(x.predicted).to.be.closeTo(Math.min(5, Math.max(1, x.globalMean + x.buyerBias + x.itemBias + x.interaction)), 1e-9);
    }
    // An unknown buyer without features: no buyer bias, no interaction (popularity only).
    expect(p('Org99MSP', 'ti6al4v|additive')).to.include({ buyerBias: 0, interaction: 0 });
  });

  it('scores a factory as the product of its factors and names the most limiting first', () => {
    const s = scoreFactory({
      predictedSatisfaction: 4, satisfactionBasis: 'test', operationsCovered: 1, operations: 2, capableMachines: 2, activeJobs: 2,
      health: [{ machineId: 'M1', healthIndex: 0.8 }, { machineId: 'M2', healthIndex: undefined }], unknownHealth: 0.6,
    });
    const v = Object.fromEntries(s.factors.map((f) => [f.factor, f.value]));
    expect(v).to.deep.equal({ satisfaction: 0.8, capability: 0.5, load: 0.5, health: 0.7 });
    expect(s.score).to.be.closeTo(0.8 * 0.5 * 0.5 * 0.7, 1e-6);
    expect(s.topFactors).to.deep.equal(['capability', 'load', 'health', 'satisfaction']);
    expect(s.summary).to.match(/^score 0\.140, limited mainly by capability \(1 of 2 operations/);
    expect(s.factors.find((f) => f.factor === 'health')!.detail).to.equal('mean health 0.70: M1 0.80, M2 no twin snapshot (assumed 0.6)');
    const perfect = scoreFactory({ predictedSatisfaction: 5, satisfactionBasis: 'test', operationsCovered: 1, operations: 1, capableMachines: 1, activeJobs: 0, health: [{ machineId: 'M', healthIndex: 1 }], unknownHealth: 0.9 });
    expect(perfect).to.include({ score: 1, summary: 'score 1.000: nothing limits it' });
  });
});
