import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type Progress } from '../core/operation.js';
import { seedDemoGoals } from '../goals/index.js';
import { rebuildIdentities } from '../ingest/index.js';
import { getSummary, presentSummary, SummaryParams } from '../overview/index.js';
import { ident, type Store, sql } from '../store/index.js';
import { casePlants, simulateCases } from './cases.js';
import { anonymousIdFor, customerRow, customerTruthRow, makeCustomer, personaTruth } from './customers.js';
import { seedDemoExperiments } from './experiments.js';
import { feedbackPlants, simulateFeedback, surveyRows } from './feedback.js';
import { simulateHabits } from './habits.js';
import { healthDecoyPlants, seedHealthDecoy } from './health-decoy.js';
import { createJourneySim, journeyDefinition, journeyPlants } from './journeys.js';
import { type DemoManifest, writeManifest } from './manifest.js';
import { monitorPlants, simulateMonitorContacts, souringOut } from './monitors.js';
import { buildOrg, peoplePlants } from './people.js';
import { writeDemoPolicies } from './policies.js';
import { streamFor } from './rng.js';
import { AS_OF, type Out } from './world.js';
import { csvCell, loadFiles, Stage, type StageTable } from './writer.js';

/**
 * The demo company generator: simulates every customer in turn (customers → journeys → cases →
 * feedback, each module on its own random stream), stages the rows as CSV and loads them in one
 * transaction, then writes the manifest of what it planted. Same seed and size → identical rows.
 */
export const DEFAULT_CUSTOMERS = 40_000;
/** Anonymous visitors who never sign up, per customer. */
export const VISITORS_PER_CUSTOMER = 0.35;

export const STAGE_TABLES: readonly StageTable[] = [
  {
    table: 'teams',
    columns: [
      ['id', 'varchar'],
      ['name', 'varchar'],
      ['tier', 'integer'],
      ['function', 'varchar'],
    ],
  },
  {
    table: 'employees',
    columns: [
      ['id', 'varchar'],
      ['team_id', 'varchar'],
      ['name', 'varchar'],
      ['role', 'varchar'],
      ['hired_at', 'timestamp'],
      ['left_at', 'timestamp'],
      ['attributes', 'json'],
    ],
  },
  {
    table: 'pulse',
    columns: [
      ['id', 'varchar'],
      ['employee_id', 'varchar'],
      ['team_id', 'varchar'],
      ['ts', 'timestamp'],
      ['question', 'varchar'],
      ['score', 'double'],
      ['comment', 'varchar'],
    ],
  },
  {
    table: 'journeys',
    columns: [
      ['id', 'varchar'],
      ['name', 'varchar'],
      ['description', 'varchar'],
      ['is_default', 'boolean'],
    ],
  },
  {
    table: 'journey_stages',
    columns: [
      ['journey_id', 'varchar'],
      ['position', 'integer'],
      ['stage', 'varchar'],
    ],
  },
  {
    table: 'journey_touchpoints',
    columns: [
      ['journey_id', 'varchar'],
      ['touchpoint', 'varchar'],
      ['stage', 'varchar'],
    ],
  },
  {
    table: 'touchpoint_owners',
    columns: [
      ['touchpoint', 'varchar'],
      ['channel', 'varchar'],
      ['team_id', 'varchar'],
    ],
  },
  {
    table: 'surveys',
    columns: [
      ['id', 'varchar'],
      ['name', 'varchar'],
      ['touchpoint', 'varchar'],
      ['channel', 'varchar'],
      ['questions', 'json'],
      ['created_at', 'timestamp'],
    ],
  },
  {
    table: 'customers',
    columns: [
      ['id', 'varchar'],
      ['created_at', 'timestamp'],
      ['segment', 'varchar'],
      ['plan', 'varchar'],
      ['region', 'varchar'],
      ['country', 'varchar'],
      ['monthly_value', 'double'],
      ['churned_at', 'timestamp'],
      ['attributes', 'json'],
      ['churned', 'boolean'],
    ],
  },
  {
    table: 'identities',
    columns: [
      ['alias_type', 'varchar'],
      ['alias', 'varchar'],
      ['customer_id', 'varchar'],
      ['source', 'varchar'],
      ['created_at', 'timestamp'],
    ],
  },
  {
    table: 'identity_links',
    columns: [
      ['alias_type', 'varchar'],
      ['alias', 'varchar'],
      ['linked_type', 'varchar'],
      ['linked_alias', 'varchar'],
      ['source', 'varchar'],
    ],
  },
  {
    table: 'events',
    columns: [
      ['id', 'varchar'],
      ['customer_id', 'varchar'],
      ['anonymous_id', 'varchar'],
      ['ts', 'timestamp'],
      ['channel', 'varchar'],
      ['touchpoint', 'varchar'],
      ['stage', 'varchar'],
      ['name', 'varchar'],
      ['outcome', 'varchar'],
      ['direction', 'varchar'],
      ['session_id', 'varchar'],
      ['properties', 'json'],
      ['customer_stitched', 'boolean'],
    ],
  },
  {
    table: 'cases',
    columns: [
      ['id', 'varchar'],
      ['customer_id', 'varchar'],
      ['opened_at', 'timestamp'],
      ['closed_at', 'timestamp'],
      ['channel', 'varchar'],
      ['reason', 'varchar'],
      ['status', 'varchar'],
      ['owner_team', 'varchar'],
      ['owner_agent', 'varchar'],
      ['product', 'varchar'],
      ['priority', 'varchar'],
    ],
  },
  {
    table: 'case_events',
    columns: [
      ['id', 'varchar'],
      ['case_id', 'varchar'],
      ['ts', 'timestamp'],
      ['seq', 'integer'],
      ['type', 'varchar'],
      ['team', 'varchar'],
      ['agent', 'varchar'],
      ['status', 'varchar'],
      ['channel', 'varchar'],
      ['transfer_reason', 'varchar'],
      ['promised_at', 'timestamp'],
      ['note', 'varchar'],
    ],
  },
  {
    table: 'feedback',
    columns: [
      ['id', 'varchar'],
      ['customer_id', 'varchar'],
      ['ts', 'timestamp'],
      ['channel', 'varchar'],
      ['touchpoint', 'varchar'],
      ['kind', 'varchar'],
      ['score', 'double'],
      ['comment', 'varchar'],
      ['survey_id', 'varchar'],
      ['question', 'varchar'],
      ['case_id', 'varchar'],
      ['language', 'varchar'],
    ],
  },
  {
    table: 'demo_truth_comments',
    columns: [
      ['feedback_id', 'varchar'],
      ['theme', 'varchar'],
      ['template_id', 'varchar'],
      ['held_out', 'boolean'],
    ],
  },
  {
    table: 'demo_truth_customers',
    columns: [
      ['customer_id', 'varchar'],
      ['persona', 'varchar'],
      ['engagement', 'double'],
      ['patience', 'double'],
      ['price_sensitivity', 'double'],
      ['digital_affinity', 'double'],
    ],
  },
];

