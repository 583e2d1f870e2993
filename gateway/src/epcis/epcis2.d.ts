/** The part of epcis2.js (GS1's EPCIS 2.0 JavaScript SDK) the gateway uses; the package ships no `types` entry. */
declare module 'epcis2.js' {
  export interface ValidatorResult {
    readonly success: boolean;
    readonly errors: readonly string[];
  }
  /** Validate `data` against one of GS1's EPCIS 2.0 JSON schemas (EPCISDocument, ObjectEvent, …). */
  export function validateAgainstSchema(data: object, schemaName: string): ValidatorResult;
  /** Validate a whole document: GS1's EPCISDocument schema, then the field names of each event. */
  export function validateEpcisDocument(epcisDocument: object, throwError?: boolean): ValidatorResult;
}
