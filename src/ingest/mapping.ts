import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { TouchpointError } from '../core/errors.js';
import { type Encoding, parseEncoding } from './encoding.js';
import { FEEDBACK_KINDS, KIND_SPECS, type Kind } from './schemas.js';

/** How a file's columns become a kind's fields (docs/import.md). */
export interface MappingSpec {
  /** canonical field → source header, or a constant when no header has that name. */
  readonly map?: Record<string, string>;
  /** Survey exports: question header → feedback kind (nps | csat | ces | text). One feedback row per answer. */
  readonly questions?: Record<string, string>;
  /** Identity stitching: alias type → column holding that alias for the row's customer (e.g. email=Email). */
  readonly aliases?: Record<string, string>;
  readonly dateFormat?: string;
  readonly timezone?: string;
  readonly na?: readonly string[];
  readonly delimiter?: string;
  readonly encoding?: Encoding;
  readonly sheet?: string;
}

/** `a=b,c=d` → { a: 'b', c: 'd' }. Values run to the next comma; use a mapping file for values with commas. */
export function parsePairs(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new TouchpointError('invalid_input', `${what}: "${part}" is not field=value`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Missing-value markers from `--na '?,NA, '`: split on commas, kept exactly (a lone space is a marker). */
export function parseNa(text: string): string[] {
  return text.split(',').filter((s) => s !== '');
}

/** Reads a mapping YAML file (docs/import.md shows one). Keys: map, questions, date_format, timezone, na, delimiter, encoding, sheet. */
export function readMappingFile(file: string): MappingSpec {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TouchpointError(
      'invalid_input',
      `${file}: not a readable YAML mapping: ${(e as Error).message}`,
    );
  }
  if (typeof doc !== 'object' || doc === null)
    throw new TouchpointError('invalid_input', `${file}: expected a YAML mapping`);
  const d = doc as Record<string, unknown>;
  const strMap = (v: unknown, key: string): Record<string, string> | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v))
      throw new TouchpointError('invalid_input', `${file}: ${key} must be a mapping`);
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
  };
  const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
  const na = d.na === undefined ? undefined : Array.isArray(d.na) ? d.na.map(String) : parseNa(String(d.na));
  return {
    map: strMap(d.map, 'map'),
    questions: strMap(d.questions, 'questions'),
    aliases: strMap(d.aliases, 'aliases'),
    dateFormat: str(d.date_format ?? d.dateFormat),
    timezone: str(d.timezone),
    na,
    delimiter: str(d.delimiter),
    encoding: parseEncoding(str(d.encoding)),
    sheet: str(d.sheet),
  };
}

/** Header names people use for each canonical field (lower-case, separators removed). */
const SYNONYMS: Record<string, readonly string[]> = {
  id: ['id', 'recordid', 'eventid', 'responseid', 'ticketid', 'rowid', 'uuid', 'key'],
  customer_id: [
    'customerid',
    'userid',
    'user',
    'customer',
    'clientid',
    'client',
    'accountid',
    'account',
    'memberid',
    'contactid',
    'custid',
    'email',
    'emailaddress',
  ],
  anonymous_id: ['anonymousid', 'anonid', 'visitorid', 'deviceid', 'cookieid', 'clientcookie', 'sessionuser'],
  ts: [
    'ts',
    'timestamp',
    'time',
    'datetime',
    'date',
    'createdat',
    'eventtime',
    'occurredat',
    'sentat',
    'submittedat',
    'submitted',
    'responsedate',
  ],
  channel: ['channel', 'source', 'medium', 'contacttype', 'via'],
  touchpoint: ['touchpoint', 'page', 'screen', 'step', 'pagename', 'location'],
  stage: ['stage', 'journeystage', 'phase'],
  name: ['name', 'event', 'eventname', 'action', 'eventtype'],
  outcome: ['outcome', 'result', 'status'],
  created_at: ['createdat', 'created', 'signupdate', 'signedupat', 'joined', 'since'],
  churned: ['churn', 'churned', 'ischurned', 'exited', 'attrited'],
  churned_at: ['churnedat', 'churndate', 'cancelledat', 'canceledat'],
  monthly_value: ['monthlyvalue', 'monthlycharges', 'mrr', 'monthlyrevenue', 'arpu'],
  plan: ['plan', 'tier', 'subscription', 'contract', 'package'],
  region: ['region', 'area', 'state'],
  country: ['country', 'countrycode'],
  segment: ['segment', 'customersegment', 'type'],
  score: ['score', 'rating', 'nps', 'csat', 'ces', 'value'],
  comment: ['comment', 'comments', 'text', 'feedback', 'verbatim', 'freetext', 'review', 'message'],
  kind: ['kind', 'surveytype', 'metric'],
  opened_at: ['openedat', 'opened', 'createdat', 'created', 'opendate', 'submitted'],
  closed_at: ['closedat', 'closed', 'resolvedat', 'resolved', 'closedate'],
  reason: ['reason', 'contactreason', 'category', 'topic', 'issuetype', 'subject'],
  owner_team: ['ownerteam', 'team', 'group', 'assignmentgroup', 'queue'],
  owner_agent: ['owneragent', 'agent', 'assignee', 'assignedto', 'owner'],
  case_id: ['caseid', 'ticketid', 'ticket', 'incident', 'number', 'case'],
  team: ['team', 'group', 'assignmentgroup', 'queue'],
  agent: ['agent', 'assignedto', 'assignee'],
  priority: ['priority', 'severity', 'urgency'],
  employee_id: ['employeeid', 'employee', 'staffid'],
  team_id: ['teamid', 'team'],
};

