import type { Plant } from './manifest.js';
import { streamFor } from './rng.js';
import { clamp, DAY, START } from './world.js';
import type { StageValue } from './writer.js';

/**
 * The organisation: teams (support teams carry a tier, 1 = front line), employees and their monthly
 * eNPS pulse. People plant: the Logistics Support team has low pulse AND its cases end worse (cases.ts
 * reads `TEAM_QUALITY`). Decoy: Technical Support has equally low pulse but normal customer outcomes.
 */
export interface TeamDef {
  readonly id: string;
  readonly name: string;
  readonly tier: number | null;
  readonly fn: string;
  /** Agents at the default size (20,000 customers); scales with the square root of size. */
  readonly agents: number;
  /** Mean eNPS answer (0–10) of the team's employees. */
  readonly pulseMean: number;
}

export const PEOPLE_PLANT_TEAM = 'logistics';
export const PEOPLE_DECOY_TEAM = 'tech-support';

export const TEAMS: readonly TeamDef[] = [
  { id: 'care-frontline', name: 'Customer Care', tier: 1, fn: 'support', agents: 18, pulseMean: 7.4 },
  { id: 'store-service', name: 'Store Service Desk', tier: 1, fn: 'support', agents: 6, pulseMean: 7.6 },
  { id: 'billing', name: 'Billing', tier: 2, fn: 'support', agents: 6, pulseMean: 7.3 },
  { id: 'logistics', name: 'Logistics Support', tier: 2, fn: 'support', agents: 7, pulseMean: 5.4 },
  { id: 'returns', name: 'Returns & Refunds', tier: 2, fn: 'support', agents: 6, pulseMean: 7.2 },
  { id: 'tech-support', name: 'Technical Support', tier: 2, fn: 'support', agents: 5, pulseMean: 5.4 },
  { id: 'payments', name: 'Payments Specialists', tier: 3, fn: 'support', agents: 3, pulseMean: 7.5 },
  { id: 'engineering', name: 'Engineering Escalations', tier: 3, fn: 'support', agents: 3, pulseMean: 7.7 },
  { id: 'marketing', name: 'Marketing', tier: null, fn: 'marketing', agents: 5, pulseMean: 7.8 },
  { id: 'ecommerce', name: 'E-commerce', tier: null, fn: 'digital', agents: 6, pulseMean: 7.5 },
  { id: 'mobile-app', name: 'Mobile App', tier: null, fn: 'digital', agents: 5, pulseMean: 7.3 },
  {
    id: 'fulfilment',
    name: 'Fulfilment & Delivery',
    tier: null,
    fn: 'operations',
    agents: 8,
    pulseMean: 6.9,
  },
  { id: 'store-ops', name: 'Store Operations', tier: null, fn: 'retail', agents: 8, pulseMean: 7.4 },
  { id: 'loyalty', name: 'Loyalty & CRM', tier: null, fn: 'marketing', agents: 3, pulseMean: 7.9 },
];

/**
 * How well each support team handles a case, in [-1, 1] (mean of a per-case draw): the plant team's
 * customers fare worse; the decoy team, despite its low pulse, does not.
 */
export const TEAM_QUALITY: Readonly<Record<string, number>> = { [PEOPLE_PLANT_TEAM]: -0.45 };

const FIRST = [
  'Alex',
  'Sam',
  'Maria',
  'Jonas',
  'Priya',
  'Li',
  'Fatima',
  'Tom',
  'Eva',
  'Noah',
  'Aisha',
  'Lucas',
  'Mia',
  'Omar',
  'Sofia',
  'Ben',
  'Chloe',
  'Mateo',
  'Hana',
  'Ivan',
  'Zoe',
  'Kenji',
  'Lea',
  'Diego',
] as const;
const LAST = [
  'Smith',
  'Müller',
  'Garcia',
  'Khan',
  'Rossi',
  'Nguyen',
  'Jansen',
  'Kowalski',
  'Silva',
  'Brown',
  'Dubois',
  'Tanaka',
  'Novak',
  'Larsen',
  'Okafor',
  'Haddad',
  'Berg',
  'Costa',
  'Wright',
  'Sato',
] as const;

export function agentsFor(team: TeamDef, customers: number): number {
  return Math.max(2, Math.round(team.agents * Math.sqrt(Math.max(customers, 200) / 20_000)));
}

export interface OrgRows {
  readonly teams: StageValue[][];
  readonly employees: StageValue[][];
  readonly pulse: StageValue[][];
  /** Agent ids per team (support teams only). */
  readonly agents: Map<string, string[]>;
}

