/**
 * How ForgeTrace records are named in EPCIS: a documented, reversible mapping between ledger ids
 * and URIs. Parts of an order with a configured GTIN are SGTINs as GS1 Digital Link URIs on the
 * consortium's resolver domain (`https://id.<domain>/01/<gtin>/21/<serial>`); everything else
 * gets a URI under `https://id.<domain>/ft/<kind>/<id>`. Pure functions over the settings.
 */
import { z } from 'zod';
import { encodeDlValue, isValidGln, isValidGtin } from './gs1-uri';

/** The namespace of ForgeTrace's EPCIS extension fields (prefix `ft`). */
export const FT_NAMESPACE = 'https://ns.forgetrace.dev/epcis/';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/);
/** EPCIS settings of a gateway. */
export const epcisSettingsSchema = z.strictObject({
  /** The consortium's domain; URIs are minted under `https://id.<domain>/`. */
  domain: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'must be a DNS name such as forgetrace.dev').default('forgetrace.dev'),
  /** GTIN (14 digits) of each order's product: its parts become SGTINs with the part's serial. One GTIN per order. */
  gtins: z.record(id, z.string().refine((g) => g.length === 14 && isValidGtin(g), 'must be a GTIN-14 with a valid check digit')).default({})
    .refine((m) => new Set(Object.values(m)).size === Object.keys(m).length, 'each order needs its own GTIN'),
  /** GLN (13 digits) of members' sites: bizLocation becomes `…/414/<gln>`. */
  glns: z.record(z.string(), z.string().refine(isValidGln, 'must be a GLN with a valid check digit')).default({}),
  /** Path of the web app's public page of a part (Digital Link HTML answers redirect there). */
  publicPagePath: z.string().regex(/^\/[A-Za-z0-9/_-]*\/$/).default('/p/'),
});
export type EpcisSettings = z.output<typeof epcisSettingsSchema>;

/**
 * Settings from `FT_EPCIS` (JSON text) in `env`, or the defaults.
 * @throws Error naming each wrong setting
 */
export function epcisSettingsFromEnv(env: NodeJS.ProcessEnv): EpcisSettings {
  let raw: unknown = {};
  if (env.FT_EPCIS) {
    try {
      raw = JSON.parse(env.FT_EPCIS);
    } catch {
      throw new Error('FT_EPCIS is not valid JSON');
    }
  }
  const r = epcisSettingsSchema.safeParse(raw);
  if (!r.success) throw new Error(`FT_EPCIS: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Kinds of ledger records that get a URI of their own. */
export type FtKind = 'part' | 'lot' | 'machine' | 'site' | 'order' | 'twin-model';

/** What a URI names, when it is one of ours. */
export type ParsedIdentifier =
  | { readonly kind: 'sgtin'; readonly gtin: string; readonly serial: string; readonly lot?: string; readonly orderId: string }
  | { readonly kind: FtKind; readonly id: string };

/** The identifier mapping of one consortium. */
export class Identifiers {
  readonly base: string;
  private readonly orderByGtin: ReadonlyMap<string, string>;

  constructor(readonly settings: EpcisSettings) {
    this.base = `https://id.${settings.domain}`;
    this.orderByGtin = new Map(Object.entries(settings.gtins).map(([orderId, gtin]) => [gtin, orderId]));
  }

  /** URI of a ForgeTrace record without a GS1 key. */
  ft(kind: FtKind, recordId: string): string {
    return `${this.base}/ft/${kind}/${encodeDlValue(recordId)}`;
  }

  /** The part's EPC: SGTIN Digital Link URI when its order has a GTIN, else `…/ft/part/<id>`. */
  part(part: { readonly id: string; readonly orderId: string; readonly serial: string }): string {
    const gtin = this.settings.gtins[part.orderId];
    return gtin ? `${this.base}/01/${gtin}/21/${encodeDlValue(part.serial)}` : this.ft('part', part.id);
  }

  /** The class URI of a material lot (quantities are given against it). */
  lot(lotId: string): string {
    return this.ft('lot', lotId);
  }

  /** readPoint of a machine. */
  machine(machineId: string): string {
    return this.ft('machine', machineId);
  }

  /** bizLocation of a member's site: its GLN when configured, else `…/ft/site/<mspId>`. */
  site(mspId: string): string {
    const gln = this.settings.glns[mspId];
    return gln ? `${this.base}/414/${gln}` : this.ft('site', mspId);
  }

  /** The order an SGTIN's GTIN belongs to. */
  orderOfGtin(gtin: string): string | undefined {
    return this.orderByGtin.get(gtin.padStart(14, '0'));
  }

  /** Reverse of the minting functions: what a URI on our domain names (undefined for others). */
  parse(uri: string): ParsedIdentifier | undefined {
    if (!uri.startsWith(`${this.base}/`)) return undefined;
    const path = uri.slice(this.base.length).split(/[?#]/)[0]!;
    const sgtin = /^\/01\/(\d{14})(?:\/10\/([^/]+))?\/21\/([^/]+)$/.exec(path);
    if (sgtin) {
      const orderId = this.orderOfGtin(sgtin[1]!);
      if (!orderId) return undefined;
      return { kind: 'sgtin', gtin: sgtin[1]!, serial: decodeURIComponent(sgtin[3]!), orderId, ...(sgtin[2] ? { lot: decodeURIComponent(sgtin[2]) } : {}) };
    }
    const ft = /^\/ft\/(part|lot|machine|site|order|twin-model)\/([^/]+)$/.exec(path);
    return ft ? { kind: ft[1] as FtKind, id: decodeURIComponent(ft[2]!) } : undefined;
  }
}
