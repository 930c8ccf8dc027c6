import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { parseYamlWith } from '../core/yaml.js';
import { ari } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { computeFeatures, type FeatureRow } from './features.js';
import { latestRun, personasOf } from './runs.js';

/**
 * Bring your own personas (docs/personas.md, "Bring your own"): a team that already has personas —
 * from research, a CRM field, a vendor — brings them as a named **set**, either
 *
 * - **assignments** made elsewhere: a CSV with a `customer_id` and a `persona` column
 *   (`personas import`), or
 * - **rules**: a YAML list of personas, each with conditions on the behavioural features, the first
 *   persona whose conditions all hold wins (`personas rules`),
 *
 * and compares it with the discovered personas of the newest run (`personas compare-set`): the
 * adjusted Rand index over the customers in both (Hubert & Arabie 1985; 1 = the same partition, ≈ 0 =
 * chance), the crosstab, and for each brought persona the discovered one it overlaps most (Jaccard).
 * A set is kept beside the discovered personas; it does not replace the ones other analyses use.
 */

const SetName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a set name is letters, digits, . _ - (at most 64)')
  .describe('name of the persona set (importing again under the same name replaces it)');

export interface SetSummary {
  readonly set: string;
  readonly kind: 'assignments' | 'rules';
  /** Customers of the workspace the set gives a persona. */
  readonly customers: number;
  readonly personas: readonly { readonly persona: string; readonly customers: number }[];
  readonly notes: readonly string[];
}

async function storeSet(
  db: Store,
  set: string,
  kind: 'assignments' | 'rules',
  members: ReadonlyMap<string, string>,
  definition: unknown,
  notes: string[],
): Promise<SetSummary> {
  await db.transaction(async (tx) => {
    await tx.exec(sql`DELETE FROM persona_set_members WHERE set_id = ${set}`);
    await tx.exec(sql`DELETE FROM persona_sets WHERE id = ${set}`);
    await tx.exec(sql`INSERT INTO persona_sets (id, kind, created_at, customers, definition, notes)
      VALUES (${set}, ${kind}, now()::TIMESTAMP, ${members.size}, ${JSON.stringify(definition ?? null)}, ${JSON.stringify(notes)})`);
    if (members.size > 0)
      await tx.append(
        'persona_set_members',
        [
          { name: 'set_id', type: 'varchar' },
          { name: 'customer_id', type: 'varchar' },
          { name: 'persona', type: 'varchar' },
        ],
        (function* () {
          for (const [c, p] of members) yield [set, c, p];
        })(),
      );
  });
  const counts = new Map<string, number>();
  for (const p of members.values()) counts.set(p, (counts.get(p) ?? 0) + 1);
  return {
    set,
    kind,
    customers: members.size,
    personas: [...counts]
      .map(([persona, customers]) => ({ persona, customers }))
      .sort((a, b) => b.customers - a.customers || a.persona.localeCompare(b.persona)),
    notes,
  };
}

const bad = (file: string, line: number | undefined, field: string, message: string) =>
  new TouchpointError('invalid_input', `${file}:${line ?? '?'}: ${field}: ${message}`, {
    details: [{ file, line, field, message }],
  });

/** The customer id and persona columns of an assignments CSV header (case-insensitive). */
const ID_COLUMNS = ['customer_id', 'customer', 'id'];
const PERSONA_COLUMNS = ['persona', 'persona_name', 'segment_name'];

/**
 * Reads an assignments CSV: a header naming the customer id column (`customer_id`, `customer` or `id`)
 * and the persona column (`persona`); one customer a line. Errors name the file, the line and the
 * field. A customer listed twice with two personas is refused; one the workspace does not know is
 * left out and counted in the notes.
 */
