import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { sql } from '../store/index.js';
import { loadTaxonomy, saveTaxonomy, type Taxonomy, taxonomyFromYaml, taxonomyToYaml } from './taxonomy.js';
import { discoverThemes } from './themes-model.js';

const present = (t: Taxonomy) => [
  {
    rows: t.themes.map((x) => ({
      id: x.id,
      p: x.p,
      name: x.name,
      status: x.status,
      keywords: x.keywords.slice(0, 6).join(', '),
    })),
  },
];

export const taxonomyOperations = [
  defineOperation({
    area: 'feedback',
    verb: 'taxonomy',
    summary: 'The theme taxonomy (4 P’s › sub-themes) as YAML and as a list',
    params: z.object({}),
    mode: 'read',
    listField: 'themes',
    run: async (db) => {
      const t = await loadTaxonomy(db);
      return { themes: t.themes, yaml: taxonomyToYaml(t) };
    },
    present: (r) => [{ text: r.yaml }],
  }),
  defineOperation({
    area: 'feedback',
    verb: 'taxonomy-set',
    summary: 'Replace the taxonomy with an edited YAML (ids are permanent: retire, never delete)',
    params: z.object({
      file: z.string().optional().describe('a YAML file (CLI)'),
      yaml: z.string().optional().describe('the YAML text'),
    }),
    mode: 'write',
    positional: ['file'],
    run: async (db, p, ctx) => {
      let text = p.yaml;
      if (p.file !== undefined) {
        // a path is read on the machine running the command: only the CLI may name one
        if (ctx.actor !== 'cli')
          throw new TouchpointError(
            'forbidden',
            'file: send the taxonomy as yaml text; files are read by the CLI only',
          );
        try {
          text = readFileSync(p.file, 'utf8');
        } catch (e) {
          throw new TouchpointError('invalid_input', `cannot read ${p.file}: ${(e as Error).message}`, {
            cause: e,
          });
        }
      }
      if (text === undefined) throw new TouchpointError('invalid_input', 'give a YAML file or --yaml TEXT');
      const t = taxonomyFromYaml(text, p.file ?? 'taxonomy.yaml');
      await saveTaxonomy(db, t);
      return { themes: t.themes };
    },
    present: (r) => present({ version: 1, themes: r.themes }),
  }),
  defineOperation({
    area: 'feedback',
    verb: 'theme-status',
    summary:
      'Accept a proposed theme (it then counts in results) or retire one (never assigned or proposed again)',
    params: z.object({
      id: z.string().min(1).describe('theme id, e.g. process.lost-luggage'),
      status: z.enum(['accepted', 'retired', 'proposed']).describe('accepted | retired | proposed'),
    }),
    mode: 'write',
    positional: ['id'],
    run: async (db, p) => {
      const t = await loadTaxonomy(db);
      const theme = t.themes.find((x) => x.id === p.id);
      if (!theme) {
        const near = t.themes.filter((x) => x.id.includes(p.id.split('.').at(-1) ?? p.id)).map((x) => x.id);
        throw new TouchpointError(
          'not_found',
          `no theme ${p.id}${near.length ? ` (did you mean ${near.slice(0, 3).join(', ')}?)` : ''}; see feedback taxonomy`,
        );
      }
      const next = { ...t, themes: t.themes.map((x) => (x.id === p.id ? { ...x, status: p.status } : x)) };
      await saveTaxonomy(db, next);
      return { theme: { ...theme, status: p.status }, previous: theme.status };
    },
    present: (r) => [{ text: `${r.theme.id} “${r.theme.name}”: ${r.previous} → ${r.theme.status}` }],
  }),
  defineOperation({
    area: 'feedback',
    verb: 'taxonomy-discover',
    summary: 'Propose new sub-themes for comments no theme covers yet (existing ids are never changed)',
    params: z.object({ sample: z.number().int().min(100).max(50_000).default(4000) }),
    mode: 'write',
    run: async (db, p) => {
      const comments = await db.all<{ id: string; text: string }>(
        sql`SELECT id, comment AS text FROM feedback WHERE comment IS NOT NULL AND trim(comment) <> '' ORDER BY id`,
      );
      const r = discoverThemes(comments, await loadTaxonomy(db), { sample: p.sample });
      if (r.proposals.length > 0) await saveTaxonomy(db, r.taxonomy);
      return { proposals: r.proposals.map(({ centroid: _c, ...x }) => x), themes: r.taxonomy.themes };
    },
    present: (r) => [
      {
        title: `${r.proposals.length} new sub-themes proposed (used in results once accepted: feedback theme-status ID --status accepted)`,
        rows: r.proposals.map((x) => ({
          id: x.id,
          p: x.p,
          name: x.name,
          comments: x.size,
          coherence: x.coherence,
          'P confidence': x.pConfidence,
          keywords: x.keywords.slice(0, 6).join(', '),
          example: x.examples[0] ?? '',
        })),
      },
    ],
  }),
] as const;
