/**
 * The EPCIS feature of a gateway, wired from its extension context: identifier settings from the
 * configuration's `epcis` section, or `FT_EPCIS` (JSON, see identifiers.ts) when set; the event
 * store in the anchoring outbox's SQLite file.
 */
import type { ApiExtension } from '../api/openapi';
import type { ExtensionContext } from '../main';
import { epcisApi } from './epcis-api';
import { EpcisStore } from './epcis-store';
import { Identifiers, epcisSettingsFromEnv } from './identifiers';

/**
 * The EPCIS routes of a gateway; closing the extension closes its event store.
 * @throws Error when FT_EPCIS is not valid settings
 */
export function epcisFeature(context: ExtensionContext, env: NodeJS.ProcessEnv = process.env): ApiExtension {
  const identifiers = new Identifiers(env.FT_EPCIS ? epcisSettingsFromEnv(env) : context.config.epcis);
  const epcis = EpcisStore.open({ filename: context.config.anchoring.sqlitePath, outbox: context.outbox });
  const api = epcisApi({ store: context.store, ledger: context.ledger, outbox: context.outbox, epcis, identifiers, logger: context.logger.child({ component: 'epcis' }) });
  return { ...api, async close() { epcis.close(); } };
}