export async function importAssignments(
  db: Store,
  params: { set: string; text: string; file?: string | undefined },
): Promise<SetSummary> {
  const file = params.file ?? 'assignments.csv';
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(params.text, {
      columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
      relax_column_count: false,
    }) as typeof records;
  } catch (e) {
    const err = e as { lines?: number; message: string };
    throw bad(file, err.lines, 'csv', err.message.replace(/^Invalid Record Length: /, '').split('\n')[0]!);
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const idCol = ID_COLUMNS.find((c) => header.includes(c));
  const personaCol = PERSONA_COLUMNS.find((c) => header.includes(c));
  if (records.length === 0)
    throw bad(file, 1, 'csv', 'no assignments: give a header and one customer a line');
  if (!idCol) throw bad(file, 1, 'customer_id', `no customer id column (one of ${ID_COLUMNS.join(', ')})`);
  if (!personaCol) throw bad(file, 1, 'persona', `no persona column (one of ${PERSONA_COLUMNS.join(', ')})`);
  const wanted = new Map<string, { persona: string; line: number }>();
  for (const { record, info } of records) {
    const id = record[idCol] ?? '';
    const persona = record[personaCol] ?? '';
    if (id === '') throw bad(file, info.lines, idCol, 'empty customer id');
    if (persona === '') throw bad(file, info.lines, personaCol, `customer ${id} has no persona`);
    if (persona.length > 80)
      throw bad(file, info.lines, personaCol, 'a persona name is at most 80 characters');
    const seen = wanted.get(id);
    if (seen && seen.persona !== persona)
      throw bad(
        file,
        info.lines,
        personaCol,
        `customer ${id} is "${seen.persona}" on line ${seen.line} and "${persona}" here`,
      );
    if (!seen) wanted.set(id, { persona, line: info.lines });
  }
  await db.createTemp('_tp_byo_ids', [{ name: 'id', type: 'varchar' }]);
  await db.append(
    '_tp_byo_ids',
    [{ name: 'id', type: 'varchar' }],
    [...wanted.keys()].map((id) => [id]),
  );
  const known = new Set(
    (await db.all<{ id: string }>(sql`SELECT i.id FROM _tp_byo_ids i JOIN customers c ON c.id = i.id`)).map(
      (r) => r.id,
    ),
  );
  await db.exec(sql`DROP TABLE _tp_byo_ids`);
  const members = new Map<string, string>();
  const unknown: { id: string; line: number }[] = [];
  for (const [id, w] of wanted) {
    if (known.has(id)) members.set(id, w.persona);
    else unknown.push({ id, line: w.line });
  }
  const notes: string[] = [];
  if (unknown.length > 0)
    notes.push(
      `${unknown.length} customer ids are not in the workspace and were left out (first: ${unknown
        .slice(0, 3)
        .map((u) => `${u.id} on line ${u.line}`)
        .join(', ')})`,
    );
  if (members.size === 0)
    throw bad(file, undefined, idCol, 'none of the customer ids is a customer of this workspace');
  return storeSet(db, params.set, 'assignments', members, { file, columns: [idCol, personaCol] }, notes);
}

const OPS = ['>=', '<=', '!=', '>', '<', '='] as const;
type Op = (typeof OPS)[number];
const CONDITION = /^\s*([A-Za-z_][A-Za-z0-9_]*(?::[^\s<>=!]+)?)\s*(>=|<=|!=|>|<|=)\s*(.+?)\s*$/;

/** The features a rule may name: every number of the feature table, the two "top" texts, the flags. */
const NUMERIC_FEATURES = [
  'events',
  'active_days',
  'frequency',
  'tenure_days',
  'recency_days',
  'value',
  'breadth',
  'stage_reached',
  'stage_share',
  'self_service_share',
  'switch_rate',
  'cases',
  'contact_rate',
  'handoffs',
  'handoffs_per_case',
  'nps',
  'csat',
  'ces',
  'sentiment',
] as const;
const TEXT_FEATURES = ['top_reason', 'top_theme'] as const;
const FLAG_FEATURES = ['churned', 'thin'] as const;

interface Condition {
  readonly feature: string;
  readonly op: Op;
  readonly value: string | number | boolean;
  readonly get: (r: FeatureRow) => number | string | boolean | null;
}

