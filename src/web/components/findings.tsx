import type { StoredFinding } from '../../findings/index.js';
import { fmtCount, fmtInterval, fmtMetric, fmtMoney, humanize } from '../format.js';
import { AffectedList } from './affected.js';
import { LearningLog } from './learning-log.js';
import { CaseLink, CustomerLink } from './links.js';
import type { Column } from './table.js';

export const P_LABELS = {
  product: 'Product',
  process: 'Process',
  policy: 'Policy',
  people: 'People',
} as const;

/** Where a finding is, as a person reads it: `touchpoint delivery · channel app`. */
export function sliceText(slice: StoredFinding['slice']): string {
  return Object.entries(slice)
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');
}

export function FindingValue(props: { f: StoredFinding }) {
  const f = props.f;
  return (
    <span>
      {fmtMetric(f.metric, f.value)}
      {f.ciLow !== null && f.ciHigh !== null && (
        <span class="muted small"> ({fmtInterval(f.ciLow, f.ciHigh, (v) => fmtMetric(f.metric, v))})</span>
      )}
    </span>
  );
}

export const findingColumns: readonly Column<StoredFinding>[] = [
  {
    key: 'title',
    label: 'Finding',
    render: (f) => (
      <span>
        {f.title}
        {f.smallSample && (
          <span
            class="tag warn"
            title="n < 30 or interval wider than ±10 points: ranked after well-measured findings"
          >
            small sample
          </span>
        )}
      </span>
    ),
  },
  { key: 'analysis', label: 'Analysis' },
  { key: 'p', label: 'P', render: (f) => <span class={`tag p-${f.p}`}>{P_LABELS[f.p]}</span> },
  { key: 'metric', label: 'Metric', value: (f) => humanize(f.metric) },
  { key: 'value', label: 'Value (95 % interval)', numeric: true, render: (f) => <FindingValue f={f} /> },
  {
    key: 'baseline',
    label: 'Baseline',
    numeric: true,
    value: (f) => f.baseline,
    render: (f) => fmtMetric(f.metric, f.baseline),
  },
  { key: 'n', label: 'n', numeric: true, render: (f) => fmtCount(f.n) },
  {
    key: 'customersAffected',
    label: 'Customers affected',
    numeric: true,
    render: (f) => fmtCount(f.customersAffected),
  },
  { key: 'ownerTeam', label: 'Owner', render: (f) => f.ownerTeam ?? '–' },
];

/** The evidence of one finding: the figure, where it is, who owns it, examples, and the drill-down. */
export function FindingDetail(props: { f: StoredFinding; onClose: () => void }) {
  const f = props.f;
  const examples = f.evidence.examples ?? [];
  return (
    <div class="drawer" role="dialog" aria-modal="false" aria-labelledby="finding-title">
      <div class="drawer-head">
        <h3 id="finding-title">{f.title}</h3>
        <button type="button" class="btn small" onClick={props.onClose} aria-label="Close evidence">
          ✕
        </button>
      </div>
      <dl class="facts">
        <dt>Where</dt>
        <dd>{sliceText(f.slice) || '–'}</dd>
        <dt>{humanize(f.metric)}</dt>
        <dd>
          <FindingValue f={f} /> vs baseline {fmtMetric(f.metric, f.baseline)}
        </dd>
        <dt>Sample</dt>
        <dd>
          n = {fmtCount(f.n)}
          {f.smallSample ? ' (small sample)' : ''}
        </dd>
        <dt>Customers affected</dt>
        <dd>{fmtCount(f.customersAffected)}</dd>
        <dt>Owner</dt>
        <dd>{f.ownerTeam ?? 'no owner mapped'}</dd>
        <dt>4 P's</dt>
        <dd>{P_LABELS[f.p]}</dd>
        {f.revenueAtRisk !== null && f.revenueAtRisk !== undefined && (
          <>
            <dt>Revenue at risk</dt>
            <dd>{fmtMoney(f.revenueAtRisk)}</dd>
          </>
        )}
        <dt>Found by</dt>
        <dd>
          {f.analysis} · {f.kind}
        </dd>
      </dl>
      {examples.length > 0 && (
        <>
          <h4>Examples</h4>
          <ul class="examples">
            {examples.slice(0, 8).map((e) => (
              <li key={e.id}>
                <span class="tag">{e.kind}</span>{' '}
                {e.kind === 'case' ? (
                  <CaseLink id={e.id} />
                ) : e.kind === 'customer' ? (
                  <CustomerLink id={e.id} />
                ) : (
                  (e.text ?? e.id)
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <LearningLog
        key={`ll-${f.id}`}
        finding={f.id}
        {...(f.slice.touchpoint ? { touchpoint: f.slice.touchpoint } : {})}
        {...(f.slice.theme ? { theme: f.slice.theme } : {})}
        title="Tried against this problem"
      />
      <AffectedList key={f.id} findingId={f.id} title={f.title} />
    </div>
  );
}
