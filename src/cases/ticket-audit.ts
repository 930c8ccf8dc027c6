import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { TouchpointError } from '../core/errors.js';
import {
  buildCaseLog,
  type CaseAttributes,
  type CaseLog,
  type CaseLogOptions,
  checkMapKeys,
  type Observation,
  parseTime,
  STATE_RULE_KEYS,
  type StateRules,
  stateRules,
} from './case-log.js';

/** Header names tried, in order, for each field when the mapping does not name a column. */
const GUESS: Record<string, readonly string[]> = {
  case_id: ['ticket_id', 'ticket', 'case_id', 'case', 'incident', 'number', 'id'],
  ts: ['timestamp', 'ts', 'updated_at', 'sys_updated_at', 'changed_at', 'time', 'date'],
  field: ['field', 'fieldname', 'field_name', 'attribute'],
  old: ['old', 'old_value', 'from', 'previous'],
  new: ['new', 'new_value', 'to', 'value'],
  team: ['group', 'team', 'assignment_group', 'queue'],
  agent: ['agent', 'assignee', 'assigned_to', 'owner'],
  state: ['state', 'status', 'ident_state', 'incident_state'],
};

/** Canonical fields that may be mapped to columns; the others of `--map` are options. */
const FIELDS = [
  'case_id',
  'ts',
  'field',
  'old',
  'new',
  'team',
  'agent',
  'state',
  'type',
  'activity',
  'transfer_reason',
  'order',
  'opened_at',
  'customer_id',
  'reason',
  'channel',
  'product',
  'priority',
] as const;

/** Every key `--map` takes for a ticket audit: the fields, then the options. */
export const TICKET_AUDIT_MAP_KEYS: readonly string[] = [
  ...FIELDS,
  'date_format',
  'na',
  'team_field',
  'agent_field',
  'state_field',
  ...STATE_RULE_KEYS,
];

/**
 * Options carried in the mapping: `date_format` (iso | dmy | mdy: day-first `D/M/YYYY HH:MM` and
 * month-first dates without a zone, read as UTC), `na` (missing-value marker, e.g. `?`),
 * `closed_states` / `reopen_states` / `resolved` (see `stateRules`), `team_field` / `agent_field` /
 * `state_field` (regular expressions on the `field` column of a field-change audit).
 */
export interface TicketAuditSettings {
  readonly dateFormat: 'iso' | 'dmy' | 'mdy';
  readonly na: ReadonlySet<string>;
  readonly states: StateRules;
  readonly teamField: RegExp;
  readonly agentField: RegExp;
  readonly stateField: RegExp;
}

function settings(map: Readonly<Record<string, string>>): TicketAuditSettings {
  checkMapKeys(map, TICKET_AUDIT_MAP_KEYS, 'ticket-audit');
  const df = (map.date_format ?? 'iso').toLowerCase();
  if (df !== 'iso' && df !== 'dmy' && df !== 'mdy')
    throw new TouchpointError(
      'invalid_input',
      `--map date_format must be iso, dmy or mdy, not ${JSON.stringify(df)}`,
    );
  const re = (key: string, fallback: RegExp) => {
    if (!map[key]) return fallback;
    try {
      return new RegExp(map[key]!, 'i');
    } catch {
      throw new TouchpointError('invalid_input', `--map ${key}: not a regular expression: ${map[key]}`);
    }
  };
  return {
    dateFormat: df,
    na: new Set((map.na ?? '').split('|').filter((x) => x !== '')),
    states: stateRules(map),
    teamField: re('team_field', /group|team|queue/i),
    agentField: re('agent_field', /assign|agent|owner/i),
    stateField: re('state_field', /state|status/i),
  };
}

const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** A timestamp in the configured layout, as epoch ms (UTC when no zone is written). */
export function parseAuditTime(
  v: string,
  format: TicketAuditSettings['dateFormat'],
  where: { source: string; line: number; field: string },
): number {
  if (format === 'iso') return parseTime(v, where);
  const m = DMY.exec(v.trim());
  if (m) {
    const [, a, b, y, hh = '0', mi = '0', ss = '0'] = m;
    const day = Number(format === 'dmy' ? a : b);
    const month = Number(format === 'dmy' ? b : a);
    const ms = Date.UTC(Number(y), month - 1, day, Number(hh), Number(mi), Number(ss));
    const d = new Date(ms);
    if (d.getUTCDate() === day && d.getUTCMonth() === month - 1 && Number(hh) < 24) return ms;
  }
  throw new TouchpointError(
    'invalid_input',
    `${where.source}:${where.line}: ${where.field}: not a ${format.toUpperCase()} date: ${JSON.stringify(v)}`,
    {
      details: [
        { file: where.source, line: where.line, field: where.field, message: `not a ${format} date: ${v}` },
      ],
    },
  );
}

/**
 * Reads a helpdesk audit CSV (plain or gzipped), in either layout:
 * - field changes: one row per changed field (ticket id, timestamp, field, old value, new value);
 *   rows of one ticket at one instant form one observation; the field names say which change is the
 *   group (team), the assignee (agent) or the state;
 * - snapshots: one row per ticket update with the state, group and agent as columns.
 * A state entering the closing states closes the case, a reopening state after it reopens it (a move
 * between two closing states, e.g. Resolved → Closed, is neither; `stateRules`). Duplicate header names get a `_2` suffix.
 */
