import { expect } from 'chai';
import { chiSquareCdf, chiSquareQuantile } from './chi-square';
import { ExtendedKalmanFilter } from './ekf';
import { TwinError } from './errors';
import { IDLE } from './model';
import { cncSpindleModel, linearModel, modelById } from './models';

const randomWalk = (q = 1, r = 1) => linearModel({ a: [[0]], c: [[1]], processNoise: [q], measurementNoise: [r], initialState: [0], initialVariance: [1] });

describe('twin: chi-square', () => {
  it('matches table quantiles', () => {
    expect(chiSquareQuantile(0.95, 1)).to.be.closeTo(3.8415, 1e-3);
    expect(chiSquareQuantile(0.99, 3)).to.be.closeTo(11.3449, 1e-3);
    expect(chiSquareQuantile(0.9999, 3)).to.be.closeTo(21.1075, 1e-3);
    expect(chiSquareQuantile(0.005, 60)).to.be.closeTo(35.5345, 1e-3);
    expect(chiSquareCdf(chiSquareQuantile(0.3, 7), 7)).to.be.closeTo(0.3, 1e-9);
  });
  it('rejects impossible probabilities', () => {
    expect(() => chiSquareQuantile(1, 3)).to.throw(RangeError);
    expect(() => chiSquareQuantile(0.5, 0)).to.throw(RangeError);
  });
});

