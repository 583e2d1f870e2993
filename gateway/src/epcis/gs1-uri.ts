/**
 * GS1 identifier helpers: the mod-10 check digit, EPC URIs (`urn:epc:id:…`, `urn:epc:class:…`,
 * `urn:epc:idpat:…`) to canonical GS1 Digital Link URIs, and the "constrained canonical" form
 * of a Digital Link URI the EPCIS event hash needs (domain id.gs1.org, no query string, only
 * the most fine-grained key/qualifier combination). Pure functions.
 */

/** The domain of canonical GS1 Digital Link URIs. */
export const CANONICAL_DL_ORIGIN = 'https://id.gs1.org';

/** GS1 mod-10 check digit of a string of digits (without its check digit). */
export function gs1CheckDigit(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError(`not digits: ${digits}`);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Weights 3, 1, 3, … counted from the rightmost digit.
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** True when `gtin` is 8, 12, 13 or 14 digits with a correct check digit. */
export function isValidGtin(gtin: string): boolean {
  return /^(\d{8}|\d{12,14})$/.test(gtin) && gs1CheckDigit(gtin.slice(0, -1)) === gtin.slice(-1);
}

/** True when `gln` is 13 digits with a correct check digit. */
export function isValidGln(gln: string): boolean {
  return /^\d{13}$/.test(gln) && gs1CheckDigit(gln.slice(0, -1)) === gln.slice(-1);
}

/** Percent-encode a Digital Link path value: RFC 3986 unreserved characters stay, `'` too; `!()*` are encoded. */
export function encodeDlValue(value: string): string {
  return encodeURIComponent(value).replace(/[!()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeEpcComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const withCheck = (digits: string) => digits + gs1CheckDigit(digits);
const dl = (...pairs: [string, string][]) => CANONICAL_DL_ORIGIN + pairs.map(([ai, v]) => `/${ai}/${v}`).join('');

/** Build a GTIN-14 from an EPC company prefix and indicator+item reference. */
function gtinFrom(companyPrefix: string, indicatorItem: string): string | undefined {
  if (!/^\d+$/.test(companyPrefix) || !/^\d+$/.test(indicatorItem) || companyPrefix.length + indicatorItem.length !== 13) return undefined;
  return withCheck(indicatorItem[0] + companyPrefix + indicatorItem.slice(1));
}

/**
 * The canonical GS1 Digital Link URI of an EPC URI (EPC Tag Data Standard schemes sgtin, sscc,
 * sgln, grai, giai, gsrn, gsrnp, gdti, cpi, sgcn, ginc, gsin, pgln, lgtin class, sgtin pattern),
 * or undefined when `uri` is not one of those or is malformed.
 */
export function epcUriToDigitalLink(uri: string): string | undefined {
  const m = /^urn:epc:(id|class|idpat):([a-z]+):(.+)$/.exec(uri);
  if (!m) return undefined;
  const [, kind, scheme, rest] = m as unknown as [string, string, string, string];
  const f = rest.split('.');
  const num = (s: string | undefined) => s !== undefined && /^\d*$/.test(s);
  if (kind === 'idpat') {
    if (scheme === 'sgtin' && f.length === 3 && f[2] === '*') {
      const gtin = gtinFrom(f[0]!, f[1]!);
      return gtin ? dl(['01', gtin]) : undefined;
    }
    return undefined;
  }
  if (kind === 'class') {
    if (scheme === 'lgtin' && f.length >= 3) {
      const gtin = gtinFrom(f[0]!, f[1]!);
      return gtin ? dl(['01', gtin], ['10', encodeDlValue(decodeEpcComponent(f.slice(2).join('.')))]) : undefined;
    }
    return undefined;
  }
  switch (scheme) {
    case 'sgtin': {
      if (f.length < 3) return undefined;
      const gtin = gtinFrom(f[0]!, f[1]!);
      return gtin ? dl(['01', gtin], ['21', encodeDlValue(decodeEpcComponent(f.slice(2).join('.')))]) : undefined;
    }
    case 'sscc': {
      if (f.length !== 2 || !num(f[0]) || !num(f[1]) || f[0]!.length + f[1]!.length !== 17) return undefined;
      return dl(['00', withCheck(f[1]![0] + f[0]! + f[1]!.slice(1))]);
    }
    case 'sgln': {
      if (f.length < 3 || !num(f[0]) || !num(f[1]) || f[0]!.length + f[1]!.length !== 12) return undefined;
      const gln = withCheck(f[0]! + f[1]!);
      const ext = decodeEpcComponent(f.slice(2).join('.'));
      return ext === '0' || ext === '' ? dl(['414', gln]) : dl(['414', gln], ['254', encodeDlValue(ext)]);
    }
    case 'pgln': {
      if (f.length !== 2 || !num(f[0]) || !num(f[1]) || f[0]!.length + f[1]!.length !== 12) return undefined;
      return dl(['417', withCheck(f[0]! + f[1]!)]);
    }
    case 'grai': {
      if (f.length < 3 || !num(f[0]) || !num(f[1]) || f[0]!.length + f[1]!.length !== 12) return undefined;
      return dl(['8003', '0' + withCheck(f[0]! + f[1]!) + encodeDlValue(decodeEpcComponent(f.slice(2).join('.')))]);
    }
    case 'giai': {
      if (f.length < 2 || !num(f[0])) return undefined;
      return dl(['8004', f[0]! + encodeDlValue(decodeEpcComponent(f.slice(1).join('.')))]);
    }
    case 'gsrn':
    case 'gsrnp': {
      if (f.length !== 2 || !num(f[0]) || !num(f[1]) || f[0]!.length + f[1]!.length !== 17) return undefined;
      return dl([scheme === 'gsrn' ? '8018' : '8017', withCheck(f[0]! + f[1]!)]);
    }
    case 'gdti':
    case 'sgcn': {
      if (f.length < 3 || !num(f[0]) || !num(f[1]) || f[0]!.length + f[1]!.length !== 12) return undefined;
      return dl([scheme === 'gdti' ? '253' : '255', withCheck(f[0]! + f[1]!) + encodeDlValue(decodeEpcComponent(f.slice(2).join('.')))]);
    }
    case 'gsin': {
      if (f.length !== 2 || !num(f[0]) || !num(f[1]) || f[0]!.length + f[1]!.length !== 16) return undefined;
      return dl(['402', withCheck(f[0]! + f[1]!)]);
    }
    case 'ginc': {
      if (f.length < 2 || !num(f[0])) return undefined;
      return dl(['401', f[0]! + encodeDlValue(decodeEpcComponent(f.slice(1).join('.')))]);
    }
    case 'cpi': {
      if (f.length < 3 || !num(f[0])) return undefined;
      return dl(['8010', f[0]! + encodeDlValue(decodeEpcComponent(f[1]!))], ['8011', encodeDlValue(decodeEpcComponent(f.slice(2).join('.')))]);
    }
    default:
      return undefined;
  }
}

/** Short names the Digital Link syntax allows in place of application identifiers. */
const AI_ALIASES: Readonly<Record<string, string>> = {
  gtin: '01', sscc: '00', gdti: '253', gcn: '255', ginc: '401', gsin: '402', gln: '414', party: '417', grai: '8003', giai: '8004',
  itip: '8006', cpid: '8010', gsrnp: '8017', gsrn: '8018', ser: '21', lot: '10', cpv: '22', tpx: '235', glnx: '254', cpsn: '8011',
};
/** Primary keys and the qualifiers that the constrained form keeps, most fine-grained first. */
const PRIMARY_KEYS: Readonly<Record<string, readonly string[]>> = {
  '00': [], '01': ['21', '235', '10'], '253': [], '255': [], '401': [], '402': [], '414': ['254'], '417': [], '8003': [], '8004': [],
  '8006': ['21', '10'], '8010': ['8011'], '8017': [], '8018': [],
};
const NUMERIC_KEY: Readonly<Record<string, RegExp>> = {
  '00': /^\d{18}$/, '01': /^(\d{8}|\d{12,14})$/, '414': /^\d{13}$/, '417': /^\d{13}$/, '402': /^\d{17}$/, '8017': /^\d{18}$/, '8018': /^\d{18}$/,
};

/**
 * A GS1 Digital Link URI (any domain, optional path prefix) in constrained canonical form:
 * `https://id.gs1.org`, primary key and at most one qualifier (the most fine-grained one), GTINs
 * padded to 14 digits, no query string or fragment. Undefined when `uri` is no Digital Link URI.
 */
export function constrainDigitalLink(uri: string): string | undefined {
  const m = /^https?:\/\/[^/?#]+(\/[^?#]*)?(?:[?#].*)?$/.exec(uri);
  if (!m || !m[1]) return undefined;
  const segments = m[1].split('/').filter((s) => s !== '');
  for (let i = 0; i + 1 < segments.length; i++) {
    const key = AI_ALIASES[segments[i]!] ?? segments[i]!;
    const qualifiers = PRIMARY_KEYS[key];
    if (!qualifiers) continue;
    let value = segments[i + 1]!;
    const numeric = NUMERIC_KEY[key];
    if (numeric && !numeric.test(value)) continue;
    if (key === '01') value = value.padStart(14, '0');
    const found = new Map<string, string>();
    for (let j = i + 2; j + 1 < segments.length; j += 2) found.set(AI_ALIASES[segments[j]!] ?? segments[j]!, segments[j + 1]!);
    const q = qualifiers.find((k) => found.has(k));
    return q ? dl([key, value], [q, found.get(q)!]) : dl([key, value]);
  }
  return undefined;
}
