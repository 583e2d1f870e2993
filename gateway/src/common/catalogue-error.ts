/**
 * The shape every error catalogue of the gateway's cores shares: a stable code, a message
 * template with `{named}` fields filled from the details, and the HTTP status an API should
 * answer with. Each core keeps its own list of codes and subclasses {@link CatalogueError}.
 */

/** One entry of a catalogue. */
export interface CatalogueEntry {
  readonly status: number;
  readonly template: string;
}

/** Fill `{name}` fields of a template from details. */
export function fillTemplate(template: string, details: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(details[k]));
}

/** An error with a stable code from a catalogue; callers branch on `code`, never on text. */
export abstract class CatalogueError<C extends string> extends Error {
  /** HTTP status an API should answer with. */
  readonly status: number;
  constructor(
    readonly code: C,
    readonly details: Readonly<Record<string, unknown>>,
    entry: CatalogueEntry,
  ) {
    super(fillTemplate(entry.template, details));
    this.status = entry.status;
  }
}