const norm = (h: string): string => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Proposes canonical field → header from header names (exact names first, then synonyms). */
export function proposeMapping(kind: Kind, headers: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const used = new Set<string>();
  const fields = KIND_SPECS[kind].fields.map((f) => f.name);
  const pick = (field: string, h: string) => {
    out[field] = h;
    used.add(h);
  };
  for (const f of fields) {
    const exact = headers.find((h) => norm(h) === norm(f) && !used.has(h));
    if (exact) pick(f, exact);
  }
  for (const f of fields) {
    if (out[f]) continue;
    // a table's own id goes by the names of the thing it lists (customerID for customers, …)
    const own: Partial<Record<Kind, string>> = {
      customers: 'customer_id',
      cases: 'case_id',
      employees: 'employee_id',
      teams: 'team_id',
    };
    const syn = [...(SYNONYMS[f] ?? []), ...(f === 'id' && own[kind] ? (SYNONYMS[own[kind]!] ?? []) : [])];
    for (const s of syn) {
      const h = headers.find((x) => norm(x) === s && !used.has(x));
      if (h) {
        pick(f, h);
        break;
      }
    }
  }
  return out;
}

/** Where a field's value comes from. */
export type Source =
  | { readonly header: number }
  | { readonly constant: string }
  | { readonly coalesce: readonly number[] }
  | undefined;

export interface ResolvedMapping {
  readonly sources: Record<string, Source>;
  /** Header indexes that no field uses: they go to the kind's JSON column (attributes / properties). */
  readonly extras: readonly number[];
  readonly questions: readonly { readonly header: number; readonly kind: string }[];
  /** Alias columns (identity stitching): each links its value to the row's customer. */
  readonly aliases: readonly { readonly header: number; readonly type: string }[];
  /** Fields mapped to a constant because no header has that name (shown in dry runs). */
  readonly constants: readonly string[];
}

/**
 * Resolves a mapping against a file's headers: explicit `map` entries first (a right side that is
 * not a header is a constant), then headers named exactly like a field (`timestamp` counts as `ts`).
 */