describe('twin: extended Kalman filter', () => {
  it('matches the hand-computed scalar random walk (q = r = P0 = 1)', () => {
    const f = new ExtendedKalmanFilter(randomWalk());
    // step 1: P⁻ = 1 + 1 = 2, S = 3, K = 2/3, x = 2/3·1, P = (1 − 2/3)² · 2 + (2/3)² · 1 = 2/3, NIS = 1/3
    f.predict(IDLE, 1);
    expect(f.p[0]).to.be.closeTo(2, 1e-12);
    let r = f.update([1], IDLE);
    expect(f.x[0]).to.be.closeTo(2 / 3, 1e-12);
    expect(f.p[0]).to.be.closeTo(2 / 3, 1e-12);
    expect(r.nis).to.be.closeTo(1 / 3, 1e-12);
    expect(r.dof).to.equal(1);
    // step 2 (dt = 1, y = 2): P⁻ = 5/3, S = 8/3, K = 5/8, x = 2/3 + 5/8·(4/3) = 3/2, P = 5/8, NIS = (4/3)²/(8/3) = 2/3
    f.predict(IDLE, 1);
    r = f.update([2], IDLE);
    expect(f.x[0]).to.be.closeTo(1.5, 1e-12);
    expect(f.p[0]).to.be.closeTo(5 / 8, 1e-12);
    expect(r.nis).to.be.closeTo(2 / 3, 1e-12);
    // irregular step: dt = 0.25 s adds q·dt = 0.25
    f.predict(IDLE, 0.25);
    expect(f.p[0]).to.be.closeTo(5 / 8 + 0.25, 1e-12);
    f.predict(IDLE, 0);
    expect(f.p[0]).to.be.closeTo(5 / 8 + 0.25, 1e-12);
  });

  it('equals the batch update for two correlated channels (constant velocity, position + velocity sensors)', () => {
    const model = linearModel({ a: [[0, 1], [0, 0]], c: [[1, 0], [1, 1]], processNoise: [0.1, 0.2], measurementNoise: [0.5, 2], initialState: [1, -1], initialVariance: [3, 2] });
    const f = new ExtendedKalmanFilter(model);
    f.predict(IDLE, 2);
    // prior by hand: F = [[1,2],[0,1]]; x⁻ = [1 − 2, −1] = [−1, −1]; P⁻ = F P Fᵀ + Q·2 = [[3+8+0.2, 4], [4, 2+0.4]]
    expect(Array.from(f.x)).to.deep.equal([-1, -1]);
    const P = [[11.2, 4], [4, 2.4]];
    P.flat().forEach((v, i) => expect(f.p[i]).to.be.closeTo(v, 1e-12));
    const y = [0.5, -1.5];
    // batch: S = H P Hᵀ + R, K = P Hᵀ S⁻¹ with H = [[1,0],[1,1]]
    const H = [[1, 0], [1, 1]];
    const R = [0.5, 2];
    const PHt = [0, 1].map((i) => [0, 1].map((j) => P[i]![0]! * H[j]![0]! + P[i]![1]! * H[j]![1]!));
    const S = [0, 1].map((i) => [0, 1].map((j) => H[i]![0]! * PHt[0]![j]! + H[i]![1]! * PHt[1]![j]! + (i === j ? R[i]! : 0)));
    const det = S[0]![0]! * S[1]![1]! - S[0]![1]! * S[1]![0]!;
    const Si = [[S[1]![1]! / det, -S[0]![1]! / det], [-S[1]![0]! / det, S[0]![0]! / det]];
    const K = [0, 1].map((i) => [0, 1].map((j) => PHt[i]![0]! * Si[0]![j]! + PHt[i]![1]! * Si[1]![j]!));
    const nu = [y[0]! - -1, y[1]! - -2];
    const x = [0, 1].map((i) => [-1, -1][i]! + K[i]![0]! * nu[0]! + K[i]![1]! * nu[1]!);
    const nis = nu[0]! * (Si[0]![0]! * nu[0]! + Si[0]![1]! * nu[1]!) + nu[1]! * (Si[1]![0]! * nu[0]! + Si[1]![1]! * nu[1]!);
    // P⁺ = (I − K H) P⁻
    const IKH = [0, 1].map((i) => [0, 1].map((j) => (i === j ? 1 : 0) - (K[i]![0]! * H[0]![j]! + K[i]![1]! * H[1]![j]!)));
    const Pp = [0, 1].map((i) => [0, 1].map((j) => IKH[i]![0]! * P[0]![j]! + IKH[i]![1]! * P[1]![j]!));
    const r = f.update(y, IDLE);
    expect(f.x[0]).to.be.closeTo(x[0]!, 1e-10);
    expect(f.x[1]).to.be.closeTo(x[1]!, 1e-10);
    expect(r.nis).to.be.closeTo(nis, 1e-10);
    expect(r.dof).to.equal(2);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(f.p[i * 2 + j]).to.be.closeTo(Pp[i]![j]!, 1e-10);
  });

  it('skips missing channels (NaN) and counts the degrees of freedom present', () => {
    const model = linearModel({ a: [[0, 0], [0, 0]], c: [[1, 0], [0, 1]], processNoise: [0, 0], measurementNoise: [1, 1], initialState: [0, 0], initialVariance: [1, 1] });
    const f = new ExtendedKalmanFilter(model);
    const r = f.update([Number.NaN, 4], IDLE);
    expect(r.dof).to.equal(1);
    expect(Number.isNaN(r.z[0]!)).to.equal(true);
    expect(f.x[0]).to.equal(0);
    expect(f.p[0]).to.equal(1);
    expect(f.x[1]).to.be.closeTo(2, 1e-12);
    const none = f.update([Number.NaN, Number.NaN], IDLE);
    expect(none.dof).to.equal(0);
    expect(none.nis).to.equal(0);
  });

  it('keeps the covariance symmetric and positive under near-perfect sensors (Joseph form)', () => {
    const model = cncSpindleModel({}, { measurementNoise: [1e-14, 1e-14, 1e-14] });
    const f = new ExtendedKalmanFilter(model);
    const u = { load: 0.7, speed: 0.8 };
    for (let i = 0; i < 2000; i++) {
      f.predict(u, 2);
      const y = new Float64Array(3);
      f.measurement(u, y);
      f.update([y[0]! + 1e-7, y[1]! - 1e-7, y[2]!], u);
    }
    for (let i = 0; i < 4; i++) {
      expect(f.p[i * 4 + i]).to.be.at.least(0);
      for (let j = 0; j < 4; j++) expect(f.p[i * 4 + j]).to.equal(f.p[j * 4 + i]);
    }
    expect(Array.from(f.x).every(Number.isFinite)).to.equal(true);
  });

  it('refuses a non-positive innovation variance with NOT_POSITIVE_DEFINITE', () => {
    const model = linearModel({ a: [[0]], c: [[1]], processNoise: [0], measurementNoise: [0], initialState: [0], initialVariance: [0] });
    const f = new ExtendedKalmanFilter(model, 'M-1');
    try {
      f.update([1], IDLE);
      expect.fail('no error');
    } catch (e) {
      expect(e).to.be.instanceOf(TwinError);
      expect((e as TwinError).code).to.equal('NOT_POSITIVE_DEFINITE');
      expect((e as TwinError).details.machineId).to.equal('M-1');
    }
  });

  it('validates models and noise overrides by code', () => {
    expect(() => modelById('lathe')).to.throw(TwinError).with.property('code', 'UNKNOWN_MODEL');
    expect(() => cncSpindleModel({}, { processNoise: [1, 2] })).to.throw(TwinError).with.property('code', 'INVALID_MODEL_PARAMETER');
    expect(() => linearModel({ a: [[0]], c: [[1, 0]], processNoise: [0], measurementNoise: [1], initialState: [0], initialVariance: [1] })).to.throw(TwinError).with.property('code', 'INVALID_MODEL_PARAMETER');
  });
});