function conditionOf(text: string, channels: readonly string[]): Condition | string {
  const m = CONDITION.exec(text);
  if (!m) return 'a condition is "feature op value", e.g. "frequency >= 2" or "mix:store > 0.5"';
  const [, feature, op, rawValue] = m as unknown as [string, string, Op, string];
  const unquoted = rawValue.replace(/^(["'])(.*)\1$/, '$2');
  if (feature.startsWith('mix:')) {
    const ch = channels.indexOf(feature.slice(4));
    if (ch < 0) return `no channel ${feature.slice(4)} in the data's channel mix (${channels.join(', ')})`;
    const v = Number(unquoted);
    if (!Number.isFinite(v)) return `${feature} is a share 0…1: compare it with a number`;
    return { feature, op, value: v, get: (r) => r.mix[ch] ?? 0 };
  }
  if ((NUMERIC_FEATURES as readonly string[]).includes(feature)) {
    const v = Number(unquoted);
    if (!Number.isFinite(v)) return `${feature} is a number: compare it with a number`;
    return { feature, op, value: v, get: (r) => r[feature as (typeof NUMERIC_FEATURES)[number]] };
  }
  if ((TEXT_FEATURES as readonly string[]).includes(feature)) {
    if (op !== '=' && op !== '!=') return `${feature} is a text: use = or !=`;
    return { feature, op, value: unquoted, get: (r) => r[feature as (typeof TEXT_FEATURES)[number]] };
  }
  if ((FLAG_FEATURES as readonly string[]).includes(feature)) {
    if ((op !== '=' && op !== '!=') || !['true', 'false'].includes(unquoted))
      return `${feature} is true or false: use = true or = false`;
    return {
      feature,
      op,
      value: unquoted === 'true',
      get: (r) => r[feature as (typeof FLAG_FEATURES)[number]],
    };
  }
  return `unknown feature ${feature} (features: ${[...NUMERIC_FEATURES, ...TEXT_FEATURES, ...FLAG_FEATURES].join(', ')}, mix:CHANNEL)`;
}

function holds(c: Condition, r: FeatureRow): boolean {
  const x = c.get(r);
  if (x === null || x === undefined) return false;
  switch (c.op) {
    case '=':
      return x === c.value;
    case '!=':
      return x !== c.value;
    case '>':
      return (x as number) > (c.value as number);
    case '>=':
      return (x as number) >= (c.value as number);
    case '<':
      return (x as number) < (c.value as number);
    case '<=':
      return (x as number) <= (c.value as number);
  }
}

/** The rules file: personas in order, each with conditions that must all hold; `otherwise` names the rest. */
function rulesSchema(channels: readonly string[]) {
  const condition = z.string().superRefine((text, ctx) => {
    const c = conditionOf(text, channels);
    if (typeof c === 'string') ctx.addIssue({ code: 'custom', message: c });
  });
  return z.strictObject({
    personas: z
      .array(
        z.strictObject({
          name: z.string().trim().min(1).max(80),
          when: z.array(condition).min(1, 'give at least one condition'),
          note: z.string().max(2000).optional(),
        }),
      )
      .min(1, 'give at least one persona'),
    otherwise: z
      .string()
      .trim()
      .min(1)
      .max(80)
      .optional()
      .describe('the persona of customers no rule matches (default: they get none)'),
  });
}

export interface RulesSummary extends SetSummary {
  /** Per rule, in order: the customers it matched first (a later rule never sees them). */
  readonly rules: readonly { readonly persona: string; readonly matched: number }[];
  readonly unmatched: number;
}

/**
 * Applies persona rules to every customer's features (as of `asOf`, default the features' default):
 * the first persona whose conditions all hold is the customer's; a condition on a missing value (no
 * NPS answer, no event) does not hold. Customers no rule matches get `otherwise`, else no persona.
 */
export async function applyRules(
  db: Store,
  params: { set: string; text: string; file?: string | undefined; asOf?: string | null | undefined },
): Promise<RulesSummary> {
  const file = params.file ?? 'rules.yaml';
  const t = await computeFeatures(db, { asOf: params.asOf ?? null });
  const def = parseYamlWith(params.text, rulesSchema(t.channels), file);
  const rules = def.personas.map((p) => ({
    persona: p.name,
    conditions: p.when.map((w) => conditionOf(w, t.channels) as Condition),
  }));
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.persona))
      throw bad(file, undefined, 'personas', `persona "${r.persona}" is listed twice`);
    names.add(r.persona);
  }
  const members = new Map<string, string>();
  const matched = rules.map(() => 0);
  let unmatched = 0;
  for (const row of t.rows) {
    const i = rules.findIndex((r) => r.conditions.every((c) => holds(c, row)));
    if (i >= 0) {
      matched[i]! += 1;
      members.set(row.customer_id, rules[i]!.persona);
    } else {
      unmatched += 1;
      if (def.otherwise) members.set(row.customer_id, def.otherwise);
    }
  }
  const notes: string[] = [`features as of ${t.asOf.slice(0, 10)}`];
  if (unmatched > 0)
    notes.push(
      `${unmatched} customers match no rule${def.otherwise ? `: they are "${def.otherwise}"` : ' and have no persona in this set'}`,
    );
  rules.forEach((r, i) => {
    if (matched[i] === 0) notes.push(`no customer matches the rule of "${r.persona}"`);
  });
  const summary = await storeSet(db, params.set, 'rules', members, def, notes);
  return {
    ...summary,
    rules: rules.map((r, i) => ({ persona: r.persona, matched: matched[i]! })),
    unmatched,
  };
}

