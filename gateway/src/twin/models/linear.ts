/**
 * A linear time-invariant model  x' = (I + A·dt) x,  y = C x  with Q = diag(q)·dt — exact for
 * random-walk and constant-velocity kinematics (A nilpotent). Used by tests that check the
 * filter against hand-computed numbers, and as a template for simple machine types.
 */
import { TwinError } from '../errors';
import type { TwinModel } from '../model';

/** Matrices of a linear model (row-major nested arrays). */
export interface LinearModelSpec {
  readonly id?: string;
  /** n×n continuous-time dynamics (used as F = I + A·dt). */
  readonly a: readonly (readonly number[])[];
  /** m×n measurement matrix. */
  readonly c: readonly (readonly number[])[];
  readonly processNoise: readonly number[];
  readonly measurementNoise: readonly number[];
  readonly initialState: readonly number[];
  readonly initialVariance: readonly number[];
}

/**
 * Build a linear model; wear is taken to be state 0 with rate state `min(1, n-1)`.
 * @throws INVALID_MODEL_PARAMETER when dimensions disagree
 */
export function linearModel(spec: LinearModelSpec): TwinModel {
  const n = spec.initialState.length;
  const m = spec.c.length;
  const id = spec.id ?? 'linear';
  const bad = (reason: string): never => { throw new TwinError('INVALID_MODEL_PARAMETER', { model: id, reason }); };
  if (spec.a.length !== n || spec.a.some((r) => r.length !== n)) bad(`a must be ${n}×${n}`);
  if (m === 0 || spec.c.some((r) => r.length !== n)) bad(`c must be m×${n} with m ≥ 1`);
  if (spec.processNoise.length !== n || spec.initialVariance.length !== n) bad(`processNoise and initialVariance need ${n} entries`);
  if (spec.measurementNoise.length !== m) bad(`measurementNoise needs ${m} entries`);
  const a = Float64Array.from(spec.a.flat());
  const c = Float64Array.from(spec.c.flat());
  return {
    id,
    version: '1.0.0',
    machineType: 'linear',
    stateNames: spec.initialState.map((_, i) => `x${i}`),
    stateUnits: spec.initialState.map(() => '1'),
    measurementNames: spec.c.map((_, i) => `y${i}`),
    measurementUnits: spec.c.map(() => '1'),
    initialState: [...spec.initialState],
    initialVariance: [...spec.initialVariance],
    processNoise: [...spec.processNoise],
    measurementNoise: [...spec.measurementNoise],
    measurementResolution: spec.c.map(() => 0),
    wear: { state: 0, rateState: Math.min(1, n - 1), limit: 1, unit: '1', maintenanceMinutes: 0, restoredTo: 0, jumpStd: 0 },
    transition(x, _u, dt, out, jac) {
      for (let i = 0; i < n; i++) {
        let s = x[i]!;
        for (let j = 0; j < n; j++) s += a[i * n + j]! * dt * x[j]!;
        out[i] = s;
        if (jac) for (let j = 0; j < n; j++) jac[i * n + j] = (i === j ? 1 : 0) + a[i * n + j]! * dt;
      }
    },
    measure(x, _u, out, jac) {
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += c[i * n + j]! * x[j]!;
        out[i] = s;
        if (jac) for (let j = 0; j < n; j++) jac[i * n + j] = c[i * n + j]!;
      }
    },
    constrain() { /* unconstrained */ },
  };
}
