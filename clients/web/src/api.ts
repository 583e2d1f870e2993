/**
 * The gateway's HTTP API, same origin, authenticated with an API key. Failures become an
 * ApiProblem carrying the RFC 9457 problem fields the gateway sends (`code`, `detail`).
 */

/** A failed request: the gateway's problem+json, or a network failure (status 0). */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  /**
   * @param extensions the problem's other members (e.g. `paymentsCode`, `reason`, `ledgerCode`),
   *   for callers that branch on a feature's own code.
   */
  constructor(readonly status: number, readonly code: string, readonly detail: string, readonly title = '', readonly extensions: Readonly<Record<string, unknown>> = {}) {
    super(detail);
  }
}

/** A committed command: its result and the ledger transaction that wrote it. */
export interface Committed<T> {
  readonly value: T;
  readonly transactionId: string | null;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  /** POST a command with a fresh Idempotency-Key, so a retried click is not applied twice. */
  post<T>(path: string, body: unknown): Promise<Committed<T>>;
}

/** The member gateway this app is served by: its MSP ID. */
export interface WebConfig {
  readonly mspId: string;
}

/** @throws ApiProblem when the gateway does not serve /web-config.json */
export async function loadWebConfig(): Promise<WebConfig> {
  return (await send('/web-config.json', {})) as WebConfig;
}

/** An API client for one API key. */
export function createApi(apiKey: string): Api {
  const headers = { 'X-API-Key': apiKey, Accept: 'application/json' };
  return {
    async get<T>(path: string): Promise<T> {
      return (await send(path, { headers })) as T;
    },
    async post<T>(path: string, body: unknown): Promise<Committed<T>> {
      let transactionId: string | null = null;
      const value = (await send(path, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify(body),
      }, (res) => { transactionId = res.headers.get('X-Transaction-Id'); })) as T;
      return { value, transactionId };
    },
  };
}

async function send(path: string, init: RequestInit, onResponse?: (res: Response) => void): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiProblem(0, 'NETWORK', `the gateway could not be reached (${(e as Error).message})`);
  }
  onResponse?.(res);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const p = (body !== null && typeof body === 'object' ? body : {}) as { code?: string; detail?: string; title?: string } & Record<string, unknown>;
    throw new ApiProblem(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? p.title ?? `${res.status} ${res.statusText}`, p.title ?? '', p);
  }
  if (body === null && text) throw new ApiProblem(res.status, 'BAD_RESPONSE', `${path} did not answer with JSON`);
  return body;
}