export interface SetComparison {
  readonly set: string;
  readonly runId: string;
  /** Customers with a persona in both the set and the run. */
  readonly n: number;
  /** Adjusted Rand index of the two partitions over those customers. */
  readonly ari: number;
  readonly discovered: readonly { readonly id: string; readonly name: string }[];
  /** Rows: the set's personas; cells: customers in both, per discovered persona (same order). */
  readonly crosstab: readonly {
    readonly persona: string;
    readonly n: number;
    readonly counts: readonly number[];
    /** The discovered persona sharing most customers with it, and their Jaccard. */
    readonly best: { readonly id: string; readonly name: string; readonly jaccard: number } | null;
  }[];
  readonly notes: readonly string[];
}

/** Compares a brought set with the newest discovery run on the customers both give a persona. */
export async function compareSet(db: Store, params: { set: string }): Promise<SetComparison> {
  const s = await db.one<{ id: string }>(sql`SELECT id FROM persona_sets WHERE id = ${params.set}`);
  if (!s) {
    const all = await db.all<{ id: string }>(sql`SELECT id FROM persona_sets ORDER BY id`);
    throw new TouchpointError(
      'not_found',
      `set: no persona set ${params.set}${all.length ? ` (sets: ${all.map((x) => x.id).join(', ')})` : '; bring one with `touchpoint personas import` or `personas rules`'}`,
    );
  }
  const run = await latestRun(db);
  const personas = (await personasOf(db, run.id)).filter((p) => p.status !== 'retired');
  const rows = await db.all<{ persona: string; persona_id: string }>(sql`
    SELECT m.persona, cp.persona_id FROM persona_set_members m
    JOIN customer_personas cp ON cp.customer_id = m.customer_id AND cp.run_id = ${run.id}
    WHERE m.set_id = ${params.set} ORDER BY m.customer_id`);
  const setSizes = await db.all<{ persona: string; n: number }>(
    sql`SELECT persona, count(*) AS n FROM persona_set_members WHERE set_id = ${params.set} GROUP BY persona`,
  );
  const col = new Map(personas.map((p, i) => [p.id, i]));
  const labels = [...new Set(setSizes.map((r) => r.persona))].sort();
  const counts = new Map(labels.map((l) => [l, new Array<number>(personas.length).fill(0)]));
  for (const r of rows) {
    const j = col.get(r.persona_id);
    if (j !== undefined) counts.get(r.persona)![j]! += 1;
  }
  const colTotals = personas.map((_, j) => labels.reduce((a, l) => a + counts.get(l)![j]!, 0));
  const notes: string[] = [];
  const setTotal = setSizes.reduce((a, r) => a + Number(r.n), 0);
  if (rows.length < setTotal)
    notes.push(`${setTotal - rows.length} customers of the set are not in run ${run.id} (joined after it)`);
  const crosstab = labels
    .map((persona) => {
      const c = counts.get(persona)!;
      const n = c.reduce((a, b) => a + b, 0);
      let best: SetComparison['crosstab'][number]['best'] = null;
      c.forEach((k, j) => {
        if (k === 0) return;
        const jac = k / (n + colTotals[j]! - k);
        if (!best || jac > best.jaccard)
          best = { id: personas[j]!.id, name: personas[j]!.name, jaccard: jac };
      });
      return { persona, n, counts: c, best };
    })
    .sort((a, b) => b.n - a.n || a.persona.localeCompare(b.persona));
  const value =
    rows.length >= 2
      ? ari(
          rows.map((r) => r.persona),
          rows.map((r) => r.persona_id),
        )
      : Number.NaN;
  if (rows.length < 2) notes.push('fewer than 2 customers in both: no agreement to measure');
  return {
    set: params.set,
    runId: run.id,
    n: rows.length,
    ari: value,
    discovered: personas.map((p) => ({ id: p.id, name: p.name })),
    crosstab,
    notes,
  };
}

const FileParams = {
  file: z.string().optional().describe('the file to read (CLI)'),
  set: SetName,
};

const presentSet = (r: SetSummary) => [
  {
    text: `Persona set ${r.set} (${r.kind}): ${r.customers.toLocaleString('en-US')} customers in ${r.personas.length} personas. Compare it: touchpoint personas compare-set --set ${r.set}`,
  },
  { rows: r.personas.map((p) => ({ persona: p.persona, customers: p.customers })) },
  ...(r.notes.length > 0 ? [{ title: 'Notes', text: r.notes.join('\n') }] : []),
];

