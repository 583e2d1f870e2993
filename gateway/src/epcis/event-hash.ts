/**
 * The EPCIS event hash ID of CBV 2.0 ("EPCIS Event Hash ID", `ni:///sha-256;…?ver=CBV2.0`):
 * a syntax-independent fingerprint of one EPCIS event. The event is turned into a pre-hash
 * string (fields in canonical order, values normalised, list children sorted), which is
 * hashed with SHA-256 and wrapped in an RFC 6920 `ni` URI. Pure functions.
 *
 * Written from the rules of CBV 2.0; where they leave details open it does what the GS1 reference
 * implementation (PyPI `epcis-event-hash-generator` 1.9.3) does, so hashes interoperate (see
 * README.md). Checked against hashes that implementation computed for our own test vectors.
 */
import { createHash } from 'node:crypto';
import { constrainDigitalLink, epcUriToDigitalLink } from './gs1-uri';

/** The `ver` of the hash IDs produced here. */
export const EVENT_HASH_VERSION = 'CBV2.0';

/** Prefixes every EPCIS 2.0 document has through the standard context. */
export const STANDARD_PREFIXES: Readonly<Record<string, string>> = {
  gs1: 'https://gs1.org/voc/',
  cbv: 'https://ref.gs1.org/cbv/',
  epcis: 'https://ref.gs1.org/epcis/',
};

const CBV = 'https://ref.gs1.org/cbv/';
const GS1_VOC = 'https://gs1.org/voc/';
const CBV_URNS: readonly [string, string][] = [
  ['urn:epcglobal:cbv:bizstep:', `${CBV}BizStep-`],
  ['urn:epcglobal:cbv:disp:', `${CBV}Disp-`],
  ['urn:epcglobal:cbv:btt:', `${CBV}BTT-`],
  ['urn:epcglobal:cbv:sdt:', `${CBV}SDT-`],
  ['urn:epcglobal:cbv:er:', `${CBV}ER-`],
];
/** Fields that never enter the pre-hash string. */
const IGNORED = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration', '@context', 'comment', 'rdfs:comment']);
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];
const SENSOR_METADATA_ORDER = ['time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'];
const SENSOR_REPORT_ORDER = [
  'type', 'exception', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'time', 'microorganism', 'chemicalSubstance', 'value', 'component',
  'stringValue', 'booleanValue', 'hexBinaryValue', 'uriValue', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue', 'uom', 'coordinateReferenceSystem',
];
const TIME_FIELDS = new Set(['eventTime', 'time', 'startTime', 'endTime']);
/** Standard fields taken in this order (CBV 2.0 canonical property order, as the reference implementation applies it). */
const ORDERED = [
  'eventTime', 'eventTimeZoneOffset', 'certificationInfo', 'parentID', 'epcList', 'inputEPCList', 'childEPCs', ...QUANTITY_LISTS.slice(0, 3),
  'outputEPCList', 'outputQuantityList', 'action', 'transformationID', 'bizStep', 'disposition', 'persistentDisposition', 'readPoint', 'bizLocation', 'sensorElementList',
] as const;
const ORDERED_SET = new Set<string>(ORDERED);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

/**
 * The prefixes a JSON-LD `@context` declares (objects in it; strings are context URLs and add
 * nothing), on top of {@link STANDARD_PREFIXES}.
 */
export function contextPrefixes(context: unknown): Record<string, string> {
  const out: Record<string, string> = { ...STANDARD_PREFIXES };
  const items = Array.isArray(context) ? context : [context];
  for (const item of items) {
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) if (typeof v === 'string' && !k.startsWith('@')) out[k] = v;
    }
  }
  return out;
}

/**
 * Normalise an `xsd:dateTimeStamp` to UTC with millisecond precision (`…T…:…:….sssZ`): the
 * fraction is cut to microseconds, then rounded to milliseconds, an exact half to the even
 * millisecond. Returns the input when it is no timestamp.
 */
export function normaliseTimestamp(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value.trim());
  if (!m) return value;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m as unknown as string[];
  // Microseconds (digits beyond the 6th dropped) rounded to milliseconds, an exact half to even:
  // what the reference implementation does. 999.5 ms and more roll over to the next second.
  const micro = Number((frac + '000000').slice(0, 6));
  let ms = Math.floor(micro / 1000);
  const rest = micro % 1000;
  if (rest > 500 || (rest === 500 && ms % 2 === 1)) ms += 1;
  let offsetMinutes = 0;
  if (zone !== 'Z') offsetMinutes = (zone![0] === '-' ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + ms - offsetMinutes * 60_000;
  const date = new Date(t);
  if (Number(y) < 100) date.setUTCFullYear(Number(y));
  return date.toISOString();
}

/**
 * Numbers lose a sign `+`, leading and trailing zeros and a fractional part of zero; other text is
 * left alone. Written as the reference implementation writes a double (Python's `str`): whole
 * numbers in all their digits, others in the shortest form that reads back the same, with an
 * exponent of at least two digits below 1e-4 (`1.5e-05`).
 */
