import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { readMeta, type Store, writeMeta } from '../store/index.js';

/**
 * The workspace's anonymity rules for employee pulse (docs/people.md): the minimum group size of a
 * published figure (default 5 respondents, as in most employee-survey products), of published
 * comments (default 8), and the one sub-group dimension figures are broken down by. One dimension
 * only: two crossing breakdowns of the same team could be combined into their intersection.
 */
export const SUBGROUP_DIMENSIONS = ['tenure', 'role', 'location', 'none'] as const;
export type SubgroupDimension = (typeof SUBGROUP_DIMENSIONS)[number];

export const PeopleSettings = z.object({
  minGroup: z
    .number()
    .int()
    .min(3)
    .max(100)
    .default(5)
    .describe('no pulse figure for a group of fewer respondents (at least 3)'),
  minComments: z
    .number()
    .int()
    .min(3)
    .max(100)
    .default(8)
    .describe('comments only for groups of at least this many respondents (at least minGroup)'),
  subgroupBy: z
    .enum(SUBGROUP_DIMENSIONS)
    .default('tenure')
    .describe('the one breakdown inside a team: tenure band, role, location, or none'),
});
export type PeopleSettings = z.output<typeof PeopleSettings>;

/** The same fields without defaults: a setting left out keeps its current value. */
export const SettingsParams = z.object({
  minGroup: z.number().int().min(3).max(100).optional().describe('minimum respondents of a published figure'),
  minComments: z
    .number()
    .int()
    .min(3)
    .max(100)
    .optional()
    .describe('minimum respondents of published comments'),
  subgroupBy: z.enum(SUBGROUP_DIMENSIONS).optional().describe('the one breakdown inside a team'),
});

export const PEOPLE_SETTINGS_KEY = 'people_settings';

export async function readPeopleSettings(db: Store): Promise<PeopleSettings> {
  const stored = await readMeta(db, PEOPLE_SETTINGS_KEY);
  return PeopleSettings.parse(stored ?? {});
}

export const settingsOperation = defineOperation({
  area: 'people',
  verb: 'settings',
  summary: 'Set the anonymity rules of employee pulse: minimum group sizes and the sub-group breakdown',
  params: SettingsParams,
  mode: 'write',
  permission: 'admin',
  run: async (db, params) => {
    const current = await readPeopleSettings(db);
    const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    const next = PeopleSettings.parse({ ...current, ...given });
    // comments never at a lower bar than figures
    if (next.minComments < next.minGroup) next.minComments = next.minGroup;
    await writeMeta(db, PEOPLE_SETTINGS_KEY, next);
    return next;
  },
});
