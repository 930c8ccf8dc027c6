import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type Section } from '../core/operation.js';
import { toInstant, workspaceZone } from '../core/time.js';
import { type Store, sql } from '../store/index.js';

/** The table of the policy catalogue (migration 0090). */
export const POLICIES_TABLE = 'policies';

/** One catalogued policy: what changed for customers, when, where they meet it, who owns it. */
export interface Policy {
  readonly id: string;
  readonly name: string;
  readonly effectiveAt: string;
  readonly touchpoints: readonly string[];
  readonly themes: readonly string[];
  readonly owner: string | null;
  readonly description: string | null;
  readonly source: string;
}

interface Row {
  id: string;
  name: string;
  effective_at: string;
  touchpoints: string[];
  themes: string[];
  owner: string | null;
  description: string | null;
  source: string;
}

export async function listPolicies(db: Store): Promise<Policy[]> {
  const rows = await db.all<Row>(sql`
    SELECT id, name, effective_at, touchpoints, themes, owner, description, source
    FROM policies ORDER BY effective_at, id`);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    effectiveAt: new Date(r.effective_at).toISOString(),
    touchpoints: r.touchpoints,
    themes: r.themes,
    owner: r.owner,
    description: r.description,
    source: r.source,
  }));
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.map((x) => String(x).trim()).filter(Boolean)
    : typeof v === 'string'
      ? v
          .split(/[;|,]/)
          .map((x) => x.trim())
          .filter(Boolean)
      : [];

interface PolicyInput {
  id?: string;
  name: string;
  effective: string;
  touchpoints: string[];
  themes: string[];
  owner?: string;
  description?: string;
}

/** Checks one policy record; `where` names it in a message ("line 3", "item 2"). */
function toInput(raw: Record<string, unknown>, where: string): PolicyInput {
  const get = (k: string) => {
    const v = raw[k];
    return v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim();
  };
  const name = get('name');
  const effective = get('effective') ?? get('effective_date') ?? get('effective_at');
  const fail = (field: string, message: string) => {
    throw new TouchpointError('invalid_input', `${where}, ${field}: ${message}`, {
      details: [{ field, message }],
    });
  };
  if (!name) fail('name', 'a policy needs a name');
  if (!effective) fail('effective', 'a policy needs an effective date (e.g. 2026-05-01)');
  return {
    id: get('id'),
    name: name!,
    effective: effective!,
    touchpoints: list(raw.touchpoints),
    themes: list(raw.themes),
    owner: get('owner'),
    description: get('description'),
  };
}

