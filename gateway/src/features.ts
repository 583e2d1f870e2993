/**
 * The feature modules every gateway runs, wired in one place (STYLE: feature folders, one
 * wiring point): `npm start`'s demo gateways and `run.js` both use this.
 */
import type { ApiExtension } from './api/openapi';
import type { ExtensionContext } from './main';
import { scheduleApi } from './scheduling/service/schedule-api';
import { ScheduleService } from './scheduling/service/schedule-service';

/** The standard extensions for a gateway. */
export function standardFeatures(context: ExtensionContext): ApiExtension[] {
  return [scheduleApi(new ScheduleService({ store: context.store, ledger: context.ledger }))];
}
