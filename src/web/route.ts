/**
 * Hash routing: `#/journey?persona=x&period=90d`. The filters live in the URL so a link can be
 * shared; the hash keeps deep links working on any static host. The survey page is a real path
 * (`/s/<survey>?t=<token>`), handled in main.tsx.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  readonly page: string;
  readonly query: Readonly<Record<string, string>>;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = h.split('?');
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(qs)) query[k] = v;
  return { page: path.split('/')[0] || 'overview', query };
}

export function buildHash(page: string, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Changes some query keys of the current page, keeping the others (filters stay when you move). */
export function setQuery(patch: Record<string, string | undefined>): void {
  const r = parseHash(location.hash);
  location.hash = buildHash(r.page, { ...r.query, ...patch });
}

/** The shared filters that travel between pages. */
export const FILTER_KEYS = ['persona', 'segment', 'channel', 'period'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export function filterQuery(q: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) if (q[k]) out[k] = q[k]!;
  return out;
}