/** Parses a catalogue as CSV (header: name, effective, touchpoints, themes, owner, description, id) or YAML/JSON. */
export function parseCatalogue(text: string, format: 'csv' | 'yaml' | 'auto' = 'auto'): PolicyInput[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') throw new TouchpointError('invalid_input', 'the catalogue is empty');
  const looksCsv =
    format === 'csv' ||
    (format === 'auto' && /^[^:\n]*,[^\n]*\n/.test(`${trimmed}\n`) && !/^\s*[-[{]/.test(trimmed));
  if (looksCsv) {
    let records: Record<string, string>[];
    try {
      records = parseCsv(trimmed, {
        columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
        skip_empty_lines: true,
      });
    } catch (e) {
      throw new TouchpointError('invalid_input', `the catalogue is not valid CSV: ${(e as Error).message}`);
    }
    return records.map((r, i) => toInput(r, `line ${i + 2}`));
  }
  let doc: unknown;
  try {
    doc = parseYaml(trimmed);
  } catch (e) {
    throw new TouchpointError(
      'invalid_input',
      `the catalogue is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const items = Array.isArray(doc) ? doc : (doc as { policies?: unknown })?.policies;
  if (!Array.isArray(items)) {
    throw new TouchpointError(
      'invalid_input',
      'the catalogue must be a list of policies (or `policies:` with a list)',
    );
  }
  return items.map((it, i) => {
    if (typeof it !== 'object' || it === null) {
      throw new TouchpointError(
        'invalid_input',
        `item ${i + 1}: a policy is a mapping with name and effective`,
      );
    }
    return toInput(it as Record<string, unknown>, `item ${i + 1}`);
  });
}

/** Stores policies (insert or replace by id, default: the name's slug) in one transaction. */
export async function savePolicies(
  db: Store,
  inputs: readonly PolicyInput[],
  source: string,
  now: Date,
): Promise<Policy[]> {
  const zone = await workspaceZone(db);
  const rows = inputs.map((p, i) => ({
    ...p,
    id: p.id ?? slug(p.name),
    at: toInstant(p.effective, inputs.length > 1 ? `effective (policy ${i + 1})` : 'effective', zone),
  }));
  await db.transaction(async (tx) => {
    for (const p of rows) {
      await tx.exec(sql`INSERT OR REPLACE INTO policies
        (id, name, effective_at, touchpoints, themes, owner, description, source, updated_at)
        VALUES (${p.id}, ${p.name}, ${p.at}, from_json(${JSON.stringify(p.touchpoints)}, '["VARCHAR"]'),
          from_json(${JSON.stringify(p.themes)}, '["VARCHAR"]'), ${p.owner ?? null}, ${p.description ?? null},
          ${source}, ${now})`);
    }
  });
  const ids = new Set(rows.map((r) => r.id));
  return (await listPolicies(db)).filter((p) => ids.has(p.id));
}

const presentList = (policies: readonly Policy[]): Section[] => [
  {
    rows: policies.map((p) => ({
      id: p.id,
      policy: p.name,
      effective: p.effectiveAt.slice(0, 10),
      touchpoints: p.touchpoints.join(', '),
      themes: p.themes.join(', '),
      owner: p.owner ?? '',
    })),
  },
];

export const listOperation = defineOperation({
  area: 'policies',
  verb: 'list',
  summary: 'The policy catalogue: name, effective date, touchpoints, linked themes, owner',
  params: z.object({}),
  mode: 'read',
  listField: 'policies',
  run: async (db) => ({ policies: await listPolicies(db) }),
  present: (r) => presentList(r.policies),
});

export const ImportParams = z.object({
  file: z.string().optional().describe('a catalogue file, CSV or YAML (CLI only: read into text)'),
  text: z.string().optional().describe('the catalogue as CSV or YAML/JSON text'),
  format: z
    .enum(['csv', 'yaml', 'auto'])
    .default('auto')
    .describe('the catalogue format (default: detected)'),
});

export const importOperation = defineOperation({
  area: 'policies',
  verb: 'import',
  summary: 'Import a policy catalogue (CSV or YAML): name, effective, touchpoints, themes, owner',
  params: ImportParams,
  mode: 'write',
  fileInputs: { file: 'text' },
  listField: 'policies',
  run: async (db, params, ctx) => {
    if (params.text === undefined) {
      throw new TouchpointError('invalid_input', 'text: give the catalogue (--file FILE.csv|.yaml)', {
        details: [{ field: 'text', message: 'required' }],
      });
    }
    const format =
      params.format === 'auto' && params.file
        ? /\.csv$/i.test(params.file)
          ? 'csv'
          : /\.ya?ml$|\.json$/i.test(params.file)
            ? 'yaml'
            : 'auto'
        : params.format;
    const policies = await savePolicies(
      db,
      parseCatalogue(params.text, format),
      'import',
      ctx.now?.() ?? new Date(),
    );
    return { imported: policies.length, policies };
  },
  present: (r) => [{ text: `${r.imported} policies imported.` }, ...presentList(r.policies)],
});

export const SetParams = z.object({
  name: z.string().min(1).describe('the policy name'),
  effective: z.string().min(1).describe('the effective date (ISO 8601, the workspace zone)'),
  touchpoints: z.string().default('').describe('touchpoints where customers meet it, comma-separated'),
  themes: z.string().default('').describe('feedback themes it is linked to, comma-separated'),
  owner: z.string().optional().describe('the owning team'),
  description: z.string().optional(),
  id: z.string().optional().describe('the id to replace (default: from the name)'),
});

export const setOperation = defineOperation({
  area: 'policies',
  verb: 'set',
  summary: 'Add or edit one policy of the catalogue',
  params: SetParams,
  mode: 'write',
  run: async (db, p, ctx) => {
    const [policy] = await savePolicies(
      db,
      [toInput({ ...p, touchpoints: p.touchpoints, themes: p.themes }, 'policy')],
      'set',
      ctx.now?.() ?? new Date(),
    );
    return policy!;
  },
  present: (p) => presentList([p]),
});
