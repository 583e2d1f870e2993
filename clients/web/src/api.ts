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

/** A response body kept as it came (for downloads), with its media type. */
export interface FetchedFile {
  readonly blob: Blob;
  /** The media type the gateway sent, e.g. `application/ld+json` (parameters such as charset dropped). */
  readonly contentType: string;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  /**
   * GET a document as it is (not parsed), asking for `accept`.
   * @throws ApiProblem with the gateway's problem on a failure
   */
  getFile(path: string, accept: string): Promise<FetchedFile>;
  /** POST a command with a fresh Idempotency-Key, so a retried click is not applied twice. */
  post<T>(path: string, body: unknown): Promise<Committed<T>>;
}

/** The member gateway this app is served by: its MSP ID and the CA certificates it pins. */
export interface WebConfig {
  readonly mspId: string;
  /**
   * SHA-256 (hex of the DER) of each consortium CA certificate of the channel configuration, for
   * verifying provenance bundles in the browser. Absent when the gateway does not publish them.
   */
  readonly trustedCaFingerprints?: readonly string[];
}

/** @throws ApiProblem when the gateway does not serve /web-config.json */
export async function loadWebConfig(): Promise<WebConfig> {
  return (await send('/web-config.json', {})) as WebConfig;
}

/** An API client for one API key, or without a key (`null`) for the public routes. */
export function createApi(apiKey: string | null): Api {
  const auth: Record<string, string> = apiKey === null ? {} : { 'X-API-Key': apiKey };
  const headers = { ...auth, Accept: 'application/json' };
  return {
    async get<T>(path: string): Promise<T> {
      return (await send(path, { headers })) as T;
    },
    async getFile(path: string, accept: string): Promise<FetchedFile> {
      const res = await request(path, { headers: { ...auth, Accept: accept } });
      if (!res.ok) throw await problemOf(res);
      const contentType = (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim();
      const bytes = await res.arrayBuffer();
      return { blob: new Blob([bytes], { type: contentType }), contentType };
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

async function request(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (e) {
    throw new ApiProblem(0, 'NETWORK', `the gateway could not be reached (${(e as Error).message})`);
  }
}

async function send(path: string, init: RequestInit, onResponse?: (res: Response) => void): Promise<unknown> {
  const res = await request(path, init);
  onResponse?.(res);
  if (!res.ok) throw await problemOf(res);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (body === null && text) throw new ApiProblem(res.status, 'BAD_RESPONSE', `${path} did not answer with JSON`);
  return body;
}

/** The ApiProblem of a failed response: its problem+json members, or its status line. */
async function problemOf(res: Response): Promise<ApiProblem> {
  let body: unknown = null;
  try {
    body = JSON.parse(await res.text());
  } catch {
    body = null;
  }
  const p = (body !== null && typeof body === 'object' ? body : {}) as { code?: string; detail?: string; title?: string } & Record<string, unknown>;
  return new ApiProblem(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? p.title ?? `${res.status} ${res.statusText}`, p.title ?? '', p);
}
