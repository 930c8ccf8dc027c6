import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { StoredFinding } from '../../findings/index.js';
import { ApiError, postOp } from '../api.js';
import { filterParams, findOp, unappliedFilters, useApp, useOp } from '../state.js';
import { FindingDetail, findingColumns } from './findings.js';
import { DataTable } from './table.js';
import { Async, ErrorBox, Loading, Panel } from './ui.js';

/** Roles that may run analyses (write operations); viewers and agents read their findings. */
export const canWrite = (role: string | undefined) => role === 'admin' || role === 'analyst';

/**
 * An analysis that ranks problems (a write operation: running it records a findings run). Everyone
 * sees the findings of its latest run; analysts and admins can run it again and see every figure of
 * the fresh result, drawn by `children`.
 */
export function AnalysisPanel<R>(props: {
  area: string;
  verb: string;
  analysis: string;
  title: string;
  subtitle?: string;
  filters: Record<string, string>;
  children?: (result: R) => ComponentChildren;
}) {
  const { ops, session } = useApp();
  const op = findOp(ops, props.area, props.verb);
  const findings = useOp<{ findings: StoredFinding[] }>('findings', 'list', {
    analysis: props.analysis,
    limit: 200,
  });
  const [result, setResult] = useState<R | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [open, setOpen] = useState<StoredFinding | null>(null);
  if (!op) return null;
  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      setResult(
        await postOp<R>(props.area, props.verb, filterParams(op, props.filters) as Record<string, unknown>),
      );
      findings.reload();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setRunning(false);
    }
  };
  return (
    <Panel
      title={props.title}
      subtitle={props.subtitle}
      // a fresh run takes the filters it accepts; the stored findings of the latest run take none
      ignores={unappliedFilters(result ? op : undefined, props.filters)}
      ignoresWhy={
        result
          ? 'this run does not take them'
          : `the findings of the latest run${canWrite(session?.role) ? '; “Run again” applies the filters' : ''}`
      }
      wide
      actions={
        canWrite(session?.role) && (
          <button type="button" class="btn small" onClick={run} disabled={running}>
            {running
              ? 'Running…'
              : result || (findings.data?.findings.length ?? 0) > 0
                ? 'Run again'
                : 'Run analysis'}
          </button>
        )
      }
    >
      {running && <Loading what={props.title.toLowerCase()} />}
      {error && <ErrorBox error={error} retry={run} />}
      {result && props.children ? (
        props.children(result)
      ) : (
        <Async state={findings} what="findings">
          {(d) => (
            <div class="split">
              <div style={{ flex: 1, minWidth: 0 }}>
                <DataTable
                  title={`${props.title} findings`}
                  rows={d.findings}
                  columns={findingColumns.filter((c) => c.key !== 'analysis' && c.key !== 'metric')}
                  onOpen={setOpen}
                  empty={
                    canWrite(session?.role)
                      ? 'Not run yet on this workspace: press “Run analysis”.'
                      : 'Not run yet on this workspace. Ask an analyst to run it.'
                  }
                />
              </div>
              {open && <FindingDetail f={open} onClose={() => setOpen(null)} />}
            </div>
          )}
        </Async>
      )}
    </Panel>
  );
}