/** Teams, employees and 12 monthly pulse waves. Deterministic in (seed, customers). */
export function buildOrg(seed: number, customers: number): OrgRows {
  const teams: StageValue[][] = [];
  const employees: StageValue[][] = [];
  const pulse: StageValue[][] = [];
  const agents = new Map<string, string[]>();
  let pulseId = 0;
  const waves: { id: string; team: TeamDef; ts: number; enps: number }[] = [];
  TEAMS.forEach((t, ti) => {
    teams.push([t.id, t.name, t.tier, t.fn]);
    const n = agentsFor(t, customers);
    const ids: string[] = [];
    for (let k = 0; k < n; k++) {
      const rng = streamFor(seed, ti * 100_000 + k, 'people');
      const id = `emp-${t.id}-${String(k + 1).padStart(3, '0')}`;
      ids.push(id);
      const hired = START - rng.range(30, 2500) * DAY;
      const leaves = rng.chance(t.pulseMean < 6 ? 0.18 : 0.07);
      const leftAt = leaves ? START + rng.range(60, 360) * DAY : null;
      const role =
        t.tier === null ? rng.pick(['specialist', 'analyst', 'manager']) : k === 0 ? 'team lead' : 'agent';
      employees.push([
        id,
        t.id,
        `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
        role,
        hired,
        leftAt,
        JSON.stringify({ fte: rng.chance(0.8) ? 1 : 0.5, location: rng.pick(['HQ', 'remote', 'hub']) }),
      ]);
      const personal = rng.normal(0, 1.1);
      for (let m = 0; m < 12; m++) {
        const ts = START + (m * 30 + 15) * DAY + rng.range(8, 17) * 3_600_000;
        if (leftAt !== null && ts > leftAt) break;
        if (!rng.chance(0.8)) continue;
        const score = Math.round(clamp(t.pulseMean + personal + rng.normal(0, 1.4), 0, 10));
        pulse.push([`pulse-${String(++pulseId).padStart(7, '0')}`, id, t.id, ts, 'enps', score, null]);
        waves.push({ id, team: t, ts, enps: score });
      }
    }
    if (t.tier !== null) agents.set(t.id, ids);
  });
  pulse.push(...pulseQuestionRows(seed, waves));
  return { teams, employees, pulse, agents };
}

/** The pulse questions besides eNPS (1–5 agreement), the seeds' own list. */
export const PULSE_QUESTIONS = ['training', 'tools', 'empowerment', 'leadership', 'information'] as const;

/**
 * Per team, points off the 1–5 answer of each pulse question: the plant team's low pulse is mostly
 * training and empowerment (the "train" and "empower" handoff levers); the decoy's is tools.
 */
const QUESTION_GAP: Readonly<Record<string, Partial<Record<(typeof PULSE_QUESTIONS)[number], number>>>> = {
  [PEOPLE_PLANT_TEAM]: { training: 0.6, empowerment: 0.4 },
  [PEOPLE_DECOY_TEAM]: { tools: 0.7 },
};

const PULSE_COMMENTS: Readonly<Record<'low' | 'mid' | 'high', readonly string[]>> = {
  low: [
    'We never got proper training on the new carrier portal.',
    'I have to ask a lead for every refund above a few euros.',
    'The tools crash during busy hours and customers wait.',
    'Nobody tells us about changes before customers call about them.',
    'Too many tickets bounce back to us without notes.',
  ],
  mid: [
    'Workload is fine most weeks, peaks are hard.',
    'Training is ok but could cover more edge cases.',
    'Some processes are unclear between teams.',
  ],
  high: [
    'Great team, we help each other out.',
    'My lead trusts us to solve problems our way.',
    'Good tools and clear information this month.',
  ],
};

/**
 * The five pulse questions (1–5) asked in the same wave as eNPS, and a free-text comment on about
 * one wave in seven (on the wave's first question). Drawn from the `pulse-questions` stream so every earlier draw stays the same;
 * ids continue with a `pq-` prefix. An answer follows the employee's eNPS answer of that wave plus
 * noise, minus the team's planted gap on the question.
 */
function pulseQuestionRows(
  seed: number,
  waves: readonly { id: string; team: TeamDef; ts: number; enps: number }[],
): StageValue[][] {
  const rows: StageValue[][] = [];
  let n = 0;
  waves.forEach((w, i) => {
    const rng = streamFor(seed, i, 'pulse-questions');
    const gaps = QUESTION_GAP[w.team.id] ?? {};
    const comment = rng.chance(0.15)
      ? rng.pick(PULSE_COMMENTS[w.enps <= 6 ? 'low' : w.enps <= 8 ? 'mid' : 'high'])
      : null;
    PULSE_QUESTIONS.forEach((q, k) => {
      const v = Math.round(clamp(1 + (4 * w.enps) / 10 + rng.normal(0, 0.8) - (gaps[q] ?? 0), 1, 5));
      // the wave's comment, if any, rides on its first question
      rows.push([
        `pq-${String(++n).padStart(7, '0')}`,
        w.id,
        w.team.id,
        w.ts,
        q,
        v,
        k === 0 ? comment : null,
      ]);
    });
  });
  return rows;
}

export function peoplePlants(): { plants: Plant[]; decoys: Plant[] } {
  const mean = (id: string) => TEAMS.find((t) => t.id === id)!.pulseMean;
  return {
    plants: [
      {
        id: 'people-low-pulse-worse-outcomes',
        capability: 'people',
        analysis: 'people.link',
        kind: 'team-pulse',
        slice: { team: PEOPLE_PLANT_TEAM },
        description:
          'Logistics Support has a low eNPS pulse and the cases it handles end worse: lower case CSAT and more reopens',
        effect: {
          pulseMean: mean(PEOPLE_PLANT_TEAM),
          othersPulseMean: 7.4,
          caseQuality: TEAM_QUALITY[PEOPLE_PLANT_TEAM]!,
        },
      },
    ],
    decoys: [
      {
        id: 'people-low-pulse-normal-outcomes',
        capability: 'people',
        analysis: 'people.link',
        kind: 'team-pulse',
        slice: { team: PEOPLE_DECOY_TEAM },
        description: 'Technical Support has an equally low pulse but normal customer outcomes',
        effect: { pulseMean: mean(PEOPLE_DECOY_TEAM), caseQuality: 0 },
      },
    ],
  };
}
