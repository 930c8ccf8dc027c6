import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import {
  type ArmSummary,
  armOfCounts,
  armOfMoments,
  benjaminiHochberg,
  type Comparison,
  compareProportions,
  compareSummaries,
  cuped,
  type Estimate,
  gaussianLift,
  holm,
  mean as meanInterval,
  PROPER_PRIOR,
  quantileDifference,
  quantileRanks,
  ratioArm,
  relativeLift,
  responseRateGuardrail,
  type SrmResult,
  sampleRatioMismatch,
  sequentialInterval,
  wilson,
  Z95,
} from '../stats/index.js';
import { ident, join, type SqlFragment, type Store, sql } from '../store/index.js';

export const AnalyzeParams = z.object({
  file: z
    .string()
    .min(1)
    .optional()
    .describe('CSV with one row per unit (header row; booleans such as True/False are proportions)'),
  csv: z
    .string()
    .optional()
    .describe('the CSV text (the CLI reads FILE into it; the API takes it as a text/csv body or this field)'),
  unit: z.string().min(1).describe('column naming the randomisation unit (customer, user, account)'),
  variant: z.string().min(1).describe('column naming the arm each unit was assigned to'),
  metric: z
    .array(z.string().min(1))
    .min(1)
    .describe('metric columns; the first is the primary metric. NUM/DEN is a ratio metric (revenue/visits)'),
  pre: z.string().optional().describe('pre-period covariate column for CUPED (the metric before exposure)'),
  control: z.string().optional().describe('the control arm (default: the first variant in sort order)'),
  winsorize: z
    .number()
    .gt(0.5)
    .lt(1)
    .optional()
    .describe('cap mean metrics at this quantile of both arms together, e.g. 0.99'),
  quantiles: z
    .array(z.coerce.number().gt(0).lt(1))
    .default([])
    .describe('quantiles of mean metrics to compare, e.g. 0.5,0.9'),
  lowerIsBetter: z
    .array(z.string())
    .default([])
    .describe('metrics where a decrease is the good direction (wait time, contacts per order)'),
  weights: z
    .array(z.string())
    .default([])
    .describe('planned allocation for the SRM check, e.g. control=50,new=50 (default equal)'),
  prior: z
    .enum(['improper', 'proper'])
    .default('improper')
    .describe('Bayesian prior on relative lift: flat, or N(0, 0.3²)'),
  sequentialTuning: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('planned total units N* the confidence sequence is tuned for (default: the units in the file)'),
  correction: z
    .enum(['holm', 'bh', 'none'])
    .default('holm')
    .describe('multiple-testing correction over every metric × treatment of this analysis'),
  alpha: z.number().gt(0).lt(0.5).default(0.05),
});
export type AnalyzeParams = z.output<typeof AnalyzeParams>;

export type MetricKind = 'proportion' | 'mean' | 'ratio';

