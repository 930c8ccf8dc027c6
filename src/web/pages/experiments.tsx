import { useState } from 'preact/hooks';
import type { PowerResult } from '../../experiments/power.js';
import type { ExperimentResults, MetricComparison } from '../../experiments/results.js';
import type { Experiment } from '../../experiments/stored.js';
import { ApiError, getOp } from '../api.js';
import type { PageProps } from '../app.js';
import { LiftBar } from '../components/liftbar.js';
import { DataTable } from '../components/table.js';
import { Async, Empty, ErrorBox, PageHead, Panel, Stat } from '../components/ui.js';
import { fmtDate } from '../format.js';
import { setQuery } from '../route.js';
import { useOp } from '../state.js';
import { BoundaryChart, ProgramPanel, RemeasureBox } from './experiments-program.js';

type Listed = Experiment & { state: string };

/** A value in the metric's own unit: 62.1 %, +3.0 (NPS points), 0.65. */
function fmt(format: MetricComparison['format'], v: number | null | undefined, signed = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const sign = signed && v > 0 ? '+' : '';
  if (format === 'proportion') return `${sign}${(100 * v).toFixed(1)}${signed ? ' pts' : ' %'}`;
  if (format === 'points') return `${sign}${v.toFixed(1)}`;
  // small rates (contacts per customer) keep three significant digits
  return `${sign}${Math.abs(v) < 1 && v !== 0 ? Number(v.toPrecision(3)) : v.toFixed(2)}`;
}
const pct = (v: number) => (Number.isFinite(v) ? `${v > 0 ? '+' : ''}${(100 * v).toFixed(1)} %` : '—');
const pv = (p: number) => (!Number.isFinite(p) ? '—' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

function MetricBlock(props: { m: MetricComparison }) {
  const m = props.m;
  const span =
    Math.max(1e-9, ...m.lifts.flatMap((l) => [Math.abs(l.absolute.low), Math.abs(l.absolute.high)])) * 1.1;
  return (
    <section class="xp-metric" data-testid="xp-metric" data-metric={m.metric}>
      <h3>
        {m.role === 'primary' ? 'Primary' : 'Guardrail'}: {m.name}{' '}
        <span class="tag">{m.higherIsBetter ? 'higher is better' : 'lower is better'}</span>
      </h3>
      <div class="table-wrap scroll-x">
        <table>
          <caption class="sr-only">{m.name} per arm</caption>
          <thead>
            <tr>
              <th scope="col">Arm</th>
              <th scope="col" class="num">
                Customers
              </th>
              <th scope="col" class="num">
                n
              </th>
              <th scope="col" class="num">
                Value
              </th>
              <th scope="col">95 % interval</th>
              <th scope="col">Lift vs control (95 % interval)</th>
              <th scope="col" class="num">
                Relative
              </th>
              <th scope="col" class="num">
                p
              </th>
              <th scope="col" class="num">
                Always-valid p
              </th>
              <th scope="col" class="num">
                Chance to beat control
              </th>
            </tr>
          </thead>
          <tbody>
            {m.arms.map((a, i) => {
              const l = m.lifts.find((x) => x.arm === a.arm);
              const absFmt = m.format === 'points' ? 'points' : m.format;
              return (
                <tr key={a.arm} data-arm={a.arm}>
                  <th scope="row">{i === 0 && a.arm !== 'control' ? `${a.arm} (control)` : a.arm}</th>
                  <td class="num">{a.units.toLocaleString('en-US')}</td>
                  <td class="num">{a.n.toLocaleString('en-US')}</td>
                  <td class="num">{fmt(m.format, a.value)}</td>
                  <td>
                    {fmt(m.format, a.lo)} … {fmt(m.format, a.hi)}
                  </td>
                  <td>
                    {l ? (
                      <div class="lift">
                        <span>
                          {fmt(absFmt, l.absolute.value, true)} [{fmt(absFmt, l.absolute.low, true)} …{' '}
                          {fmt(absFmt, l.absolute.high, true)}]
                        </span>
                        <LiftBar
                          low={l.absolute.low}
                          high={l.absolute.high}
                          value={l.absolute.value}
                          span={span}
                          verdict={l.verdict}
                          label={`${a.arm}: lift ${fmt(absFmt, l.absolute.value, true)}, interval ${fmt(absFmt, l.absolute.low, true)} to ${fmt(absFmt, l.absolute.high, true)}`}
                        />
                      </div>
                    ) : (
                      ''
                    )}
                  </td>
                  <td class="num">{l ? pct(l.relative.value) : ''}</td>
                  <td class="num">{l ? pv(l.pAdjusted) : ''}</td>
                  <td class="num">{l ? pv(l.sequential.p) : ''}</td>
                  <td class="num">
                    {l && Number.isFinite(l.chanceToWin) ? `${(100 * l.chanceToWin).toFixed(1)} %` : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Results(props: { id: string }) {
  const state = useOp<ExperimentResults>('experiments', 'results', { id: props.id });
  return (
    <Panel
      primary
      wide
      title={`Results: ${props.id}`}
      subtitle="Every metric declared at creation, per arm, against the control."
    >
      <Async state={state} what="results">
        {(r) => {
          const rec = r.recommendations;
          return (
            <div data-testid="xp-results">
              <p>
                <strong>Hypothesis:</strong> {r.experiment.hypothesis}
                {r.experiment.finding || r.experiment.theme ? (
                  <span class="muted"> · addresses {r.experiment.finding ?? r.experiment.theme}</span>
                ) : null}
              </p>
              <div class="stats">
                <Stat
                  label="Recommendation"
                  value={rec.map((x) => x.decision).join(', ')}
                  detail={rec.map((x) => `${x.arm}: ${x.why}`).join('; ')}
                  tone={
                    rec.some((x) => x.decision === 'ship')
                      ? 'good'
                      : rec.some((x) => x.decision === 'roll back' || x.decision === 'investigate')
                        ? 'bad'
                        : ''
                  }
                />
                <Stat
                  label="Sample ratio"
                  value={r.srm.mismatch ? 'Mismatch' : 'Healthy'}
                  detail={`χ² p = ${pv(r.srm.p)} (mismatch below ${r.srm.threshold}); ${r.srm.observed.map((o) => o.toLocaleString('en-US')).join(' / ')} exposed`}
                  tone={r.srm.mismatch ? 'bad' : 'good'}
                />
                <Stat
                  label="Decision basis"
                  value={r.pBasis === 'sequential' ? 'Always-valid p' : 'Fixed-horizon p'}
                  detail={`${r.state}; α = ${r.experiment.criteria.alpha}; Holm over treatments on the primary metric`}
                />
                <Stat
                  label="CUPED"
                  value="Not applied"
                  detail="no pre-period metric declared for this experiment (experiments analyze --pre applies it to a file)"
                />
              </div>
              {r.warnings.map((w) => (
                <p key={w} class="notice">
                  {w}
                </p>
              ))}
              {r.metrics.map((m) => (
                <MetricBlock key={m.metric} m={m} />
              ))}
              {r.experiment.decision === 'ship' && (
                <RemeasureBox id={r.experiment.id} decidedAt={r.experiment.decidedAt} />
              )}
              <BoundaryChart id={r.experiment.id} />
            </div>
          );
        }}
      </Async>
    </Panel>
  );
}

/** The power calculator: units per arm and days for a baseline, an effect and the daily traffic. */
function PowerCalculator() {
  const [result, setResult] = useState<PowerResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const num = (k: string) => (f.get(k) === '' ? undefined : Number(f.get(k)));
    setError(null);
    try {
      setResult(
        await getOp<PowerResult>('experiments', 'power', {
          baseline: num('baseline'),
          mde: (num('mde') ?? 0) / 100,
          traffic: num('traffic'),
          sd: num('sd'),
        }),
      );
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    }
  };
  return (
    <Panel
      title="Power calculator"
      subtitle="Before launch: how many customers per arm, and how many days, to detect an effect of this size (α 0.05, power 80 %)."
    >
      <form class="inline-form" onSubmit={submit} aria-label="Power calculator">
        <label class="filter">
          <span>Baseline (rate 0–1, or mean)</span>
          <input name="baseline" type="number" step="any" required defaultValue="0.63" />
        </label>
        <label class="filter">
          <span>Minimum effect (relative %)</span>
          <input name="mde" type="number" step="any" required defaultValue="5" />
        </label>
        <label class="filter">
          <span>Customers per day</span>
          <input name="traffic" type="number" step="any" required defaultValue="300" />
        </label>
        <label class="filter">
          <span>SD (means only)</span>
          <input name="sd" type="number" step="any" />
        </label>
        <button type="submit" class="btn primary">
          Calculate
        </button>
      </form>
      {error && <ErrorBox error={error} />}
      {result && (
        <p data-testid="power-result">
          <strong>{result.perArm.toLocaleString('en-US')}</strong> per arm (
          {result.total.toLocaleString('en-US')} in all), <strong>{result.days}</strong> days — to tell{' '}
          {result.baseline} from {Number(result.target.toPrecision(4))}.
        </p>
      )}
    </Panel>
  );
}

/** Experiments: the stored experiments, a result view with lift and interval per metric, and the power calculator. */
export function ExperimentsPage(props: PageProps) {
  const list = useOp<{ experiments: Listed[] }>('experiments', 'list', {});
  const open = props.route.query.xp;
  return (
    <div class="page">
      <PageHead title="Experiments" uses={[]} />
      <Panel
        primary={!open}
        wide
        title="Experiments"
        subtitle="Each tied to the pain point it fixes; decisions come from the criteria declared before launch. Open one for its results."
      >
        <Async state={list} what="experiments">
          {(d) =>
            d.experiments.length === 0 ? (
              <Empty>
                No experiments yet: `touchpoint experiments create`, or analyse a file with `experiments
                analyze`.
              </Empty>
            ) : (
              <DataTable
                title="Experiments"
                rows={d.experiments}
                onOpen={(e) => setQuery({ xp: e.id })}
                columns={[
                  { key: 'id', label: 'Experiment' },
                  { key: 'name', label: 'Name' },
                  { key: 'state', label: 'State' },
                  {
                    key: 'arms',
                    label: 'Arms',
                    value: (e) => e.variants.map((v) => `${v.name} ${v.weight}`).join(' / '),
                  },
                  { key: 'primary', label: 'Primary metric', value: (e) => e.primary.id },
                  { key: 'addresses', label: 'Addresses', value: (e) => e.finding ?? e.theme ?? '' },
                  { key: 'dates', label: 'Dates', value: (e) => `${fmtDate(e.start)} – ${fmtDate(e.end)}` },
                  { key: 'decision', label: 'Decision', value: (e) => e.decision ?? '' },
                  { key: 'owner', label: 'Owner' },
                ]}
              />
            )
          }
        </Async>
      </Panel>
      {open && <Results id={open} />}
      <ProgramPanel />
      <PowerCalculator />
    </div>
  );
}
