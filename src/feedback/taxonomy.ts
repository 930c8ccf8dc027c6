import { stringify } from 'yaml';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { parseYamlWith } from '../core/yaml.js';
import { P_VALUES } from '../findings/index.js';
import { readMeta, type Store, writeMeta } from '../store/index.js';

/**
 * The theme taxonomy: the 4 P's at the top, sub-themes below, each with a stable id and the keywords
 * that put a comment in it. Stored in the workspace (meta key `feedback.taxonomy`), edited as YAML.
 * Ids never change once written: discovery only appends proposals (docs/feedback.md).
 */
export const TaxonomyTheme = z.object({
  id: z
    .string()
    .regex(/^(product|process|policy|people)\.[a-z0-9][a-z0-9-]*$/, 'an id looks like policy.return-fee'),
  p: z.enum(P_VALUES),
  name: z.string().min(1),
  status: z.enum(['accepted', 'proposed', 'retired']).default('proposed'),
  keywords: z.array(z.string().min(1)).min(1),
});
export type TaxonomyTheme = z.output<typeof TaxonomyTheme>;

export const Taxonomy = z.object({
  version: z.literal(1).default(1),
  themes: z.array(TaxonomyTheme).default([]),
});
export type Taxonomy = z.output<typeof Taxonomy>;

export const TAXONOMY_KEY = 'feedback.taxonomy';

export const emptyTaxonomy = (): Taxonomy => ({ version: 1, themes: [] });

export async function loadTaxonomy(db: Store): Promise<Taxonomy> {
  const value = await readMeta(db, TAXONOMY_KEY);
  return value === null ? emptyTaxonomy() : Taxonomy.parse(value);
}

/**
 * Saves a taxonomy. Refuses to drop or re-home an id that the stored one has (retire it instead),
 * so findings, follow-ups and dashboards keyed on a theme id keep meaning the same theme.
 */
export async function saveTaxonomy(db: Store, next: Taxonomy): Promise<void> {
  const prev = await loadTaxonomy(db);
  checkIds(next);
  const ids = new Map(next.themes.map((t) => [t.id, t]));
  for (const old of prev.themes) {
    if (!ids.has(old.id))
      throw new TouchpointError(
        'conflict',
        `theme ${old.id} is missing; theme ids are permanent — set its status to retired instead`,
      );
  }
  await writeMeta(db, TAXONOMY_KEY, next);
}

function checkIds(t: Taxonomy): void {
  const seen = new Set<string>();
  for (const th of t.themes) {
    if (seen.has(th.id)) throw new TouchpointError('invalid_input', `theme id ${th.id} appears twice`);
    seen.add(th.id);
    if (!th.id.startsWith(`${th.p}.`))
      throw new TouchpointError(
        'invalid_input',
        `theme ${th.id} sits under ${th.id.split('.')[0]} but its p is ${th.p}`,
      );
  }
}

const HEADER = `# Touchpoint theme taxonomy (docs/feedback.md).
# Top level: product, process, policy, people. Edit names, keywords and status freely;
# never change an id (set status: retired instead of deleting). Discovery appends proposals.
`;

export function taxonomyToYaml(t: Taxonomy): string {
  return HEADER + stringify({ version: 1, themes: t.themes }, { lineWidth: 0 });
}

/** Parses taxonomy YAML; errors name the line and field. */
export function taxonomyFromYaml(text: string, file = 'taxonomy.yaml'): Taxonomy {
  // the one YAML reader (src/core/yaml.ts): line-numbered errors, alias bombs refused
  const t = parseYamlWith(text, Taxonomy, file);
  checkIds(t);
  return t;
}

export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'theme'
  );
}

/** A new id under `p` for `name`, never one already used. */
export function newThemeId(t: Taxonomy, p: TaxonomyTheme['p'], name: string): string {
  const base = `${p}.${slug(name)}`;
  const used = new Set(t.themes.map((x) => x.id));
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}