/** Tables only the generator writes and only tests read: ground truth analyses must never see. */
const TRUTH_DDL = [
  sql`CREATE TABLE IF NOT EXISTS demo_truth_comments (
    feedback_id VARCHAR NOT NULL, theme VARCHAR NOT NULL, template_id VARCHAR NOT NULL, held_out BOOLEAN NOT NULL)`,
  sql`CREATE TABLE IF NOT EXISTS demo_truth_customers (
    customer_id VARCHAR PRIMARY KEY, persona VARCHAR NOT NULL, engagement DOUBLE, patience DOUBLE,
    price_sensitivity DOUBLE, digital_affinity DOUBLE)`,
];

/** Tables whose rows make a workspace "not empty" for the demo. */
const DATA_TABLES = [
  'customers',
  'events',
  'feedback',
  'cases',
  'case_events',
  'teams',
  'employees',
] as const;

export interface GenerateOptions {
  readonly seed: number;
  readonly customers: number;
  readonly onProgress?: (p: Progress) => void;
  /** Customers per staging chunk (default 50,000); changes only how the load is cut, never the rows. */
  readonly chunkCustomers?: number;
}

export interface GenerateResult {
  readonly seed: number;
  readonly customers: number;
  readonly events: number;
  readonly rows: Record<string, number>;
  readonly plants: number;
  readonly decoys: number;
  /** Wall time; JS simulation time; time spent waiting for the engine to finish loading chunks. */
  readonly seconds: { readonly total: number; readonly simulate: number; readonly waitingForLoad: number };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** The manifest for a run (plants of every module), given the final event count. */
export function buildManifest(seed: number, customers: number, events: number): DemoManifest {
  const parts = [
    journeyPlants(),
    feedbackPlants(),
    casePlants(),
    peoplePlants(),
    monitorPlants(),
    healthDecoyPlants(),
  ];
  return {
    seed,
    customers,
    events,
    asOf: new Date(AS_OF).toISOString(),
    plants: parts.flatMap((p) => p.plants),
    decoys: parts.flatMap((p) => p.decoys),
    personas: personaTruth(),
  };
}

/** Customers simulated per staging chunk: a chunk loads while the next one is simulated. */
const CHUNK = 50_000;

/**
 * Simulates the company into CSV staging files, calling `onChunk` after every `CHUNK` customers and
 * at the end (the caller loads the finished chunk while the next one is simulated).
 */
export async function simulate(
  options: GenerateOptions,
  stage: Stage,
  onChunk: () => Promise<void> = async () => {},
): Promise<void> {
  const { seed, customers: n, onProgress } = options;
  const chunk = Math.max(1, options.chunkCustomers ?? CHUNK);
  const w = (t: string) => stage.writer(t);
  const wEventLine = stage.lineWriter('events');
  const wLink = stage.writer('identity_links');
  const [wFeedback, wTruth, wCase, wCaseEvent, wIdentity, wCustomer, wCustTruth] = [
    w('feedback'),
    w('demo_truth_comments'),
    w('cases'),
    w('case_events'),
    w('identities'),
    w('customers'),
    w('demo_truth_customers'),
  ];
  let eventN = 0;
  let feedbackN = 0;
  let caseN = 0;
  let caseEventN = 0;
  const out: Out = {
    event(e) {
      const id = `e${pad(++eventN, 10)}`;
      // Every text field of an event is a constant of the generator or an id (no comma, quote or
      // newline), so the line is built directly; only the JSON properties need quoting. Events that
      // carry both ids were attributed by stitching (customer_stitched, as the ingest materialises it).
      const props = e.properties ? csvCell('json', JSON.stringify(e.properties)) : '';
      wEventLine(
        `${id},${e.customerId ?? ''},${e.anonymousId ?? ''},${Math.round(e.ts)},${e.channel},${e.touchpoint},${e.stage ?? ''},${e.name},${e.outcome ?? ''},${e.direction ?? 'inbound'},${e.sessionId ?? ''},${props},${e.customerId !== null && !!e.anonymousId}\n`,
      );
      return id;
    },
    feedback(f) {
      const id = `f${pad(++feedbackN, 9)}`;
      wFeedback([
        id,
        f.customerId,
        f.ts,
        f.channel,
        f.touchpoint,
        f.kind,
        f.score,
        f.comment,
        f.surveyId,
        f.question,
        f.caseId ?? null,
        f.comment ? 'en' : null,
      ]);
      return id;
    },
    truthComment(feedbackId, theme, templateId, heldOut) {
      wTruth([feedbackId, theme, templateId, heldOut]);
    },
    nextCaseId: () => `CS${pad(++caseN, 8)}`,
    caseRow(c) {
      wCase([
        c.id,
        c.customerId,
        c.openedAt,
        c.closedAt,
        c.channel,
        c.reason,
        c.status,
        c.ownerTeam,
        c.ownerAgent,
        c.product,
        c.priority,
      ]);
    },
    caseEvent(e) {
      wCaseEvent([
        `ce${pad(++caseEventN, 10)}`,
        e.caseId,
        e.ts,
        e.seq,
        e.type,
        e.team ?? null,
        e.agent ?? null,
        e.status ?? null,
        e.channel ?? null,
        e.transferReason ?? null,
        e.promisedAt ?? null,
        e.note ?? null,
      ]);
    },
    identity(aliasType, alias, customerId, source, createdAt) {
      // the observed link (what identity stitching resolves from) and its resolution
      wLink([aliasType, alias, 'customer_id', customerId, source]);
      wIdentity([aliasType, alias, customerId, source, createdAt]);
    },
  };

  const org = buildOrg(seed, n);
  for (const r of org.teams) w('teams')(r);
  for (const r of org.employees) w('employees')(r);
  for (const r of org.pulse) w('pulse')(r);
  const def = journeyDefinition();
  for (const r of def.journeys) w('journeys')(r);
  for (const r of def.stages) w('journey_stages')(r);
  for (const r of def.touchpoints) w('journey_touchpoints')(r);
  for (const r of def.owners) w('touchpoint_owners')(r);
  for (const r of surveyRows()) w('surveys')(r);

  const journeys = createJourneySim();
  let visitors = 0;
  const step = Math.max(1000, Math.round(n / 200));
  for (let i = 0; i < n; i++) {
    const c = makeCustomer(i, streamFor(seed, i, 'customers'));
    journeys.customer(c, streamFor(seed, i, 'journeys'), out);
    simulateCases(c, streamFor(seed, i, 'cases'), out, org.agents);
    simulateFeedback(c, streamFor(seed, i, 'feedback'), souringOut(out, streamFor(seed, i, 'monitors')));
    // last, on its own stream: the archetypes' everyday habits change no earlier draw
    simulateHabits(c, streamFor(seed, i, 'habits'), out);
    wCustomer(customerRow(c));
    wCustTruth(customerTruthRow(c));
    const due = Math.floor((i + 1) * VISITORS_PER_CUSTOMER);
    while (visitors < due) {
      journeys.visitor(
        visitors,
        anonymousIdFor(0x40000000 + visitors),
        streamFor(seed, visitors, 'visitors'),
        out,
      );
      visitors++;
    }
    if ((i + 1) % step === 0 || i + 1 === n) {
      onProgress?.({ phase: 'generating the demo company', done: i + 1, total: n, unit: 'customers' });
    }
    if ((i + 1) % chunk === 0 && i + 1 < n) await onChunk();
  }
  // the monitors' plants: drawn last, from their own streams (src/demo/monitors.ts)
  simulateMonitorContacts(seed, n, out, org.agents);
  await onChunk();
}

async function rowCount(db: Store, table: string): Promise<number> {
  const r = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM ${ident(table)}`);
  return r?.n ?? 0;
}

/** True when the workspace holds no customer-experience data. */
export async function workspaceIsEmpty(db: Store): Promise<boolean> {
  for (const t of DATA_TABLES) if ((await rowCount(db, t)) > 0) return false;
  return true;
}

async function foreignKeys(db: Store): Promise<{ child: string; parent: string }[]> {
  return db.all<{ child: string; parent: string }>(sql`
    SELECT table_name AS child, referenced_table AS parent FROM duckdb_constraints()
    WHERE constraint_type = 'FOREIGN KEY' AND schema_name = 'main'`);
}

/**
 * Deletes every row of every table except the migration log (for --replace), children before the
 * tables their foreign keys reference.
 */
async function clearWorkspace(db: Store): Promise<void> {
  const tables = (
    await db.all<{ name: string }>(sql`
      SELECT table_name AS name FROM duckdb_tables()
      WHERE schema_name = 'main' AND NOT temporary AND table_name <> 'schema_migrations'
      ORDER BY table_name`)
  ).map((t) => t.name);
  const edges = await foreignKeys(db);
  const left = new Set(tables);
  while (left.size > 0) {
    // a table can go once no remaining table references it
    const ready = [...left].filter(
      (t) => !edges.some((e) => e.parent === t && e.child !== t && left.has(e.child)),
    );
    if (ready.length === 0)
      throw new TouchpointError('internal', 'foreign keys form a cycle; cannot clear the workspace');
    for (const t of ready) {
      await db.exec(sql`DELETE FROM ${ident(t)}`);
      left.delete(t);
    }
  }
}

/** Generates the demo company into `db` (which must be empty unless `replace`). */
export async function generateDemo(
  db: Store,
  options: GenerateOptions & { readonly replace?: boolean },
): Promise<GenerateResult> {
  if (!options.replace && !(await workspaceIsEmpty(db))) {
    throw new TouchpointError(
      'conflict',
      `${db.path} already holds data; run 'touchpoint demo --replace' to replace it with the demo company, or use another --db file`,
    );
  }
  const t0 = performance.now();
  // The engine cannot delete a referenced parent row in the transaction that deleted its children, so
  // with foreign keys in the schema the old rows are cleared (and committed) first; without them the
  // clearing is part of the one all-or-nothing transaction below.
  const clearFirst = options.replace === true && (await foreignKeys(db)).length > 0;
  if (clearFirst) await clearWorkspace(db);
  const stage = new Stage(STAGE_TABLES);
  let simulateMs = 0;
  let waitMs = 0;
  // Loading without keeping insertion order costs ~40% less engine CPU (measured); the setting is the
  // engine's, so the previous value is restored afterwards. Row order carries no meaning anywhere.
  const order = await db.one<{ v: string }>(
    sql`SELECT current_setting('preserve_insertion_order')::VARCHAR AS v`,
  );
  await db.exec(sql`SET preserve_insertion_order = false`);
  try {
    const manifest = await db.transaction(async (tx) => {
      if (options.replace && !clearFirst) await clearWorkspace(tx);
      for (const ddl of TRUTH_DDL) await tx.exec(ddl);
      // Each finished chunk loads on the engine's threads while the next one is simulated.
      let pending: Promise<void> = Promise.resolve();
      let mark = performance.now();
      await simulate(options, stage, async () => {
        simulateMs += performance.now() - mark;
        const w0 = performance.now();
        await pending;
        waitMs += performance.now() - w0;
        pending = loadFiles(tx, stage.cut());
        pending.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
        mark = performance.now();
      });
      const w0 = performance.now();
      options.onProgress?.({ phase: 'loading the last rows', done: 0, total: 1, unit: 'chunk' });
      await pending;
      waitMs += performance.now() - w0;
      options.onProgress?.({ phase: 'loading the last rows', done: 1, total: 1, unit: 'chunk' });
      // the identity graph's components (identity_nodes), so that imports stitch incrementally; the
      // demo wrote identities and attributions as stitching makes them: this changes none of them
      await rebuildIdentities(tx, options.onProgress);
      // the health decoy's cases (a costly-looking contact reason with no effect on churn), on their own stream
      await seedHealthDecoy(tx, options.seed);
      const m = buildManifest(options.seed, options.customers, stage.rows('events'));
      await writeManifest(tx, m, new Date(AS_OF));
      await writeDemoPolicies(tx);
      return m;
    });
    // program goals over the registry's metrics, their baselines from the data just generated
    await seedDemoGoals(db, new Date(AS_OF));
    const rows = stage.allRows();
    const s = (ms: number) => Math.round(ms / 100) / 10;
    return {
      seed: options.seed,
      customers: options.customers,
      events: rows.events ?? 0,
      rows,
      plants: manifest.plants.length,
      decoys: manifest.decoys.length,
      seconds: { total: s(performance.now() - t0), simulate: s(simulateMs), waitingForLoad: s(waitMs) },
    };
  } finally {
    stage.dispose();
    await db.exec(
      order?.v === 'false'
        ? sql`SET preserve_insertion_order = false`
        : sql`SET preserve_insertion_order = true`,
    );
  }
}

export const DemoParams = z.object({
  seed: z
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .default(42)
    .describe('random seed: same seed and size, same company'),
  customers: z
    .number()
    .int()
    .min(100)
    .max(5_000_000)
    .default(DEFAULT_CUSTOMERS)
    .describe('number of customers (about 21 events each, anonymous visitors included)'),
  replace: z.boolean().default(false).describe('replace the data of a workspace that is not empty'),
});
export type DemoParams = z.output<typeof DemoParams>;

/**
 * `touchpoint demo`: generates the company, then prints the first report (rows per table, NPS / CSAT
 * / CES overall and by channel, top contact reasons, handoffs per case) from the overview capability.
 */
export const generateDemoOperation = defineOperation({
  area: 'demo',
  verb: 'generate',
  isDefault: true,
  summary: 'Generate the demo company (a fictional outdoor retailer) with planted problems and a manifest',
  params: DemoParams,
  mode: 'write',
  permission: 'admin',
  run: async (db, params, ctx) => {
    const result = await generateDemo(db, {
      seed: params.seed,
      customers: params.customers,
      replace: params.replace,
      onProgress: ctx.onProgress,
    });
    // the demo's experiments (a real effect and an A/A), on their own random stream
    await seedDemoExperiments(db, params.seed);
    return { ...result, summary: await getSummary(db, SummaryParams.parse({})) };
  },
  present: (r) => [
    {
      text: `Demo company generated: seed ${r.seed}, ${r.customers.toLocaleString('en-US')} customers, ${r.events.toLocaleString('en-US')} events, ${r.plants} plants and ${r.decoys} decoys in ${r.seconds.total} s (simulation ${r.seconds.simulate} s, waiting for the load ${r.seconds.waitingForLoad} s). What was planted: docs/demo.md.`,
    },
    ...presentSummary(r.summary),
  ],
});
