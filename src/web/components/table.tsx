import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { download, exportName, toCsv } from '../csv.js';
import { fmtCell, humanize } from '../format.js';
import { idLink } from './links.js';
import { Empty } from './ui.js';

export interface Column<T> {
  readonly key: string;
  readonly label?: string;
  readonly render?: (row: T) => ComponentChildren;
  /** The value sorted on and exported; defaults to row[key]. */
  readonly value?: (row: T) => unknown;
  readonly numeric?: boolean;
}

/**
 * A sortable table with CSV export of exactly the rows shown. Rows open their detail with click or
 * Enter when `onOpen` is given.
 */
export function DataTable<T extends object>(props: {
  title: string;
  rows: readonly T[];
  columns?: readonly Column<T>[];
  onOpen?: (row: T) => void;
  empty?: string;
  limit?: number;
}) {
  const columns: readonly Column<T>[] = useMemo(
    () =>
      props.columns ??
      [...new Set(props.rows.slice(0, 50).flatMap((r) => Object.keys(r)))].map((key) => ({
        key,
        numeric: props.rows.some((r) => typeof (r as Record<string, unknown>)[key] === 'number'),
      })),
    [props.columns, props.rows],
  );
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null);
  const [showAll, setShowAll] = useState(false);
  const cellValue = (c: Column<T>, r: T): unknown =>
    c.value ? c.value(r) : (r as Record<string, unknown>)[c.key];
  const sorted = useMemo(() => {
    if (!sort) return props.rows;
    const c = columns.find((x) => x.key === sort.key);
    if (!c) return props.rows;
    return [...props.rows].sort((a, b) => {
      const x = cellValue(c, a);
      const y = cellValue(c, b);
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * sort.dir;
    });
  }, [props.rows, sort, columns]);
  const limit = props.limit ?? 15;
  const shown = showAll ? sorted : sorted.slice(0, limit);
  const exportCsv = () =>
    download(
      exportName(props.title, 'csv'),
      toCsv(
        sorted.map((r) => Object.fromEntries(columns.map((c) => [c.label ?? c.key, cellValue(c, r)]))),
        columns.map((c) => c.label ?? c.key),
      ),
    );
  if (props.rows.length === 0) return <Empty>{props.empty ?? 'No rows.'}</Empty>;
  return (
    <div class="table-wrap">
      <div class="table-tools">
        <span class="muted">
          {props.rows.length.toLocaleString('en-US')} row{props.rows.length === 1 ? '' : 's'}
        </span>
        <button
          type="button"
          class="btn small"
          onClick={exportCsv}
          aria-label={`Export ${props.title} as CSV`}
        >
          CSV
        </button>
      </div>
      <div class="scroll-x">
        <table>
          <caption class="sr-only">{props.title}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  class={c.numeric ? 'num' : ''}
                  aria-sort={sort?.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}
                >
                  <button
                    type="button"
                    class="th-btn"
                    onClick={() =>
                      setSort((s) =>
                        s?.key === c.key
                          ? { key: c.key, dir: s.dir === 1 ? -1 : 1 }
                          : { key: c.key, dir: -1 },
                      )
                    }
                  >
                    {c.label ?? humanize(c.key)}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((r, i) => (
              <tr
                key={i}
                class={props.onOpen ? 'clickable' : ''}
                tabIndex={props.onOpen ? 0 : undefined}
                onClick={props.onOpen ? () => props.onOpen!(r) : undefined}
                onKeyDown={
                  props.onOpen
                    ? (e) => {
                        if (e.key === 'Enter' || e.key === ' ') {
                          e.preventDefault();
                          props.onOpen!(r);
                        }
                      }
                    : undefined
                }
              >
                {columns.map((c) => (
                  <td key={c.key} class={c.numeric ? 'num' : ''}>
                    {c.render
                      ? c.render(r)
                      : (idLink(c.key, cellValue(c, r)) ?? fmtCell(c.key, cellValue(c, r)))}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sorted.length > limit && (
        <button type="button" class="link" onClick={() => setShowAll((s) => !s)}>
          {showAll ? 'Show fewer' : `Show all ${sorted.length.toLocaleString('en-US')}`}
        </button>
      )}
    </div>
  );
}
