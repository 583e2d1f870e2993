/**
 * CNC milling spindle: spindle temperature (first-order thermal lag towards a load-dependent
 * steady state), vibration RMS (fast lag towards a level that grows with speed and with the
 * square of tool flank wear), tool flank wear VB (accumulates at a rate coefficient times a
 * Taylor-like cutting intensity) and that rate coefficient (a slow random walk, so each tool's
 * wear rate is learnt from data). Measured: temperature, vibration, spindle power (which rises
 * with load and with wear: a dull tool cuts harder).
 */
import { noiseVector, type NoiseOverrides, type OperatingInput, type TwinModel } from '../model';

/** Physical parameters of the spindle model. */
export interface CncSpindleParameters {
  /** Ambient temperature, °C. */
  readonly ambient: number;
  /** Temperature rise at full load and speed, °C. */
  readonly thermalGain: number;
  /** Thermal time constant, s. */
  readonly thermalTau: number;
  /** Idle vibration, mm/s. */
  readonly vibrationIdle: number;
  /** Vibration per unit speed with a sharp tool, mm/s. */
  readonly vibrationSpeed: number;
  /** Vibration per unit speed per mm² of wear, mm/s/mm². */
  readonly vibrationWear: number;
  /** Vibration time constant, s. */
  readonly vibrationTau: number;
  /** Spindle power at idle rotation per unit speed, kW. */
  readonly powerIdle: number;
  /** Cutting power at full load with a sharp tool, kW. */
  readonly powerLoad: number;
  /** Relative power increase per mm of wear. */
  readonly powerWear: number;
}

/** Defaults: a 11 kW machining-centre spindle with a carbide end mill (VB limit 0.3 mm, ISO 8688-2). */
export const CNC_SPINDLE_DEFAULTS: CncSpindleParameters = Object.freeze({
  ambient: 22, thermalGain: 35, thermalTau: 600,
  vibrationIdle: 0.4, vibrationSpeed: 1.5, vibrationWear: 60, vibrationTau: 5,
  powerIdle: 1.2, powerLoad: 11, powerWear: 2,
});

/** Cutting intensity g(u) ≥ 0 that scales the wear rate (0 when idle). */
function cncIntensity(u: OperatingInput): number {
  const s = 0.3 + 0.7 * u.speed;
  return u.load * s * s;
}

/** The CNC spindle model, optionally with other parameters or noise covariances. */
export function cncSpindleModel(params: Partial<CncSpindleParameters> = {}, noise: NoiseOverrides = {}): TwinModel {
  const p: CncSpindleParameters = { ...CNC_SPINDLE_DEFAULTS, ...params };
  const id = 'cnc-spindle';
  return {
    id,
    version: '1.0.0',
    machineType: 'CNC milling spindle',
    stateNames: ['temperature', 'vibration', 'toolWear', 'wearRate'],
    stateUnits: ['°C', 'mm/s', 'mm', 'mm/h'],
    measurementNames: ['temperature', 'vibration', 'power'],
    measurementUnits: ['°C', 'mm/s', 'kW'],
    initialState: [p.ambient, p.vibrationIdle, 0.05, 0.02],
    initialVariance: noiseVector(id, 'initialVariance', noise.initialVariance, [4, 0.25, 4e-4, 1e-4]),
    processNoise: noiseVector(id, 'processNoise', noise.processNoise, [2e-4, 2e-3, 1e-10, 1.1e-9]),
    measurementNoise: noiseVector(id, 'measurementNoise', noise.measurementNoise, [0.25, 0.0225, 0.04]),
    measurementResolution: [0.01, 0.001, 0.01],
    wear: { state: 2, rateState: 3, limit: 0.3, unit: 'mm', maintenanceMinutes: 20, restoredTo: 0.02, jumpStd: 0.05 },
    transition(x, u, dt, out, jac) {
      const t = x[0]!, v = x[1]!, w = x[2]!, r = x[3]!;
      const a = -Math.expm1(-dt / p.thermalTau);
      const b = -Math.expm1(-dt / p.vibrationTau);
      const tss = p.ambient + p.thermalGain * u.load * (0.4 + 0.6 * u.speed);
      const vss = p.vibrationIdle + u.speed * (p.vibrationSpeed + p.vibrationWear * w * w);
      const g = (dt / 3600) * cncIntensity(u);
      out[0] = t + a * (tss - t);
      out[1] = v + b * (vss - v);
      out[2] = w + g * r;
      out[3] = r;
      if (jac) {
        jac.fill(0);
        jac[0] = 1 - a;
        jac[5] = 1 - b;
        jac[6] = b * u.speed * 2 * p.vibrationWear * w;
        jac[10] = 1;
        jac[11] = g;
        jac[15] = 1;
      }
    },
    measure(x, u, out, jac) {
      const w = x[2]!;
      out[0] = x[0]!;
      out[1] = x[1]!;
      out[2] = p.powerIdle * u.speed + p.powerLoad * u.load * (1 + p.powerWear * w);
      if (jac) {
        jac.fill(0);
        jac[0] = 1;
        jac[5] = 1;
        jac[10] = p.powerLoad * u.load * p.powerWear;
      }
    },
    constrain(x) {
      if (x[1]! < 0) x[1] = 0;
      if (x[2]! < 0) x[2] = 0;
      if (x[3]! < 0) x[3] = 0;
    },
  };
}
