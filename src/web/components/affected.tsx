import { useState } from 'preact/hooks';
import type { AffectedResult } from '../../customers/affected.js';
import { ApiError, getOp } from '../api.js';
import { download, exportName, toCsv } from '../csv.js';
import { fmtCount, fmtDate } from '../format.js';
import { findOp, useApp, useOp } from '../state.js';
import { CaseLink, CustomerLink } from './links.js';
import { Async, ErrorBox } from './ui.js';

const PAGE = 25;

/**
 * The end of every evidence drawer: the customers and cases behind the finding, paged, each a link to
 * its timeline, and the whole list as CSV (`customers affected`).
 */
export function AffectedList(props: { findingId: string; title: string }) {
  const { ops } = useApp();
  const [offset, setOffset] = useState(0);
  const [exportError, setExportError] = useState<ApiError | null>(null);
  const [exporting, setExporting] = useState(false);
  const available = findOp(ops, 'customers', 'affected') !== undefined;
  const state = useOp<AffectedResult>(
    'customers',
    'affected',
    { finding: props.findingId, offset, limit: PAGE },
    available,
  );
  if (!available) return null;
  const exportAll = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const all = await getOp<AffectedResult>('customers', 'affected', {
        finding: props.findingId,
        limit: 100_000,
      });
      download(
        exportName(`${props.title} customers and cases`, 'csv'),
        toCsv(
          all.rows.map((r) => ({
            customer_id: r.customerId,
            // an anonymous visitor the analysis counted: its person key, so the export has the finding's n
            person: r.customerId ? null : (r.person ?? null),
            case_id: r.caseId,
            at: r.at,
            what: r.what,
            detail: r.detail,
            shows_the_problem: r.shows,
          })),
        ),
      );
    } catch (e) {
      setExportError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setExporting(false);
    }
  };
  return (
    <section class="affected" aria-labelledby={`affected-${props.findingId}`} data-testid="affected">
      <h4 id={`affected-${props.findingId}`}>Customers and cases</h4>
      <Async state={state} what="the customers behind this finding">
        {(d) => (
          <>
            <p class="muted small">
              {d.rule}: {fmtCount(d.customers.showing)} customer{d.customers.showing === 1 ? '' : 's'} showing
              it
              {d.customers.all !== d.customers.showing ? ` of ${fmtCount(d.customers.all)} listed` : ''}
              {d.cases ? ` · ${fmtCount(d.cases)} cases` : ''}
              {d.finding.customersAffected !== null && d.agrees === false
                ? ` (the finding counts ${fmtCount(d.finding.customersAffected)})`
                : ''}
            </p>
            {d.rows.length === 0 ? (
              <p class="empty">Nobody to list.</p>
            ) : (
              <ul class="examples" data-testid="affected-rows">
                {d.rows.map((r, i) => (
                  <li key={`${r.customerId}-${r.caseId}-${i}`} data-shows={r.shows ? '' : undefined}>
                    <CustomerLink id={r.customerId} />
                    {r.caseId && (
                      <>
                        {' · '}
                        <CaseLink id={r.caseId} />
                      </>
                    )}{' '}
                    <span class="muted small">
                      {fmtDate(r.at)} · {r.what}
                    </span>
                    {r.detail && <div class="small">{r.detail}</div>}
                  </li>
                ))}
              </ul>
            )}
            <div class="pager">
              <button
                type="button"
                class="btn small"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - PAGE))}
              >
                ← Previous
              </button>
              <span class="muted small">
                {d.total === 0 ? 0 : offset + 1}–{offset + d.rows.length} of {fmtCount(d.total)}
              </span>
              <button
                type="button"
                class="btn small"
                disabled={offset + PAGE >= d.total}
                onClick={() => setOffset(offset + PAGE)}
              >
                Next →
              </button>
              <button
                type="button"
                class="btn small"
                disabled={exporting || d.total === 0}
                onClick={() => void exportAll()}
              >
                {exporting ? 'Exporting…' : 'All as CSV'}
              </button>
            </div>
            {exportError && <ErrorBox error={exportError} />}
          </>
        )}
      </Async>
    </section>
  );
}