export interface ArmFigure {
  readonly variant: string;
  /** units assigned */
  readonly units: number;
  /** units with a value (responders for a survey metric) */
  readonly n: number;
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

export interface TreatmentResult {
  readonly variant: string;
  readonly absolute: Estimate;
  readonly relative: Estimate;
  readonly statistic: number;
  readonly p: number;
  /** p after the chosen correction over every metric × treatment of the analysis */
  readonly pAdjusted: number;
  /** always-valid interval on the absolute difference and its p-value */
  readonly sequential: { readonly low: number; readonly high: number; readonly p: number };
  /** Bayesian model on relative lift */
  readonly bayes: {
    readonly chanceToWin: number;
    readonly riskTreatment: number;
    readonly riskControl: number;
    readonly low: number;
    readonly high: number;
  };
}

export interface MetricResult {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly lowerIsBetter: boolean;
  readonly arms: readonly ArmFigure[];
  readonly treatments: readonly TreatmentResult[];
  /** per treatment: does it change who reports the metric (units with no value)? */
  readonly responseRate: readonly {
    readonly variant: string;
    readonly control: number;
    readonly treatment: number;
    readonly p: number;
    readonly biased: boolean;
  }[];
  readonly outliers: {
    readonly p99: number;
    /** values above 10 × the pooled P99 */
    readonly extreme: number;
    readonly top: readonly { readonly unit: string; readonly variant: string; readonly value: number }[];
  } | null;
  readonly winsorized: {
    readonly quantile: number;
    readonly cap: number;
    readonly capped: readonly { readonly variant: string; readonly units: number }[];
    readonly arms: readonly ArmFigure[];
    readonly treatments: readonly TreatmentResult[];
  } | null;
  readonly cuped: readonly {
    readonly variant: string;
    readonly theta: number;
    readonly varianceReduction: number;
    readonly absolute: Estimate;
    readonly relative: Estimate;
    readonly p: number;
    readonly preImbalanceP: number;
    readonly warnings: readonly string[];
  }[];
  readonly quantiles: readonly {
    readonly q: number;
    readonly arms: readonly (Estimate & { readonly variant: string })[];
    readonly treatments: readonly (Estimate & { readonly variant: string })[];
  }[];
}

export interface AnalyzeResult {
  readonly file: string;
  readonly units: number;
  readonly control: string;
  readonly variants: readonly { readonly variant: string; readonly units: number }[];
  readonly srm: SrmResult;
  readonly correction: AnalyzeParams['correction'];
  readonly prior: string;
  readonly sequentialTuning: number;
  readonly metrics: readonly MetricResult[];
  /** per treatment, on the primary (first) metric */
  readonly recommendations: readonly {
    readonly variant: string;
    readonly decision: Decision;
    readonly reason: string;
  }[];
  readonly warnings: readonly string[];
}

export type Decision = 'ship' | 'roll back' | 'keep testing' | 'investigate';

const TABLE = 'experiment_units';
const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

interface MetricSpec {
  readonly name: string;
  readonly kind: MetricKind;
  /** numerator column (the metric column itself for proportions and means) */
  readonly y: string;
  /** denominator column of a ratio */
  readonly x?: string;
}

/**
 * Analyses an experiment run elsewhere from a CSV with one row per unit (docs/experiments.md). The
 * engine reads the file and reduces it to sufficient statistics per arm (n, Σ, Σ² and cross
 * products); `src/stats` does the inference. Treatments are compared with the control: two-proportion
 * z-test (proportions), Welch t (means), delta method (ratios and relative lift), an always-valid
 * confidence sequence, a Bayesian Gaussian model on relative lift, SRM over the units per arm, and
 * optionally CUPED, winsorising and quantiles.
 */
export async function analyzeExperiment(db: Store, params: AnalyzeParams): Promise<AnalyzeResult> {
  // the text of an upload (or of the file the CLI read) goes to a private temporary file the engine
  // reads; an operation never opens a path a user named
  if (params.csv === undefined) {
    // a caller in this process (tests, the bench) may name a file; the edges always pass its text
    if (params.file === undefined)
      throw new TouchpointError('invalid_input', 'file: give the CSV to analyse (a FILE, or the csv text)', {
        details: [{ field: 'file', message: 'missing' }],
      });
    return loadAndAnalyze(db, params, params.file);
  }
  const dir = mkdtempSync(joinPath(tmpdir(), 'touchpoint-analyze-'));
  const path = joinPath(dir, 'upload.csv');
  writeFileSync(path, params.csv, { mode: 0o600 });
  const shown = params.file ?? 'upload.csv';
  try {
    return await loadAndAnalyze(db, { ...params, file: path }, shown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function loadAndAnalyze(db: Store, params: AnalyzeParams, shown: string): Promise<AnalyzeResult> {
  return db.session(async (s) => {
    try {
      return await analyzeLoaded(s, params, shown);
    } finally {
      // in a caller's transaction an error has aborted it: the first error is the one to report
      await s.exec(sql`DROP TABLE IF EXISTS ${ident(TABLE)}`).catch(() => {});
    }
  });
}

async function describeFile(s: Store, path: string, file: string): Promise<Map<string, string>> {
  try {
    const rows = await s.all<{ column_name: string; column_type: string }>(
      sql`DESCRIBE SELECT * FROM read_csv(${path}, header = true)`,
    );
    return new Map(rows.map((r) => [r.column_name, r.column_type]));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/no files found|cannot open|does not exist/i.test(msg))
      throw new TouchpointError('not_found', `${file}: no such file`, { cause: e });
    throw new TouchpointError('invalid_input', `${file}: not a readable CSV (${msg.split('\n')[0]})`, {
      cause: e,
    });
  }
}

function column(columns: Map<string, string>, name: string, flag: string, file: string): string {
  if (!columns.has(name))
    throw new TouchpointError(
      'invalid_input',
      `${flag}: no column '${name}' in ${file} (columns: ${[...columns.keys()].join(', ')})`,
    );
  return name;
}

async function analyzeLoaded(s: Store, p: AnalyzeParams, shown: string): Promise<AnalyzeResult> {
  const path = p.file!;
  const columns = await describeFile(s, path, shown);
  column(columns, p.unit, '--unit', shown);
  column(columns, p.variant, '--variant', shown);
  if (p.pre) column(columns, p.pre, '--pre', shown);
  const numeric = (c: string, flag: string) => {
    const type = columns.get(c)!;
    if (type !== 'BOOLEAN' && !NUMERIC.test(type))
      throw new TouchpointError(
        'invalid_input',
        `${flag}: column '${c}' of ${shown} is ${type}, not a number or a boolean`,
      );
  };
  const specs: MetricSpec[] = p.metric.map((m) => {
    if (!columns.has(m) && m.includes('/')) {
      const [y, x] = m.split('/') as [string, string];
      column(columns, y, '--metric', shown);
      column(columns, x, '--metric', shown);
      numeric(y, '--metric');
      numeric(x, '--metric');
      return { name: m, kind: 'ratio', y, x };
    }
    column(columns, m, '--metric', shown);
    numeric(m, '--metric');
    return { name: m, kind: columns.get(m) === 'BOOLEAN' ? 'proportion' : 'mean', y: m };
  });
  if (p.pre) numeric(p.pre, '--pre');
  for (const m of p.lowerIsBetter)
    if (!p.metric.includes(m))
      throw new TouchpointError(
        'invalid_input',
        `--lower-is-better: '${m}' is not one of the --metric names (${p.metric.join(', ')})`,
      );
  const used = [...new Set([...specs.flatMap((m) => (m.x ? [m.y, m.x] : [m.y])), ...(p.pre ? [p.pre] : [])])];
  // columns are read by position (c0, c1, …): a header may hold any text, no name reaches the SQL
  const names = [...columns.keys()];
  const src = (c: string) => ident(`c${names.indexOf(c)}`);
  await s.exec(sql`CREATE OR REPLACE TEMP TABLE ${ident(TABLE)} AS
    SELECT CAST(${src(p.unit)} AS VARCHAR) AS unit, CAST(${src(p.variant)} AS VARCHAR) AS variant,
      ${join(used.map((c, i) => sql`${src(c)} AS ${ident(`m${i}`)}`))}
    FROM read_csv(${path}, header = true, names = ${names.map((_, i) => `c${i}`)})`);
  const col = (c: string) => ident(`m${used.indexOf(c)}`);

  const bad = await s.one<{
    units: number;
    distinct_units: number;
    no_variant: number;
    dup: string | null;
  }>(sql`
    SELECT count(*) AS units, count(DISTINCT unit) AS distinct_units,
      count(*) FILTER (WHERE variant IS NULL) AS no_variant,
      (SELECT unit FROM ${ident(TABLE)} GROUP BY unit HAVING count(*) > 1 ORDER BY unit LIMIT 1) AS dup
    FROM ${ident(TABLE)}`);
  if (!bad || bad.units === 0) throw new TouchpointError('invalid_input', `${shown}: no rows`);
  if (bad.dup !== null)
    throw new TouchpointError(
      'invalid_input',
      `${shown}: --unit: unit '${bad.dup}' is on more than one row (one row per unit expected)`,
    );
  if (bad.no_variant > 0)
    throw new TouchpointError('invalid_input', `${shown}: --variant: ${bad.no_variant} rows have no variant`);

  const variantRows = await s.all<{ variant: string; units: number }>(
    sql`SELECT variant, count(*) AS units FROM ${ident(TABLE)} GROUP BY variant ORDER BY variant`,
  );
  if (variantRows.length < 2)
    throw new TouchpointError(
      'invalid_input',
      `--variant: '${p.variant}' has ${variantRows.length} value; an experiment needs two arms`,
    );
  const control = p.control ?? variantRows[0]!.variant;
  if (!variantRows.some((v) => v.variant === control))
    throw new TouchpointError(
      'invalid_input',
      `--control: no variant '${control}' (variants: ${variantRows.map((v) => v.variant).join(', ')})`,
    );
  const order = [control, ...variantRows.map((v) => v.variant).filter((v) => v !== control)];
  const unitsOf = new Map(variantRows.map((v) => [v.variant, v.units]));
  const variants = order.map((v) => ({ variant: v, units: unitsOf.get(v)! }));
  const weights = parseWeights(p.weights, order);
  const srm = sampleRatioMismatch(
    variants.map((v) => v.units),
    weights,
  );
  const total = bad.units;
  const tuning = p.sequentialTuning ?? total;
  const prior = p.prior === 'proper' ? PROPER_PRIOR : null;

  const metrics: MetricResult[] = [];
  for (const spec of specs) {
    metrics.push(await analyzeMetric(s, spec, p, order, unitsOf, col, { tuning, prior }));
  }
  const adjusted = adjust(
    metrics.flatMap((m) => m.treatments.map((t) => t.p)),
    p.correction,
  );
  let k = 0;
  const withAdjusted = metrics.map((m) => ({
    ...m,
    treatments: m.treatments.map((t) => ({ ...t, pAdjusted: adjusted[k++]! })),
  }));
  const warnings: string[] = [];
  if (srm.mismatch)
    warnings.push(
      `SAMPLE RATIO MISMATCH: units per arm ${variants.map((v) => `${v.variant} ${v.units}`).join(', ')} (χ² p = ${srm.p.toExponential(2)} < ${srm.threshold}): the assignment or the logging is broken; no result here can be trusted and no ship decision is made`,
    );
  for (const m of withAdjusted) {
    for (const r of m.responseRate)
      if (r.biased)
        warnings.push(
          `${m.metric}: ${r.variant} changes who reports it (response ${(100 * r.treatment).toFixed(1)} % vs ${(100 * r.control).toFixed(1)} %, p = ${r.p.toPrecision(2)}): its comparison is biased`,
        );
    for (const c of m.cuped)
      for (const w of c.warnings) warnings.push(`${m.metric} (CUPED, ${c.variant}): ${w}`);
  }
  return {
    file: shown,
    units: total,
    control,
    variants,
    srm,
    correction: p.correction,
    prior: prior ? 'N(0, 0.3²) on relative lift' : 'improper (flat)',
    sequentialTuning: tuning,
    metrics: withAdjusted,
    recommendations: recommend(withAdjusted[0]!, srm, p.alpha, p.correction),
    warnings,
  };
}

function parseWeights(pairs: readonly string[], order: readonly string[]): number[] {
  if (pairs.length === 0) return order.map(() => 1);
  const map = new Map<string, number>();
  for (const pair of pairs) {
    const [name, w] = pair.split('=');
    const value = Number(w);
    if (!name || !(value > 0))
      throw new TouchpointError(
        'invalid_input',
        `--weights: '${pair}' is not variant=weight with a positive weight`,
      );
    if (!order.includes(name))
      throw new TouchpointError(
        'invalid_input',
        `--weights: no variant '${name}' (variants: ${order.join(', ')})`,
      );
    map.set(name, value);
  }
  return order.map((v) => {
    const w = map.get(v);
    if (w === undefined)
      throw new TouchpointError('invalid_input', `--weights: no weight for variant '${v}'`);
    return w;
  });
}

function adjust(ps: readonly number[], correction: AnalyzeParams['correction']): number[] {
  if (correction === 'holm') return holm(ps);
  if (correction === 'bh') return benjaminiHochberg(ps);
  return [...ps];
}

interface Ctx {
  readonly tuning: number;
  readonly prior: typeof PROPER_PRIOR | null;
}

interface Moments5 {
  variant: string;
  n: number;
  sy: number;
  syy: number;
  sx: number;
  sxx: number;
  sxy: number;
}

async function analyzeMetric(
  s: Store,
  spec: MetricSpec,
  p: AnalyzeParams,
  order: readonly string[],
  unitsOf: ReadonlyMap<string, number>,
  col: (c: string) => SqlFragment,
  ctx: Ctx,
): Promise<MetricResult> {
  const lowerIsBetter = p.lowerIsBetter.includes(spec.name);
  const t = ident(TABLE);
  const y = sql`CAST(${col(spec.y)} AS DOUBLE)`;
  const x = spec.x ? sql`CAST(${col(spec.x)} AS DOUBLE)` : sql`1.0`;
  const present = spec.x
    ? sql`${col(spec.y)} IS NOT NULL AND ${col(spec.x)} IS NOT NULL`
    : sql`${col(spec.y)} IS NOT NULL`;
  const moments = async (yExpr: SqlFragment) =>
    byVariant(
      order,
      await s.all<Moments5>(sql`
        SELECT variant, count(*) AS n, coalesce(sum(${yExpr}), 0) AS sy, coalesce(sum(${yExpr} * ${yExpr}), 0) AS syy,
          coalesce(sum(${x}), 0) AS sx, coalesce(sum(${x} * ${x}), 0) AS sxx, coalesce(sum(${x} * ${yExpr}), 0) AS sxy
        FROM ${t} WHERE ${present} GROUP BY variant`),
    );
  const raw = await moments(y);
  // a numeric column holding only 0 and 1 is a proportion too
  let kind = spec.kind;
  if (kind === 'mean') {
    const r = await s.one<{ other: number }>(
      sql`SELECT count(*) FILTER (WHERE ${y} NOT IN (0, 1)) AS other FROM ${t} WHERE ${present}`,
    );
    if (r && r.other === 0) kind = 'proportion';
  }
  for (const m of raw)
    if (m.n < 2)
      throw new TouchpointError(
        'invalid_input',
        `--metric ${spec.name}: variant '${m.variant}' has ${m.n} units with a value; at least 2 are needed`,
      );
  const figures = (rows: readonly Moments5[]) => armsAndTreatments(kind, rows, unitsOf, lowerIsBetter, ctx);
  const base = figures(raw);

  const responseRate = raw.slice(1).flatMap((m) => {
    const c = raw[0]!;
    const cu = unitsOf.get(c.variant)!;
    const tu = unitsOf.get(m.variant)!;
    if (c.n === cu && m.n === tu) return [];
    return [
      { variant: m.variant, ...responseRateGuardrail({ responded: c.n, n: cu }, { responded: m.n, n: tu }) },
    ];
  });

  let outliers: MetricResult['outliers'] = null;
  let winsorized: MetricResult['winsorized'] = null;
  const quantiles: MetricResult['quantiles'][number][] = [];
  if (kind === 'mean') {
    const q = await s.one<{ p99: number }>(
      sql`SELECT quantile_cont(${y}, 0.99) AS p99 FROM ${t} WHERE ${present}`,
    );
    const p99 = q?.p99 ?? 0;
    const top = await s.all<{ unit: string; variant: string; value: number }>(
      sql`SELECT unit, variant, ${y} AS value FROM ${t} WHERE ${present} ORDER BY ${y} DESC, unit LIMIT 5`,
    );
    const extreme = await s.one<{ n: number }>(
      sql`SELECT count(*) AS n FROM ${t} WHERE ${present} AND ${y} > 10 * ${p99}`,
    );
    outliers = { p99, extreme: p99 > 0 ? (extreme?.n ?? 0) : 0, top };
    if (p.winsorize !== undefined) {
      const capRow = await s.one<{ cap: number }>(
        sql`SELECT quantile_cont(${y}, ${p.winsorize}) AS cap FROM ${t} WHERE ${present}`,
      );
      const cap = capRow!.cap;
      const capped = await s.all<{ variant: string; units: number }>(
        sql`SELECT variant, count(*) FILTER (WHERE ${y} > ${cap}) AS units FROM ${t} WHERE ${present} GROUP BY variant`,
      );
      const w = figures(await moments(sql`least(${y}, ${cap})`));
      winsorized = {
        quantile: p.winsorize,
        cap,
        capped: order.map((v) => ({ variant: v, units: capped.find((c) => c.variant === v)?.units ?? 0 })),
        arms: w.arms,
        treatments: w.treatments,
      };
    }
    for (const qq of p.quantiles) quantiles.push(await quantileMetric(s, y, present, raw, qq));
  }

  const cupedRows: MetricResult['cuped'][number][] = [];
  if (p.pre && kind !== 'ratio') {
    const pre = sql`CAST(${col(p.pre)} AS DOUBLE)`;
    const rows = byVariant(
      order,
      await s.all<Moments5>(sql`
        SELECT variant, count(*) AS n, sum(${y}) AS sy, sum(${y} * ${y}) AS syy,
          sum(${pre}) AS sx, sum(${pre} * ${pre}) AS sxx, sum(${pre} * ${y}) AS sxy
        FROM ${t} WHERE ${present} AND ${col(p.pre)} IS NOT NULL GROUP BY variant`),
    );
    const cm = (m: Moments5) => ({
      n: m.n,
      sumY: m.sy,
      sumYY: m.syy,
      sumX: m.sx,
      sumXX: m.sxx,
      sumXY: m.sxy,
    });
    for (const m of rows.slice(1)) {
      const r = cuped(cm(rows[0]!), cm(m));
      cupedRows.push({
        variant: m.variant,
        theta: r.theta,
        varianceReduction: r.varianceReduction,
        absolute: r.adjusted.absolute,
        relative: r.adjusted.relative,
        p: r.adjusted.p,
        preImbalanceP: r.preImbalance.p,
        warnings: r.warnings,
      });
    }
  }
  return {
    metric: spec.name,
    kind,
    lowerIsBetter,
    arms: base.arms,
    treatments: base.treatments,
    responseRate,
    outliers,
    winsorized,
    cuped: cupedRows,
    quantiles,
  };
}

function byVariant(order: readonly string[], rows: readonly Moments5[]): Moments5[] {
  return order.map(
    (v) => rows.find((r) => r.variant === v) ?? { variant: v, n: 0, sy: 0, syy: 0, sx: 0, sxx: 0, sxy: 0 },
  );
}

function armsAndTreatments(
  kind: MetricKind,
  rows: readonly Moments5[],
  unitsOf: ReadonlyMap<string, number>,
  lowerIsBetter: boolean,
  ctx: Ctx,
): { arms: ArmFigure[]; treatments: TreatmentResult[] } {
  const summary = (m: Moments5): ArmSummary =>
    kind === 'proportion'
      ? armOfCounts(m.sy, m.n)
      : kind === 'ratio'
        ? ratioArm({ n: m.n, sumY: m.sy, sumX: m.sx, sumYY: m.syy, sumXX: m.sxx, sumXY: m.sxy })
        : armOfMoments({ n: m.n, sum: m.sy, sumSq: m.syy });
  const arms = rows.map((m): ArmFigure => {
    const units = unitsOf.get(m.variant)!;
    if (kind === 'proportion') {
      const w = wilson(m.sy, m.n);
      return { variant: m.variant, units, n: m.n, value: w.value, low: w.low, high: w.high };
    }
    if (kind === 'mean') {
      const iv = meanInterval({ n: m.n, sum: m.sy, sumSq: m.syy });
      return { variant: m.variant, units, n: m.n, value: iv.value, low: iv.low, high: iv.high };
    }
    const a = summary(m);
    const h = Z95 * Math.sqrt(a.varMean);
    return { variant: m.variant, units, n: m.n, value: a.mean, low: a.mean - h, high: a.mean + h };
  });
  const c = rows[0]!;
  const treatments = rows.slice(1).map((m): TreatmentResult => {
    const cmp: Comparison =
      kind === 'proportion'
        ? compareProportions({ k: c.sy, n: c.n }, { k: m.sy, n: m.n })
        : compareSummaries(summary(c), summary(m), c.n - 1, m.n - 1);
    const rel = relativeLift(cmp.control, cmp.treatment);
    const bayes = gaussianLift(rel, ctx.prior, lowerIsBetter);
    const seq = sequentialInterval(
      cmp.absolute.value,
      cmp.control.varMean + cmp.treatment.varMean,
      c.n + m.n,
      { tuning: ctx.tuning },
    );
    return {
      variant: m.variant,
      absolute: cmp.absolute,
      relative: cmp.relative,
      statistic: cmp.statistic,
      p: cmp.p,
      pAdjusted: cmp.p,
      sequential: { low: seq.low, high: seq.high, p: seq.p },
      bayes: {
        chanceToWin: bayes.chanceToWin,
        riskTreatment: bayes.risk.treatment,
        riskControl: bayes.risk.control,
        low: bayes.low,
        high: bayes.high,
      },
    };
  });
  return { arms, treatments };
}

async function quantileMetric(
  s: Store,
  y: SqlFragment,
  present: SqlFragment,
  raw: readonly Moments5[],
  q: number,
): Promise<MetricResult['quantiles'][number]> {
  const ranks = raw.map((m) => ({ variant: m.variant, ...quantileRanks(m.n, q) }));
  const wanted = [...new Set(ranks.flatMap((r) => [r.point, r.low, r.high]))];
  const rows = await s.all<{ variant: string; rn: number; value: number }>(sql`
    SELECT variant, rn, value FROM (
      SELECT variant, ${y} AS value, row_number() OVER (PARTITION BY variant ORDER BY ${y}) AS rn
      FROM ${ident(TABLE)} WHERE ${present}
    ) WHERE list_contains(${wanted}, rn)`);
  const at = (v: string, rn: number) => rows.find((r) => r.variant === v && r.rn === rn)!.value;
  const arms = ranks.map((r) => ({
    variant: r.variant,
    value: at(r.variant, r.point),
    low: at(r.variant, r.low),
    high: at(r.variant, r.high),
  }));
  return {
    q,
    arms,
    treatments: arms.slice(1).map((a) => ({ variant: a.variant, ...quantileDifference(arms[0]!, a) })),
  };
}

/**
 * Ship / roll back / keep testing on the primary (first) metric, per treatment: never from
 * whichever metric looks best afterwards. An SRM blocks everything (`investigate`), so does a
 * treatment that changes who reports the primary metric; a significant win ships, a significant
 * loss rolls back. Significance is the primary metric's p corrected over the treatments only
 * (the primary metric is declared, so the secondary metrics do not dilute it).
 */
function recommend(
  primary: MetricResult,
  srm: SrmResult,
  alpha: number,
  correction: AnalyzeParams['correction'],
): AnalyzeResult['recommendations'] {
  const ps = adjust(
    primary.treatments.map((t) => t.p),
    correction,
  );
  return primary.treatments.map((t0, i) => {
    const t = { ...t0, pAdjusted: ps[i]! };
    if (srm.mismatch)
      return {
        variant: t.variant,
        decision: 'investigate' as const,
        reason: 'sample ratio mismatch: fix the assignment first',
      };
    const biased = primary.responseRate.find((r) => r.variant === t.variant)?.biased;
    if (biased)
      return {
        variant: t.variant,
        decision: 'investigate' as const,
        reason: `the treatment changes who reports ${primary.metric}`,
      };
    const good = primary.lowerIsBetter ? t.absolute.value < 0 : t.absolute.value > 0;
    if (t.pAdjusted < alpha)
      return good
        ? {
            variant: t.variant,
            decision: 'ship' as const,
            reason: `${primary.metric} improved (adjusted p = ${t.pAdjusted.toPrecision(2)})`,
          }
        : {
            variant: t.variant,
            decision: 'roll back' as const,
            reason: `${primary.metric} got worse (adjusted p = ${t.pAdjusted.toPrecision(2)})`,
          };
    return {
      variant: t.variant,
      decision: 'keep testing' as const,
      reason: `no significant change in ${primary.metric} (adjusted p = ${t.pAdjusted.toPrecision(2)})`,
    };
  });
}
