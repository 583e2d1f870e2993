/**
 * An extended Kalman filter over a {@link TwinModel}, allocation-free per step (typed arrays,
 * preallocated scratch). Measurements are processed one channel at a time (R is diagonal),
 * linearised once at the predicted state, so the result equals the batch EKF update; each
 * scalar update uses the Joseph form  P ← (I − k h) P (I − k h)ᵀ + r k kᵀ,  which keeps P
 * symmetric positive semi-definite whatever rounding does to k. Missing channels (NaN) are
 * skipped; the normalised innovation squared (NIS) and its degrees of freedom are returned.
 */
import { TwinError } from './errors';
import type { OperatingInput, TwinModel } from './model';

/** What one {@link ExtendedKalmanFilter.update} produced (reused between calls: copy what you keep). */
export interface UpdateResult {
  /** Normalised innovation squared νᵀ S⁻¹ ν over the channels present. */
  nis: number;
  /** Channels present (χ² degrees of freedom of the NIS). */
  dof: number;
  /** Per channel: whitened sequential innovation ν_i/√s_i (NaN when missing). */
  readonly z: Float64Array;
}

interface Scratch {
  readonly xt: Float64Array;
  readonly f: Float64Array;
  readonly tmp: Float64Array;
  readonly a: Float64Array;
  readonly hx: Float64Array;
  readonly hj: Float64Array;
  readonly xPrior: Float64Array;
  readonly b: Float64Array;
  readonly k: Float64Array;
}

const SCRATCH = new Map<string, Scratch>();

function scratchFor(n: number, m: number): Scratch {
  const key = `${n}x${m}`;
  let s = SCRATCH.get(key);
  if (!s) {
    const buf = new Float64Array(n + 3 * n * n + m + m * n + 3 * n);
    let o = 0;
    const view = (len: number): Float64Array => buf.subarray(o, (o += len));
    s = { xt: view(n), f: view(n * n), tmp: view(n * n), a: view(n * n), hx: view(m), hj: view(m * n), xPrior: view(n), b: view(n), k: view(n) };
    SCRATCH.set(key, s);
  }
  return s;
}

/** A Kalman filter over one machine's model. */
export class ExtendedKalmanFilter {
  readonly n: number;
  readonly m: number;
  /** Current mean (read it; write through {@link setState}). */
  readonly x: Float64Array;
  /** Current covariance, n×n row-major. */
  readonly p: Float64Array;
  private readonly q: Float64Array;
  private readonly r: Float64Array;
  private readonly xt: Float64Array;
  private readonly f: Float64Array;
  private readonly tmp: Float64Array;
  private readonly a: Float64Array;
  private readonly hx: Float64Array;
  private readonly hj: Float64Array;
  private readonly xPrior: Float64Array;
  private readonly b: Float64Array;
  private readonly k: Float64Array;
  private readonly result: UpdateResult;
  private readonly label: string;

  /** @param label - name used in error details (the machine id). */
  constructor(readonly model: TwinModel, label = model.id) {
    const n = (this.n = model.initialState.length);
    const m = (this.m = model.measurementNames.length);
    this.label = label;
    // the filter's own numbers live in one buffer (a fleet of filters stays cache-friendly);
    // scratch space is shared by all filters of the same size (single-threaded, never re-entered)
    const own = new Float64Array(n + n * n + n + m + m);
    let o = 0;
    const view = (len: number): Float64Array => own.subarray(o, (o += len));
    this.x = view(n);
    this.x.set(model.initialState);
    this.p = view(n * n);
    for (let i = 0; i < n; i++) this.p[i * n + i] = model.initialVariance[i]!;
    this.q = view(n);
    this.q.set(model.processNoise);
    this.r = view(m);
    this.r.set(model.measurementNoise);
    this.result = { nis: 0, dof: 0, z: view(m) };
    const s = scratchFor(n, m);
    this.xt = s.xt;
    this.f = s.f;
    this.tmp = s.tmp;
    this.a = s.a;
    this.hx = s.hx;
    this.hj = s.hj;
    this.xPrior = s.xPrior;
    this.b = s.b;
    this.k = s.k;
  }

  /** Replace mean and covariance (e.g. restore a checkpoint). */
  setState(x: ArrayLike<number>, p: ArrayLike<number>): void {
    this.x.set(x);
    this.p.set(p);
  }

