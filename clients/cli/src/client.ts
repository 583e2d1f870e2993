/**
 * The gateway's HTTP API as the CLI calls it: JSON in and out, problem+json turned into
 * {@link CliError} API_ERROR, network failures into UNREACHABLE.
 */
import { randomUUID } from 'node:crypto';
import { CliError } from './errors';

/** Query parameters; undefined values are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** An RFC 9457 problem document as the gateway sends it. */
export interface Problem {
  readonly status?: number;
  readonly code?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly [key: string]: unknown;
}

/** A new idempotency key for one invocation. */
export const newIdempotencyKey = (): string => `cli-${randomUUID()}`;

/** Calls one gateway with one API key. */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /**
   * GET a JSON resource.
   * @throws CliError API_ERROR (4xx/5xx), UNREACHABLE
   */
  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.call<T>('GET', path, query);
  }

  /**
   * POST a JSON body, with an Idempotency-Key header.
   * @throws CliError API_ERROR (4xx/5xx), UNREACHABLE
   */
  post<T>(path: string, body: unknown, idempotencyKey: string = newIdempotencyKey()): Promise<T> {
    return this.call<T>('POST', path, {}, body, { 'Idempotency-Key': idempotencyKey });
  }

  /**
   * PUT a JSON body (PUT is idempotent by itself).
   * @throws CliError API_ERROR (4xx/5xx), UNREACHABLE
   */
  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, {}, body);
  }

  /**
   * DELETE a resource.
   * @throws CliError API_ERROR (4xx/5xx), UNREACHABLE
   */
  delete(path: string): Promise<unknown> {
    return this.call<unknown>('DELETE', path, {});
  }

  /** Every item of a paginated list, following `nextCursor` until `limit` items. */
  async list<T>(path: string, query: Query, limit: number): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.get<{ items: T[]; nextCursor: string | null }>(path, { ...query, limit: Math.min(500, limit - items.length), cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < limit);
    return items.slice(0, limit);
  }

  private async call<T>(method: string, path: string, query: Query, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const url = new URL(this.baseUrl.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { Accept: 'application/json', 'X-API-Key': this.apiKey, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : (err.cause?.code ?? err.cause?.message ?? err.message);
      throw new CliError('UNREACHABLE', `cannot reach the gateway at ${this.baseUrl}: ${why}`, { cause: String(e) });
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const p = (parsed ?? {}) as Problem;
      const detail = (p.detail ?? p.title ?? text.slice(0, 200).replace(/\s+/g, ' ')) || res.statusText;
      throw new CliError('API_ERROR', `${res.status}${p.code ? ` ${p.code}` : ''}: ${detail}`, { problem: parsed ?? text, method, url: url.toString() });
    }
    if (parsed === undefined) throw new CliError('API_ERROR', `${method} ${url.pathname} answered ${res.status} with a body that is not JSON`, { body: text.slice(0, 500) });
    return parsed as T;
  }
}
