/**
 * Column specs: one declaration of a result table's columns — label, format, alignment, link — that
 * every page drawing that result uses, instead of a copy of the list per page (issue 15.6). A spec
 * is typed by the operation's result (`RowOf<'journey.paths', 'switches'>`), so a renamed field
 * fails the type-check here; `tableColumns` turns it into the shared table's columns.
 */
import type { ComponentChildren } from 'preact';
import { CaseLink, CustomerLink } from './components/links.js';
import type { Column } from './components/table.js';
import { fmtCount, fmtDate, fmtDuration, fmtMoney, fmtNumber, fmtPercent } from './format.js';
import type { OpKey, OpResult } from './op-types.js';

/** How a cell's value reads: the one formatter of each kind (format.ts). */
export type ColumnFormat = 'text' | 'count' | 'number' | 'percent' | 'hours' | 'date' | 'money' | 'list';

export interface ColumnSpec<T> {
  readonly key: Extract<keyof T, string>;
  readonly label?: string;
  /** Default: text (as the shared table writes any value). */
  readonly format?: ColumnFormat;
  /** Decimals of a number or percent. */
  readonly digits?: number;
  /** Default: right for counts, numbers, percents, hours and money; left otherwise. */
  readonly align?: 'left' | 'right';
  /** The value is a customer or case id: a link to its timeline. */
  readonly link?: 'customer' | 'case';
  /** A cell drawn from several fields (an interval); sorting and CSV still use `value` or the field. */
  readonly render?: (row: T) => ComponentChildren;
  /** The value sorted on and exported, when not the field itself. */
  readonly value?: (row: T) => unknown;
}

/** The row type of list field `F` of operation `K`'s result. */
export type RowOf<K extends OpKey, F extends keyof OpResult<K>> = OpResult<K>[F] extends readonly (infer R)[]
  ? R
  : never;

const RIGHT: ReadonlySet<ColumnFormat> = new Set(['count', 'number', 'percent', 'hours', 'money']);

/** A value as its format reads (the same helpers as every figure of the cockpit). */
export function formatCell(format: ColumnFormat, v: unknown, digits?: number): ComponentChildren {
  if (v === null || v === undefined || v === '') return '–';
  switch (format) {
    case 'count':
      return fmtCount(Number(v));
    case 'number':
      return fmtNumber(Number(v), digits ?? 1);
    case 'percent':
      return fmtPercent(Number(v), digits ?? 1);
    case 'hours':
      return fmtDuration(Number(v) * 3600);
    case 'date':
      return fmtDate(String(v));
    case 'money':
      return fmtMoney(Number(v));
    case 'list':
      return Array.isArray(v) ? v.join(', ') : String(v);
    default:
      return String(v);
  }
}

/** The shared table's columns for a spec. */
export function tableColumns<T>(spec: readonly ColumnSpec<T>[]): Column<T>[] {
  return spec.map((c) => {
    const get = (r: T): unknown => (c.value ? c.value(r) : (r as Record<string, unknown>)[c.key]);
    const format = c.format ?? 'text';
    const render =
      c.render ??
      (c.link === 'customer'
        ? (r: T) => <CustomerLink id={get(r) as string | null} />
        : c.link === 'case'
          ? (r: T) => <CaseLink id={get(r) as string | null} />
          : c.format
            ? (r: T) => formatCell(format, get(r), c.digits)
            : undefined);
    return {
      key: c.key,
      ...(c.label ? { label: c.label } : {}),
      ...(render ? { render } : {}),
      ...(c.value
        ? { value: c.value }
        : format === 'list'
          ? { value: (r: T) => formatCell('list', get(r)) }
          : {}),
      numeric: (c.align ?? (RIGHT.has(format) ? 'right' : 'left')) === 'right',
    };
  });
}

/** Channel switches (`journey paths` → `switches`): the journey page's table. */
export const SWITCH_COLUMNS: readonly ColumnSpec<RowOf<'journey.paths', 'switches'>>[] = [
  { key: 'fromChannel', label: 'From' },
  { key: 'toChannel', label: 'To' },
  { key: 'switches', format: 'count' },
  { key: 'share', label: 'Share of moves', format: 'percent' },
  { key: 'medianHours', label: 'Median gap', format: 'hours' },
  { key: 'topFrom', label: 'Mostly from' },
  { key: 'topTo', label: 'Mostly to' },
];

/** The policy catalogue (`policies list` → `policies`). */
export const POLICY_COLUMNS: readonly ColumnSpec<RowOf<'policies.list', 'policies'>>[] = [
  { key: 'name', label: 'Policy' },
  { key: 'effectiveAt', label: 'Effective', value: (p) => p.effectiveAt.slice(0, 10) },
  { key: 'touchpoints', label: 'Touchpoints', format: 'list' },
  { key: 'themes', label: 'Linked themes', format: 'list' },
  { key: 'owner', label: 'Owner' },
];

/** A policy's before/after (`policies impact` → each policy's `changes`). */
export const POLICY_CHANGE_COLUMNS: readonly ColumnSpec<
  RowOf<'policies.impact', 'policies'>['changes'][number]
>[] = [
  { key: 'measure', label: 'Measure' },
  { key: 'before', label: 'Before', align: 'right' },
  { key: 'after', label: 'After', align: 'right' },
  {
    key: 'change',
    label: 'Change (95% interval)',
    align: 'right',
    render: (c) => (c.change === null ? '—' : `${c.change} (${c.low} to ${c.high})`),
  },
  { key: 'verdict', label: 'Verdict' },
];