export async function readTicketAudit(path: string, options: CaseLogOptions = {}): Promise<CaseLog> {
  const source = options.source ?? path;
  const map = options.map ?? {};
  const cfg = settings(map);
  const head = Buffer.alloc(2);
  try {
    const fh = await open(path, 'r');
    await fh.read(head, 0, 2, 0);
    await fh.close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new TouchpointError('invalid_input', `${source}: no such file`);
    throw e;
  }
  const raw = createReadStream(path);
  const input = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  let header: string[] | null = null;
  let col: Partial<Record<(typeof FIELDS)[number], number>> = {};
  let layout: 'changes' | 'snapshots' = 'snapshots';
  const observations: Observation[] = [];
  const caseAttrs = new Map<string, CaseAttributes & { line: number }>();
  const notes: string[] = [];
  let ignoredStates = 0;
  // field-change rows of one ticket at one instant accumulate here
  let pending: { key: string; o: Mutable<Observation> } | null = null;
  const flush = () => {
    if (pending) observations.push(pending.o);
    pending = null;
  };
  const bad = (line: number, field: string, message: string) =>
    new TouchpointError('invalid_input', `${source}:${line}: ${field}: ${message} (nothing was imported)`, {
      details: [{ file: source, line, field, message }],
    });
  let rows = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      const line = info.lines;
      if (!header) {
        const seen = new Map<string, number>();
        header = record.map((h) => {
          const name = h.trim();
          const k = (seen.get(name) ?? 0) + 1;
          seen.set(name, k);
          return k === 1 ? name : `${name}_${k}`;
        });
        const lower = header.map((h) => h.toLowerCase());
        for (const f of FIELDS) {
          const named = map[f];
          if (named !== undefined) {
            const idx = header.indexOf(named);
            if (idx < 0)
              throw bad(1, f, `--map names column ${JSON.stringify(named)}, which the header does not have`);
            col[f] = idx;
          } else if (GUESS[f]) {
            const idx = GUESS[f]!.map((g) => lower.indexOf(g)).find((x) => x >= 0);
            if (idx !== undefined) col[f] = idx;
          }
        }
        layout = col.field !== undefined && col.new !== undefined ? 'changes' : 'snapshots';
        if (col.case_id === undefined)
          throw bad(1, 'case_id', 'no ticket id column: name it with --map case_id=COLUMN');
        if (col.ts === undefined) throw bad(1, 'ts', 'no timestamp column: name it with --map ts=COLUMN');
        col = { ...col };
        continue;
      }
      rows++;
      const get = (f: (typeof FIELDS)[number]): string | null => {
        const idx = col[f];
        if (idx === undefined) return null;
        const v = record[idx];
        if (v === undefined) return null;
        const t = v.trim();
        return t === '' || cfg.na.has(t) ? null : t;
      };
      const caseId = get('case_id');
      if (!caseId) throw bad(line, 'case_id', 'empty ticket id');
      const tsRaw = get('ts');
      if (!tsRaw) throw bad(line, 'ts', 'empty timestamp');
      const ts = parseAuditTime(tsRaw, cfg.dateFormat, { source, line, field: header[col.ts!] ?? 'ts' });
      if (!caseAttrs.has(caseId)) caseAttrs.set(caseId, { line });
      const attrs = caseAttrs.get(caseId)!;
      // case attributes: the last non-empty value wins (a reason may be filled in later)
      const update: Record<string, unknown> = {};
      for (const f of ['customer_id', 'reason', 'channel', 'product', 'priority'] as const) {
        const v = get(f);
        if (v !== null) update[f] = v;
      }
      const openedRaw = get('opened_at');
      if (openedRaw && attrs.opened_at === undefined)
        update.opened_at = parseAuditTime(openedRaw, cfg.dateFormat, { source, line, field: 'opened_at' });
      if (Object.keys(update).length) caseAttrs.set(caseId, { ...attrs, ...update });
      const orderRaw = get('order');
      const order = orderRaw === null ? null : Number(orderRaw);
      if (layout === 'snapshots') {
        let state = get('state');
        if (state !== null && /^-?\d+$/.test(state)) {
          ignoredStates++;
          state = null;
        }
        observations.push({
          caseId,
          ts,
          line,
          team: get('team'),
          agent: get('agent'),
          activity: get('activity'),
          type: get('type'),
          state,
          order: Number.isFinite(order) ? order : null,
          transferReason: get('transfer_reason'),
          properties: null,
        });
      } else {
        const key = `${caseId}\u0000${ts}`;
        if (!pending || pending.key !== key) {
          flush();
          pending = {
            key,
            o: {
              caseId,
              ts,
              line,
              team: null,
              agent: null,
              activity: null,
              type: null,
              state: null,
              order: Number.isFinite(order) ? order : null,
              transferReason: get('transfer_reason'),
              properties: null,
            },
          };
        }
        const field = get('field') ?? '';
        const value = get('new');
        const o = pending.o;
        if (cfg.teamField.test(field)) o.team = value;
        else if (cfg.agentField.test(field)) o.agent = value;
        else if (cfg.stateField.test(field)) o.state = value;
        else o.activity = o.activity ? `${o.activity}; ${field}` : field;
      }
      if (options.onProgress && rows % 50_000 === 0)
        options.onProgress({ phase: 'reading ticket audit', done: rows, unit: 'rows' });
    }
  } catch (e) {
    if (e instanceof TouchpointError) throw e;
    const err = e as Error & { lines?: number };
    throw bad(err.lines ?? 0, '(csv)', err.message);
  }
  flush();
  if (!header) throw bad(1, '(csv)', 'empty file');
  if (ignoredStates > 0)
    notes.push(
      `${ignoredStates} rows carry a numeric state (e.g. -100) that names no state: read as "state unknown"`,
    );
  return buildCaseLog(observations, caseAttrs, notes, cfg.states);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
