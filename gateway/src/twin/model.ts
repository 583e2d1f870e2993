/**
 * A machine type's state-space model  x_{t+1} = F(x_t, u_t) + w_t,  y_t = H(x_t, u_t) + v_t,
 * as the filter, the simulator and the wear predictor use it. Time steps are irregular: every
 * function takes the step length `dt` in seconds. Process noise is white in continuous time
 * (`processNoise` are spectral densities per second, so Q(dt) = diag(q)·dt); measurement
 * noise is white with diagonal covariance R = diag(measurementNoise).
 */
import { TwinError } from './errors';

/** The operation being run: both in [0, 1] (fraction of rated load and of rated speed). */
export interface OperatingInput {
  readonly load: number;
  readonly speed: number;
}

/** The idle input (no operation running). */
export const IDLE: OperatingInput = Object.freeze({ load: 0, speed: 0 });

/** Where wear lives in the state and when the machine needs maintenance. */
export interface WearSpec {
  /** Index of the accumulated wear in the state vector. */
  readonly state: number;
  /** Index of the wear-rate coefficient in the state vector. */
  readonly rateState: number;
  /** Wear at which the machine must stop (tool change, nozzle service). */
  readonly limit: number;
  /** Unit of wear, for display. */
  readonly unit: string;
  /** Minutes of downtime to restore the machine once the limit is reached. */
  readonly maintenanceMinutes: number;
  /** Wear after maintenance. */
  readonly restoredTo: number;
  /**
   * Standard deviation of a sudden wear jump (chipped insert, partial clog). When an anomaly is
   * raised the twin adds its square to the wear variance, so it re-learns the wear instead of
   * alarming for hours (fault accommodation).
   */
  readonly jumpStd: number;
}

/** A machine type's model. Implementations are pure and allocation-free in `transition`/`measure`. */
export interface TwinModel {
  /** Model id recorded in snapshots (chaincode `model.id`). */
  readonly id: string;
  /** Semantic version (chaincode `model.version`). */
  readonly version: string;
  /** Human name of the machine type. */
  readonly machineType: string;
  readonly stateNames: readonly string[];
  readonly stateUnits: readonly string[];
  readonly measurementNames: readonly string[];
  readonly measurementUnits: readonly string[];
  /** Prior mean of a fresh machine. */
  readonly initialState: readonly number[];
  /** Prior variances (diagonal) of a fresh machine. */
  readonly initialVariance: readonly number[];
  /** Continuous-time process noise densities per second (diagonal); Q(dt) = diag(q)·dt. */
  readonly processNoise: readonly number[];
  /** Measurement noise variances (diagonal R). */
  readonly measurementNoise: readonly number[];
  /** Resolution at which the sensors report (0 = continuous); the simulator rounds to it. */
  readonly measurementResolution: readonly number[];
  readonly wear: WearSpec;
  /**
   * Propagate the mean over `dt` seconds under input `u`: `out = F(x, u, dt)`. When `jac` is
   * given, also write the n×n Jacobian ∂F/∂x (row-major) into it. `out` may not alias `x`.
   */
  transition(x: Float64Array, u: OperatingInput, dt: number, out: Float64Array, jac: Float64Array | null): void;
  /** Predicted measurement `out = H(x, u)`; with `jac`, the m×n Jacobian ∂H/∂x (row-major). */
  measure(x: Float64Array, u: OperatingInput, out: Float64Array, jac: Float64Array | null): void;
  /** Clamp the state into its physical domain (e.g. wear ≥ 0) after an update. */
  constrain(x: Float64Array): void;
}

/** Overrides of a model's noise covariances (the issue: "configurable covariances"). */
export interface NoiseOverrides {
  readonly processNoise?: readonly number[];
  readonly measurementNoise?: readonly number[];
  readonly initialVariance?: readonly number[];
}

/**
 * A checked copy of a noise override, or the default.
 * @throws INVALID_MODEL_PARAMETER when the override has the wrong length or a negative/non-finite entry
 */
export function noiseVector(model: string, name: string, given: readonly number[] | undefined, fallback: readonly number[]): readonly number[] {
  if (!given) return fallback;
  if (given.length !== fallback.length || given.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new TwinError('INVALID_MODEL_PARAMETER', { model, reason: `${name} must be ${fallback.length} finite numbers >= 0` });
  }
  return [...given];
}

/** Clamp an input into [0, 1.5]² (defensive: telemetry may report overrides above 100 %); the same object when already inside. */
export function clampInput(u: OperatingInput): OperatingInput {
  if (u.load >= 0 && u.load <= 1.5 && u.speed >= 0 && u.speed <= 1.5) return u;
  const c = (v: number): number => (Number.isFinite(v) ? Math.min(1.5, Math.max(0, v)) : 0);
  return { load: c(u.load), speed: c(u.speed) };
}
