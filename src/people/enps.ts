import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { ALL } from './anonymity.js';
import { getPulse, type PulseCell } from './pulse.js';
import type { PeopleSettings } from './settings.js';

export const EnpsParams = z.object({
  team: z.string().optional().describe('one team (id)'),
});
export type EnpsParams = z.output<typeof EnpsParams>;

export interface EnpsTeam {
  readonly team: string;
  readonly teamName: string;
  /** eNPS over all pulse data (published cell or withheld) */
  readonly overall: PulseCell;
  /** one cell per quarter, oldest first */
  readonly quarters: readonly PulseCell[];
}

export interface EnpsResult {
  readonly settings: PeopleSettings;
  readonly teams: readonly EnpsTeam[];
}

/**
 * `people enps`: each team's eNPS over all pulse data and per quarter, the organisation last — the
 * same anonymised cells as `people pulse` (nothing here is computed on its own).
 */
export async function getEnps(db: Parameters<typeof getPulse>[0], params: EnpsParams): Promise<EnpsResult> {
  const base = { question: 'enps' as const, subgroups: false, team: params.team };
  const all = await getPulse(db, { ...base, level: 'all' });
  const quarters = await getPulse(db, { ...base, level: 'quarter' });
  return {
    settings: all.settings,
    teams: all.cells.map((c) => ({
      team: c.team,
      teamName: c.teamName,
      overall: c,
      quarters: quarters.cells.filter((q) => q.team === c.team),
    })),
  };
}

export const enpsOperation = defineOperation({
  area: 'people',
  verb: 'enps',
  summary: 'Employee NPS per team, overall and per quarter, with intervals (anonymity applied)',
  params: EnpsParams,
  mode: 'read',
  cache: {},
  listField: 'teams',
  run: (db, params) => getEnps(db, params),
  present: (r): Section[] => [
    {
      text: `eNPS per team (−100…100, 95% interval). Groups under ${r.settings.minGroup} respondents are not shown.`,
    },
    {
      rows: r.teams.map((t) => ({
        team: t.team === ALL ? 'All teams' : t.teamName,
        respondents: t.overall.respondents ?? '',
        'employee NPS': t.overall.value ?? t.overall.status,
        '95% interval': t.overall.low === null ? '' : `${t.overall.low} … ${t.overall.high}`,
        ...Object.fromEntries(t.quarters.map((q) => [q.period, q.value ?? q.status])),
      })),
    },
  ],
});
