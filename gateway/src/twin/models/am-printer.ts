/**
 * Fused-filament additive-manufacturing printer: nozzle temperature (fast thermal lag to its
 * set point, pulled down by the cold filament flowing through it), bed temperature (slow lag),
 * nozzle clogging (extrusion degradation 0 = healthy … 1 = blocked, accumulating with extruded
 * volume at a learnt rate) and that rate. Measured: nozzle and bed temperature, and extrusion
 * flow from the filament encoder, which falls as the nozzle clogs.
 */
import { noiseVector, type NoiseOverrides, type TwinModel } from '../model';

/** Physical parameters of the printer model. */
export interface AmPrinterParameters {
  /** Nozzle set point while printing at zero speed, °C. */
  readonly nozzleSetpoint: number;
  /** Set-point increase at full speed, °C. */
  readonly nozzleSpeedBoost: number;
  /** Nozzle standby temperature while idle, °C. */
  readonly nozzleStandby: number;
  /** Nozzle cooling by full filament flow, °C. */
  readonly flowCooling: number;
  /** Nozzle time constant, s. */
  readonly nozzleTau: number;
  readonly bedPrinting: number;
  readonly bedIdle: number;
  /** Bed time constant, s. */
  readonly bedTau: number;
  /** Volumetric flow at full load and speed with a clean nozzle, mm³/s. */
  readonly maxFlow: number;
}

/** Defaults: a PLA/PETG desktop-industrial FFF printer with a 0.4 mm nozzle. */
export const AM_PRINTER_DEFAULTS: AmPrinterParameters = Object.freeze({
  nozzleSetpoint: 200, nozzleSpeedBoost: 15, nozzleStandby: 150, flowCooling: 12, nozzleTau: 30,
  bedPrinting: 60, bedIdle: 45, bedTau: 300, maxFlow: 12,
});

/** The printer model, optionally with other parameters or noise covariances. */
export function amPrinterModel(params: Partial<AmPrinterParameters> = {}, noise: NoiseOverrides = {}): TwinModel {
  const p: AmPrinterParameters = { ...AM_PRINTER_DEFAULTS, ...params };
  const id = 'am-printer';
  return {
    id,
    version: '1.0.0',
    machineType: 'FFF additive-manufacturing printer',
    stateNames: ['nozzleTemp', 'bedTemp', 'clogging', 'cloggingRate'],
    stateUnits: ['°C', '°C', '1', '1/h'],
    measurementNames: ['nozzleTemp', 'bedTemp', 'flow'],
    measurementUnits: ['°C', '°C', 'mm³/s'],
    initialState: [p.nozzleStandby, p.bedIdle, 0.02, 0.02],
    initialVariance: noiseVector(id, 'initialVariance', noise.initialVariance, [100, 100, 1e-4, 1e-4]),
    processNoise: noiseVector(id, 'processNoise', noise.processNoise, [0.01, 2e-4, 1e-10, 2.5e-9]),
    measurementNoise: noiseVector(id, 'measurementNoise', noise.measurementNoise, [0.64, 0.09, 0.0225]),
    measurementResolution: [0.1, 0.05, 0.01],
    wear: { state: 2, rateState: 3, limit: 0.35, unit: '1', maintenanceMinutes: 45, restoredTo: 0.02, jumpStd: 0.08 },
    transition(x, u, dt, out, jac) {
      const tn = x[0]!, tb = x[1]!, c = x[2]!, d = x[3]!;
      const printing = u.load > 0;
      const a = -Math.expm1(-dt / p.nozzleTau);
      const b = -Math.expm1(-dt / p.bedTau);
      const volume = u.load * u.speed;
      const tnss = printing ? p.nozzleSetpoint + p.nozzleSpeedBoost * u.speed - p.flowCooling * volume * (1 - c) : p.nozzleStandby;
      const tbss = printing ? p.bedPrinting : p.bedIdle;
      const g = (dt / 3600) * volume;
      out[0] = tn + a * (tnss - tn);
      out[1] = tb + b * (tbss - tb);
      out[2] = c + g * d;
      out[3] = d;
      if (jac) {
        jac.fill(0);
        jac[0] = 1 - a;
        jac[2] = printing ? a * p.flowCooling * volume : 0;
        jac[5] = 1 - b;
        jac[10] = 1;
        jac[11] = g;
        jac[15] = 1;
      }
    },
    measure(x, u, out, jac) {
      const volume = u.load * u.speed;
      out[0] = x[0]!;
      out[1] = x[1]!;
      out[2] = p.maxFlow * volume * (1 - x[2]!);
      if (jac) {
        jac.fill(0);
        jac[0] = 1;
        jac[5] = 1;
        jac[10] = -p.maxFlow * volume;
      }
    },
    constrain(x) {
      if (x[2]! < 0) x[2] = 0;
      if (x[2]! > 1) x[2] = 1;
      if (x[3]! < 0) x[3] = 0;
    },
  };
}
