import type { OperationInfo } from '../api.js';
import { fmtCell, humanize } from '../format.js';
import { filterParams, useOp } from '../state.js';
import { DataTable } from './table.js';
import { Async, Panel } from './ui.js';

type Rows = Record<string, unknown>[];

/** The lists inside a result (arrays of rows), with their field names, for drawing as tables. */
export function listsOf(result: unknown, prefix = ''): { name: string; rows: Rows }[] {
  if (!result || typeof result !== 'object') return [];
  if (Array.isArray(result)) {
    return result.length > 0 && result.every((r) => r && typeof r === 'object' && !Array.isArray(r))
      ? [{ name: prefix || 'rows', rows: result as Rows }]
      : [];
  }
  return Object.entries(result as Record<string, unknown>).flatMap(([k, v]) =>
    listsOf(v, prefix ? `${prefix} › ${k}` : k),
  );
}

/** The scalar figures of a result (not inside lists), as `path › key` → value, for a facts list. */
export function factsOf(result: unknown, prefix = ''): { name: string; value: unknown }[] {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return [];
  return Object.entries(result as Record<string, unknown>).flatMap(([k, v]) => {
    const name = prefix ? `${prefix} › ${humanize(k)}` : humanize(k);
    if (Array.isArray(v)) return [];
    if (v !== null && typeof v === 'object') return factsOf(v, name);
    return [{ name, value: v }];
  });
}

/** One read operation's result drawn as tables: the honest view of an analysis without a bespoke picture yet. */
export function OperationTables(props: {
  op: OperationInfo;
  filters: Record<string, string>;
  exclude?: readonly string[];
}) {
  const state = useOp<unknown>(props.op.area, props.op.verb, filterParams(props.op, props.filters));
  const title = props.op.summary || `${props.op.area} ${props.op.verb}`;
  return (
    <Panel title={humanize(`${props.op.area} ${props.op.verb}`)} subtitle={title} wide>
      <Async state={state} what={props.op.verb}>
        {(d) => {
          const lists = listsOf(d).filter((l) => !props.exclude?.includes(l.name));
          const facts = factsOf(d).slice(0, 40);
          if (lists.length === 0 && facts.length === 0) return <p class="empty">Nothing to show yet.</p>;
          return [
            facts.length > 0 && (
              <dl class="facts" key="facts">
                {facts.map((f) => [
                  <dt key={`t${f.name}`}>{f.name}</dt>,
                  <dd key={`d${f.name}`}>{fmtCell(f.name, f.value)}</dd>,
                ])}
              </dl>
            ),
            ...lists.map((l) => (
              <div key={l.name}>
                {lists.length > 1 && <h3>{humanize(l.name)}</h3>}
                <DataTable title={`${props.op.area} ${props.op.verb} ${l.name}`} rows={l.rows} />
              </div>
            )),
          ];
        }}
      </Async>
    </Panel>
  );
}
