/** The machine types the gateway knows, by model id. */
import { TwinError } from '../errors';
import type { TwinModel } from '../model';
import { amPrinterModel } from './am-printer';
import { cncSpindleModel } from './cnc-spindle';

export { amPrinterModel, AM_PRINTER_DEFAULTS, type AmPrinterParameters } from './am-printer';
export { cncSpindleModel, CNC_SPINDLE_DEFAULTS, type CncSpindleParameters } from './cnc-spindle';
export { linearModel, type LinearModelSpec } from './linear';

const FACTORIES: Readonly<Record<string, () => TwinModel>> = {
  'cnc-spindle': () => cncSpindleModel(),
  'am-printer': () => amPrinterModel(),
};

/** Ids of the built-in models. */
export const MODEL_IDS = Object.keys(FACTORIES);

/**
 * The built-in model with this id, default parameters.
 * @throws UNKNOWN_MODEL
 */
export function modelById(id: string): TwinModel {
  const f = FACTORIES[id];
  if (!f) throw new TwinError('UNKNOWN_MODEL', { model: id, known: MODEL_IDS.join(', ') });
  return f();
}