export function resolveMapping(kind: Kind, headers: readonly string[], spec: MappingSpec): ResolvedMapping {
  const spec0 = KIND_SPECS[kind];
  const names = new Set(spec0.fields.map((f) => f.name));
  const findHeader = (name: string): number => {
    const exact = headers.indexOf(name);
    if (exact >= 0) return exact;
    return headers.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  };
  const sources: Record<string, Source> = {};
  const constants: string[] = [];
  const used = new Set<number>();
  for (const [field0, from] of Object.entries(spec.map ?? {})) {
    const field = field0 === 'timestamp' && names.has('ts') ? 'ts' : field0;
    if (!names.has(field)) {
      throw new TouchpointError(
        'invalid_input',
        `--map: ${field0} is not a field of ${kind} (fields: ${[...names].join(', ')})`,
      );
    }
    const h = findHeader(from);
    if (h >= 0) {
      sources[field] = { header: h };
      used.add(h);
    } else {
      sources[field] = { constant: from };
      constants.push(field);
    }
  }
  const questions: { header: number; kind: string }[] = [];
  for (const [q, k] of Object.entries(spec.questions ?? {})) {
    if (kind !== 'feedback')
      throw new TouchpointError('invalid_input', '--questions applies to feedback imports only');
    const h = findHeader(q);
    if (h < 0)
      throw new TouchpointError(
        'invalid_input',
        `--questions: ${q} is not a column of the file (columns: ${headers.join(', ')})`,
      );
    if (!(FEEDBACK_KINDS as readonly string[]).includes(k)) {
      throw new TouchpointError(
        'invalid_input',
        `--questions: ${q}=${k}: the kind must be one of ${FEEDBACK_KINDS.join(', ')}`,
      );
    }
    questions.push({ header: h, kind: k });
    used.add(h);
  }
  const aliases: { header: number; type: string }[] = [];
  for (const [type, col] of Object.entries(spec.aliases ?? {})) {
    const h = findHeader(col);
    if (h < 0)
      throw new TouchpointError(
        'invalid_input',
        `--aliases: ${col} is not a column of the file (columns: ${headers.join(', ')})`,
      );
    if (!/^[a-z][a-z0-9_]*$/.test(type))
      throw new TouchpointError(
        'invalid_input',
        `--aliases: ${type} is not an alias type (e.g. email, phone, anonymous_id)`,
      );
    aliases.push({ header: h, type });
    used.add(h);
  }
  for (const f of spec0.fields) {
    if (sources[f.name]) continue;
    if (questions.length > 0 && ['kind', 'score', 'question'].includes(f.name)) continue;
    let h = headers.findIndex((x, i) => !used.has(i) && norm(x) === norm(f.name));
    if (h < 0 && f.name === 'ts') h = headers.findIndex((x, i) => !used.has(i) && norm(x) === 'timestamp');
    if (h >= 0) {
      sources[f.name] = { header: h };
      used.add(h);
      const alias = headers.findIndex((x, i) => !used.has(i) && norm(x) === 'timestamp');
      if (f.name === 'ts' && alias >= 0) {
        // records that spell it `timestamp` beside records that spell it `ts` (JSON Lines)
        sources.ts = { coalesce: [h, alias] };
        used.add(alias);
      }
    }
  }
  if (questions.length > 0 && sources.comment === undefined) {
    // with questions, a text question fills the comment
  }
  const extras =
    spec0.extras && !sources[spec0.extras] ? headers.map((_, i) => i).filter((i) => !used.has(i)) : [];
  return { sources, extras, questions, aliases, constants };
}

/**
 * A date layout in Luxon / moment tokens (`DD/MM/YYYY HH:mm`, `d/M/yyyy H:mm`, `MM-dd-yy hh:mm a`)
 * → the engine's strptime format. Text in [brackets] or 'quotes' is literal.
 */
export function toStrptime(format: string): string {
  const tokens: [RegExp, string][] = [
    [/^(YYYY|yyyy)/, '%Y'],
    [/^(YY|yy)/, '%y'],
    [/^MMMM/, '%B'],
    [/^MMM/, '%b'],
    [/^MM?/, '%m'],
    [/^(DD|dd|D|d)/, '%d'],
    [/^HH?/, '%H'],
    [/^hh?/, '%I'],
    [/^mm?/, '%M'],
    [/^ss?/, '%S'],
    [/^SSSSSS/, '%f'],
    [/^SSS/, '%g'],
    [/^(A|a)/, '%p'],
    [/^(ZZ|Z)/, '%z'],
    [/^T/, 'T'],
  ];
  let out = '';
  let rest = format;
  while (rest.length > 0) {
    const lit = /^\[([^\]]*)\]|^'([^']*)'/.exec(rest);
    if (lit) {
      out += (lit[1] ?? lit[2] ?? '').replace(/%/g, '%%');
      rest = rest.slice(lit[0].length);
      continue;
    }
    const t = tokens.find(([re]) => re.test(rest));
    if (t) {
      const m = t[0].exec(rest)!;
      out += t[1];
      rest = rest.slice(m[0].length);
      continue;
    }
    const ch = rest[0]!;
    if (/[A-Za-z]/.test(ch)) {
      throw new TouchpointError(
        'invalid_input',
        `--date-format: unknown token "${ch}" in ${JSON.stringify(format)} (use YYYY MM DD HH mm ss SSS a Z)`,
      );
    }
    out += ch === '%' ? '%%' : ch;
    rest = rest.slice(1);
  }
  return out;
}
