/**
 * The cockpit's typed client for the public API (`/api/v1/<area>/<verb>`), the only thing the SPA
 * talks to. Result types are imported from the capabilities with `import type`, so a changed
 * result shape fails the type-check here instead of drawing nonsense.
 */

export type Params = Record<string, string | number | boolean | readonly string[] | undefined | null>;

/** An API failure a person can read: the server's message, its code and HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** One operation as the server's OpenAPI document describes it. */
export interface OperationInfo {
  readonly area: string;
  readonly verb: string;
  readonly method: 'get' | 'post';
  readonly summary: string;
  /** Query (GET) or body (POST) field names the operation accepts. */
  readonly fields: readonly string[];
  /** Fields it cannot run without (GET query parameters marked required). */
  readonly required?: readonly string[];
  /** What a caller needs (`read`, `write`, `admin`, …: the document's `x-permission`). */
  readonly permission?: string;
}

let csrfToken: string | undefined;

/** The CSRF token for state-changing requests: from the session answer, else the server's cookie. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

function csrf(): string | undefined {
  if (csrfToken) return csrfToken;
  const m = document.cookie.match(/(?:^|;\s*)([\w-]*csrf[\w-]*)=([^;]+)/i);
  return m ? decodeURIComponent(m[2]!) : undefined;
}

/** Timing of every call, read by the benchmark (window.__tpCalls) and by the progress indicator. */
export interface CallTiming {
  readonly url: string;
  readonly ms: number;
  /** performance.now() when the answer arrived. */
  readonly end: number;
}
const timings: CallTiming[] = [];
(globalThis as { __tpCalls?: CallTiming[] }).__tpCalls = timings;

type Listener = (inFlight: number) => void;
let inFlight = 0;
const listeners = new Set<Listener>();
/** Subscribes to the number of calls in flight (the progress bar). */
export function onInFlight(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
const bump = (d: number) => {
  inFlight += d;
  for (const l of listeners) l(inFlight);
};

export function queryString(params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, String(x));
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function request<R>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<R> {
  const t0 = performance.now();
  bump(1);
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      const token = csrf();
      if (token) headers['x-csrf-token'] = token;
    }
    const res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { message: text.slice(0, 200) };
    }
    if (!res.ok) {
      const e = (data ?? {}) as { error?: unknown; code?: string; message?: string };
      const inner =
        typeof e.error === 'object' && e.error ? (e.error as { code?: string; message?: string }) : e;
      throw new ApiError(
        res.status,
        inner.code ?? (typeof e.error === 'string' ? e.error : 'error'),
        inner.message ?? res.statusText ?? `HTTP ${res.status}`,
      );
    }
    return data as R;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(0, 'network', 'The Touchpoint server cannot be reached. Is it still running?');
  } finally {
    const end = performance.now();
    timings.push({ url, ms: end - t0, end });
    bump(-1);
  }
}

/** `GET /api/v1/<area>/<verb>?…`: a read operation, the same parameters as the CLI's flags. */
export function getOp<R>(area: string, verb: string, params?: Params): Promise<R> {
  return request<R>('GET', `/api/v1/${area}/${verb}${queryString(params)}`);
}

/** `POST /api/v1/<area>/<verb>`: a write operation, with the CSRF token of the session. */
export function postOp<R>(area: string, verb: string, body: Record<string, unknown>): Promise<R> {
  return request<R>('POST', `/api/v1/${area}/${verb}`, body);
}

/** Any other server path (session, public survey endpoints). */
export function getJson<R>(url: string): Promise<R> {
  return request<R>('GET', url);
}
export function postJson<R>(url: string, body: unknown): Promise<R> {
  return request<R>('POST', url, body);
}

export interface OpenApiDoc {
  paths?: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        'x-permission'?: string;
        parameters?: { name: string; in: string; required?: boolean }[];
        requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
      }
    >
  >;
}

/** The operations this server offers, read from its OpenAPI document; pages appear only for these. */
export async function loadOperations(): Promise<OperationInfo[]> {
  return operationsOf(await getJson<OpenApiDoc>('/openapi.json'));
}

/** The operations an OpenAPI document describes: every `/api/v1/<area>/<verb>` route. */
export function operationsOf(doc: OpenApiDoc): OperationInfo[] {
  const out: OperationInfo[] = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    const m = path.match(/^\/api\/v1\/([^/{}]+)\/([^/{}]+)$/);
    if (!m) continue;
    for (const [method, spec] of Object.entries(methods)) {
      if (method !== 'get' && method !== 'post') continue;
      const fields =
        method === 'get'
          ? (spec.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
          : Object.keys(spec.requestBody?.content?.['application/json']?.schema?.properties ?? {});
      const required =
        method === 'get'
          ? (spec.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => p.name)
          : [];
      out.push({
        area: m[1]!,
        verb: m[2]!,
        method,
        summary: spec.summary ?? '',
        fields,
        required,
        ...(spec['x-permission'] ? { permission: spec['x-permission'] } : {}),
      });
    }
  }
  return out;
}