  /**
   * Time update over `dt` seconds under input `u`: x ← F(x,u), P ← F P Fᵀ + diag(q)·dt.
   * `dt` = 0 is a no-op.
   */
  predict(u: OperatingInput, dt: number): void {
    if (!(dt > 0)) return;
    const { n, x, p, xt, f, tmp, q } = this;
    this.model.transition(x, u, dt, xt, f);
    x.set(xt);
    // tmp = F P
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < n; l++) s += f[i * n + l]! * p[l * n + j]!;
        tmp[i * n + j] = s;
      }
    }
    // P = tmp Fᵀ + Q, symmetrised
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let l = 0; l < n; l++) s += tmp[i * n + l]! * f[j * n + l]!;
        if (i === j) {
          p[i * n + i] = s + q[i]! * dt;
        } else {
          p[i * n + j] = s;
          p[j * n + i] = s;
        }
      }
    }
  }

  /**
   * Add `scale`·d dᵀ to the covariance (extra uncertainty of known shape, e.g. from not knowing
   * when within a sampling interval the input changed).
   */
  addOuter(d: ArrayLike<number>, scale: number): void {
    const { n, p } = this;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) p[i * n + j] = p[i * n + j]! + scale * d[i]! * d[j]!;
  }

  /** F(x, u, dt) of the current mean, written into `out` (no covariance change). */
  propagateMean(u: OperatingInput, dt: number, out: Float64Array): Float64Array {
    this.model.transition(this.x, u, dt, out, null);
    return out;
  }

  /**
   * Measurement update with `y` (NaN = channel missing) under input `u`.
   * @throws NOT_POSITIVE_DEFINITE when an innovation variance is not positive
   */
  update(y: ArrayLike<number>, u: OperatingInput): UpdateResult {
    const { n, m, x, p, hx, hj, xPrior, b, k, a, tmp, r, result } = this;
    this.model.measure(x, u, hx, hj);
    xPrior.set(x);
    result.nis = 0;
    result.dof = 0;
    for (let i = 0; i < m; i++) {
      const yi = y[i]!;
      if (Number.isNaN(yi)) {
        result.z[i] = Number.NaN;
        continue;
      }
      const row = i * n;
      // innovation against the fixed linearisation at the prior
      let nu = yi - hx[i]!;
      for (let j = 0; j < n; j++) nu -= hj[row + j]! * (x[j]! - xPrior[j]!);
      // b = P hᵀ, s = h b + r
      let s = r[i]!;
      for (let j = 0; j < n; j++) {
        let t = 0;
        for (let l = 0; l < n; l++) t += p[j * n + l]! * hj[row + l]!;
        b[j] = t;
        s += hj[row + j]! * t;
      }
      if (!(s > 0) || !Number.isFinite(s)) throw new TwinError('NOT_POSITIVE_DEFINITE', { machineId: this.label, where: `innovation variance of ${this.model.measurementNames[i]} is ${s}` });
      for (let j = 0; j < n; j++) {
        k[j] = b[j]! / s;
        x[j] = x[j]! + k[j]! * nu;
      }
      // Joseph form P ← (I − k h) P (I − k h)ᵀ + r k kᵀ, multiplied out by associativity in O(n²):
      // T = (I − k h) P = P − k bᵀ (P symmetric, so h P = bᵀ); c = T hᵀ; P ← T − c kᵀ + r k kᵀ
      for (let j = 0; j < n; j++) {
        let cj = 0;
        for (let l = 0; l < n; l++) {
          const t = p[j * n + l]! - k[j]! * b[l]!;
          tmp[j * n + l] = t;
          cj += t * hj[row + l]!;
        }
        a[j] = cj;
      }
      const ri = r[i]!;
      for (let j = 0; j < n; j++) {
        for (let l = j; l < n; l++) {
          const t = tmp[j * n + l]! - a[j]! * k[l]! + ri * k[j]! * k[l]!;
          p[j * n + l] = t;
          p[l * n + j] = t;
        }
      }
      result.nis += (nu * nu) / s;
      result.dof++;
      result.z[i] = nu / Math.sqrt(s);
    }
    this.model.constrain(x);
    return result;
  }

  /** Predicted measurement H(x, u) of the current mean, written into `out` (length m). */
  measurement(u: OperatingInput, out: Float64Array): Float64Array {
    this.model.measure(this.x, u, out, null);
    return out;
  }
}