export const importOperation = defineOperation({
  area: 'personas',
  verb: 'import',
  summary: 'Bring persona assignments made elsewhere (a CSV of customer_id,persona) as a named set',
  params: z.object({
    ...FileParams,
    text: z
      .string()
      .max(50 * 1024 * 1024)
      .optional()
      .describe('the CSV as text (customer_id,persona with a header)'),
  }),
  mode: 'write',
  positional: ['file'],
  fileInputs: { file: 'text' },
  run: (db, p) => {
    if (p.text === undefined)
      throw new TouchpointError('invalid_input', 'text: give a FILE of customer_id,persona (or text)', {
        details: [{ field: 'text', message: 'required' }],
      });
    return importAssignments(db, { set: p.set, text: p.text, file: p.file });
  },
  present: presentSet,
});

export const rulesOperation = defineOperation({
  area: 'personas',
  verb: 'rules',
  summary:
    'Bring personas as rules (a YAML of conditions on the features): every customer gets the first that holds',
  params: z.object({
    ...FileParams,
    text: z
      .string()
      .max(1024 * 1024)
      .optional()
      .describe('the rules as YAML text'),
    // reference instant of the features the rules read; default the day after the last event
    asOf: TimeFrameParams.asOf,
  }),
  mode: 'write',
  positional: ['file'],
  fileInputs: { file: 'text' },
  run: (db, p) => {
    if (p.text === undefined)
      throw new TouchpointError('invalid_input', 'text: give a FILE of persona rules (or text)', {
        details: [{ field: 'text', message: 'required' }],
      });
    return applyRules(db, { set: p.set, text: p.text, file: p.file, asOf: p.asOf });
  },
  present: (r) => [
    ...presentSet(r),
    {
      title: 'Rules, in order',
      rows: r.rules.map((x) => ({ persona: x.persona, 'matched first': x.matched })),
    },
  ],
});

export const compareSetOperation = defineOperation({
  area: 'personas',
  verb: 'compare-set',
  summary: 'Compare a brought persona set with the discovered personas: adjusted Rand index and crosstab',
  params: z.object({ set: SetName }),
  mode: 'read',
  run: (db, p) => compareSet(db, p),
  present: (r) => [
    {
      text: `Set ${r.set} vs run ${r.runId}: adjusted Rand index ${Number.isFinite(r.ari) ? r.ari.toFixed(3) : '—'} over ${r.n.toLocaleString('en-US')} customers in both (1 = the same grouping, 0 = chance).`,
    },
    {
      rows: r.crosstab.map((x) => ({
        persona: x.persona,
        customers: x.n,
        ...Object.fromEntries(r.discovered.map((d, j) => [`${d.id} ${d.name}`, x.counts[j]])),
        'closest discovered': x.best ? `${x.best.id} (Jaccard ${x.best.jaccard.toFixed(2)})` : '—',
      })),
    },
    ...(r.notes.length > 0 ? [{ title: 'Notes', text: r.notes.join('\n') }] : []),
  ],
});

export interface SetsResult {
  readonly sets: readonly {
    readonly set: string;
    readonly kind: 'assignments' | 'rules';
    readonly createdAt: string;
    readonly customers: number;
    /** The comparison with the newest discovery run; null before any discovery. */
    readonly comparison: SetComparison | null;
  }[];
}

/** Every brought persona set, each compared with the newest discovery run (when there is one). */
export async function listSets(db: Store): Promise<SetsResult> {
  const rows = await db.all<{
    id: string;
    kind: 'assignments' | 'rules';
    created_at: string;
    customers: number;
  }>(
    sql`SELECT id, kind, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, customers FROM persona_sets ORDER BY id`,
  );
  const run = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM persona_runs`);
  const sets = [];
  for (const r of rows)
    sets.push({
      set: r.id,
      kind: r.kind,
      createdAt: r.created_at,
      customers: Number(r.customers),
      comparison: (run?.n ?? 0) > 0 ? await compareSet(db, { set: r.id }) : null,
    });
  return { sets };
}

export const setsOperation = defineOperation({
  area: 'personas',
  verb: 'sets',
  summary:
    'The persona sets a team brought (imported or from rules), each compared with the discovered personas',
  params: z.object({}),
  mode: 'read',
  run: (db) => listSets(db),
  present: (r) => [
    {
      rows: r.sets.map((s) => ({
        set: s.set,
        kind: s.kind,
        customers: s.customers,
        'ARI vs discovered':
          s.comparison && Number.isFinite(s.comparison.ari) ? s.comparison.ari.toFixed(3) : '—',
        'in both': s.comparison?.n ?? 0,
      })),
    },
  ],
});