function normaliseNumber(text: string): string {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return text;
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (Number.isInteger(n)) return BigInt(n).toString();
  if (Math.abs(n) < 1e-4) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

function expandCurie(value: string, prefixes: Readonly<Record<string, string>>): string {
  const i = value.indexOf(':');
  if (i <= 0) return value;
  const ns = prefixes[value.slice(0, i)];
  return ns !== undefined && !value.startsWith('//', i + 1) ? ns + value.slice(i + 1) : value;
}

/** Canonical form of a value: trimmed, CURIE expanded, CBV URN → Web URI, number normalised, EPC URI / Digital Link → constrained canonical Digital Link. */
function canonValue(raw: Json, prefixes: Readonly<Record<string, string>>): string {
  if (raw === null) return '';
  // JSON booleans are written as the reference implementation writes them (Python's str()).
  if (typeof raw === 'boolean') return raw ? 'True' : 'False';
  let text = typeof raw === 'string' ? raw.trim() : String(raw);
  if (typeof raw === 'string') text = expandCurie(text, prefixes);
  for (const [urn, web] of CBV_URNS) if (text.startsWith(urn)) text = web + text.slice(urn.length);
  text = normaliseNumber(text);
  return epcUriToDigitalLink(text) ?? constrainDigitalLink(text) ?? text;
}

/** A bare CBV / GS1 vocabulary term (JSON-LD "bare string") expanded to its URI. */
function vocab(value: Json, base: string, prefixes: Readonly<Record<string, string>>): Json {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t !== '' && !t.includes(':') ? base + t : expandCurie(t, prefixes);
}

const kv = (key: string, value: string) => (value === '' ? '' : `${key}=${value}`);
const sorted = (items: string[]) => [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Expanded name of an extension key: `{namespace}local` for a declared prefix, else the key. */
function expandKey(key: string, prefixes: Readonly<Record<string, string>>): string {
  const i = key.indexOf(':');
  if (i > 0) {
    const ns = prefixes[key.slice(0, i)];
    if (ns !== undefined) return `{${ns}}${key.slice(i + 1)}`;
  }
  return key;
}

/** Pre-hash substrings of one element of generic (extension, ILMD, …) content; arrays repeat the key. */
function generic(key: string, value: Json, prefixes: Readonly<Record<string, string>>): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => generic(key, v, prefixes));
  if (isObj(value)) return [key + sorted(children(value, prefixes)).join('')];
  // A JSON null in extension content is written `None`, as the reference implementation does.
  if (value === null) return [`${key}=None`];
  const v = canonValue(value, prefixes);
  return [v === '' ? key : `${key}=${v}`];
}

function children(obj: Obj, prefixes: Readonly<Record<string, string>>): string[] {
  return Object.entries(obj).filter(([k]) => !IGNORED.has(k) || k === 'type').flatMap(([k, v]) => generic(expandKey(k, prefixes), v, prefixes));
}

/** `type` first, then the value: the form of bizTransaction, source and destination entries. */
function typedEntry(entry: Json, valueKey: string, typeBase: string, prefixes: Readonly<Record<string, string>>): string {
  if (!isObj(entry)) return kv(valueKey, canonValue(entry, prefixes));
  const type = entry.type === undefined ? '' : kv('type', canonValue(vocab(entry.type, typeBase, prefixes), prefixes));
  return type + kv(valueKey, canonValue(entry[valueKey] ?? null, prefixes));
}

/** An object with ordered fields, followed by its extension fields (sorted). */
function orderedObject(name: string, obj: Json | undefined, order: readonly string[], prefixes: Readonly<Record<string, string>>, map: (k: string, v: Json) => Json = (_k, v) => v): string {
  if (!isObj(obj)) return '';
  let out = '';
  for (const k of order) {
    for (const v of asList(obj[k])) {
      const mapped = map(k, v);
      out += kv(k, TIME_FIELDS.has(k) && typeof mapped === 'string' ? normaliseTimestamp(mapped) : canonValue(mapped, prefixes));
    }
  }
  const rest = Object.fromEntries(Object.entries(obj).filter(([k]) => !order.includes(k)));
  out += sorted(children(rest, prefixes)).join('');
  return out === '' ? '' : name + out;
}

function sensorElement(el: Json, prefixes: Readonly<Record<string, string>>): string {
  if (!isObj(el)) return '';
  const report = (k: string, v: Json) => (k === 'type' || k === 'exception' ? vocab(v, GS1_VOC, prefixes) : v);
  const meta = orderedObject('sensorMetadata', el.sensorMetadata, SENSOR_METADATA_ORDER, prefixes);
  const reports = sorted(asList(el.sensorReport).map((r) => orderedObject('sensorReport', r, SENSOR_REPORT_ORDER, prefixes, report)).filter((s) => s !== ''));
  const rest = Object.fromEntries(Object.entries(el).filter(([k]) => k !== 'sensorMetadata' && k !== 'sensorReport'));
  const body = meta + reports.join('') + sorted(children(rest, prefixes)).join('');
  return body === '' ? '' : 'sensorElement' + body;
}

function orderedField(key: (typeof ORDERED)[number], value: Json, prefixes: Readonly<Record<string, string>>): string {
  switch (key) {
    case 'eventTime':
      return typeof value === 'string' ? kv(key, normaliseTimestamp(value)) : '';
    case 'eventTimeZoneOffset':
    case 'parentID':
    case 'action':
    case 'transformationID':
      return kv(key, canonValue(value, prefixes));
    case 'certificationInfo':
      return sorted(asList(value).map((v) => kv(key, canonValue(v, prefixes)))).join('');
    case 'bizStep':
      return kv(key, canonValue(vocab(value, `${CBV}BizStep-`, prefixes), prefixes));
    case 'disposition':
      return kv(key, canonValue(vocab(value, `${CBV}Disp-`, prefixes), prefixes));
    case 'epcList':
    case 'inputEPCList':
    case 'childEPCs':
    case 'outputEPCList': {
      const epcs = sorted(asList(value).map((v) => kv('epc', canonValue(v, prefixes))).filter((s) => s !== ''));
      return epcs.length === 0 ? '' : key + epcs.join('');
    }
    case 'quantityList':
    case 'childQuantityList':
    case 'inputQuantityList':
    case 'outputQuantityList': {
      const elements = sorted(asList(value).map((q) => orderedObject('quantityElement', q, ['epcClass', 'quantity', 'uom'], prefixes)).filter((s) => s !== ''));
      return elements.length === 0 ? '' : key + elements.join('');
    }
    case 'persistentDisposition': {
      if (!isObj(value)) return '';
      const disp = (k: string) => sorted(asList(value[k]).map((v) => kv(k, canonValue(vocab(v, `${CBV}Disp-`, prefixes), prefixes)))).join('');
      const body = disp('set') + disp('unset');
      return body === '' ? '' : key + body;
    }
    case 'readPoint':
    case 'bizLocation':
      return orderedObject(key, value, ['id'], prefixes);
    case 'sensorElementList': {
      const elements = sorted(asList(value).map((e) => sensorElement(e, prefixes)).filter((s) => s !== ''));
      return elements.length === 0 ? '' : key + elements.join('');
    }
    default:
      return '';
  }
}

/** Generic content at event level, with the typed lists in their reference form. */
function eventLevelRest(event: Obj, prefixes: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(event)) {
    if (IGNORED.has(k) || ORDERED_SET.has(k)) continue;
    if (k === 'bizTransactionList' || k === 'sourceList' || k === 'destinationList') {
      const valueKey = k === 'bizTransactionList' ? 'bizTransaction' : k === 'sourceList' ? 'source' : 'destination';
      const entries = sorted(asList(v).map((e) => typedEntry(e, valueKey, `${CBV}${k === 'bizTransactionList' ? 'BTT' : 'SDT'}-`, prefixes)).filter((s) => s !== ''));
      if (entries.length > 0) out.push(k + entries.join(''));
      continue;
    }
    out.push(...generic(expandKey(k, prefixes), v, prefixes));
  }
  return out;
}

/**
 * The CBV 2.0 pre-hash string of an EPCIS event given as JSON(-LD). `prefixes` resolves CURIEs
 * in keys and values (use {@link contextPrefixes} of the document's `@context`).
 * @throws TypeError when `event` is not an object with a string `type`
 */
export function preHashString(event: unknown, prefixes: Readonly<Record<string, string>> = STANDARD_PREFIXES): string {
  if (!isObj(event as Json) || typeof (event as Obj).type !== 'string') throw new TypeError('an EPCIS event is an object with a string "type"');
  const e = event as Obj;
  let out = `eventType=${(e.type as string).trim()}`;
  for (const key of ORDERED) if (e[key] !== undefined) out += orderedField(key, e[key]!, prefixes);
  return out + sorted(eventLevelRest(e, prefixes)).join('');
}

/** The EPCIS event hash ID: `ni:///sha-256;<hex>?ver=CBV2.0` of {@link preHashString}. */
export function eventHash(event: unknown, prefixes: Readonly<Record<string, string>> = STANDARD_PREFIXES): string {
  return hashId(preHashString(event, prefixes));
}

/** The `ni` URI of a pre-hash string. */
export function hashId(preHash: string): string {
  return `ni:///sha-256;${createHash('sha256').update(preHash, 'utf8').digest('hex')}?ver=${EVENT_HASH_VERSION}`;
}

/** The hex SHA-256 digest inside an event hash ID, or undefined when `id` is no `ni:///sha-256;…` URI. */
export function hashDigest(id: string): string | undefined {
  return /^ni:\/\/\/sha-256;([0-9a-f]{64})\?ver=CBV\d+\.\d+(\.\d+)?$/.exec(id)?.[1];
}
