/**
 * Anonymity of employee pulse figures (docs/people.md): which cells of the publication lattice may be
 * shown. Pure functions, no database.
 *
 * The lattice is fixed per workspace, so no request (filter, edge, export) can make a new aggregate:
 * every answer of one question belongs to exactly one cell per level combination of
 *   team (one team | all teams) × time (month | quarter | all), and over all data only, of
 *   team (one team | all teams) × sub-group (tenure band, role or location: a workspace setting).
 * A request only chooses which of the already-decided cells it shows.
 *
 * Primary suppression: a cell with fewer than `minGroup` distinct respondents is not published.
 * Secondary suppression: the published cells must not let anyone subtract their way to a group under
 * the minimum. For every partition (a parent cell and its children along one dimension: all teams →
 * teams, all → quarters, all → months, quarter → months, all sub-groups → sub-groups) whose parent is
 * known, the answers not covered by known children must come from 0 or at least `minGroup` distinct
 * respondents. "Known" is the closure of the published cells under subtraction (a parent known with a
 * single unknown child makes the child known) and addition (all children known make the parent
 * known), so a chain of subtractions through cells that are not published themselves is caught too.
 * While a partition breaks the rule, its known child with the fewest respondents is suppressed (ties
 * by key) — or, when that child is derived rather than published, the smallest published cell it was
 * derived from — and the check runs again until nothing breaks it.
 */

export const ALL = '*';

export type TimeLevel = 'month' | 'quarter' | 'all';

export interface AnonAnswer {
  /** An opaque respondent number, never published. */
  readonly respondent: number;
  readonly team: string;
  /** `YYYY-MM` */
  readonly month: string;
  readonly subgroup: string;
}

export interface CellKey {
  readonly team: string;
  readonly level: TimeLevel;
  /** `YYYY-MM`, `YYYY-Qn` or `*` */
  readonly period: string;
  readonly subgroup: string;
}

export type Suppression = 'primary' | 'secondary' | null;

export interface LatticeCell extends CellKey {
  readonly key: string;
  /** indices into the answers array */
  readonly answers: readonly number[];
  readonly respondents: number;
  readonly suppressed: Suppression;
}

export function quarterOf(month: string): string {
  const m = Number(month.slice(5, 7));
  return `${month.slice(0, 4)}-Q${Math.ceil(m / 3)}`;
}

export function cellKey(c: CellKey): string {
  return `${c.team}|${c.level}|${c.period}|${c.subgroup}`;
}

interface Partition {
  readonly parent: string;
  readonly children: readonly string[];
}

/** Builds the lattice of one question's answers and decides what is published. */
export function suppressLattice(answers: readonly AnonAnswer[], minGroup: number): Map<string, LatticeCell> {
  const members = new Map<string, { key: CellKey; answers: number[]; resp: Set<number> }>();
  const add = (key: CellKey, i: number, respondent: number) => {
    const k = cellKey(key);
    let m = members.get(k);
    if (!m) {
      m = { key, answers: [], resp: new Set() };
      members.set(k, m);
    }
    m.answers.push(i);
    m.resp.add(respondent);
  };
  answers.forEach((a, i) => {
    const times: [TimeLevel, string][] = [
      ['month', a.month],
      ['quarter', quarterOf(a.month)],
      ['all', ALL],
    ];
    for (const team of [a.team, ALL]) {
      for (const [level, period] of times) add({ team, level, period, subgroup: ALL }, i, a.respondent);
      // sub-groups over all pulse data only: per month they are almost always under the minimum
      add({ team, level: 'all', period: ALL, subgroup: a.subgroup }, i, a.respondent);
    }
  });

  // partitions: for each parent, its children along each dimension
  const partitionMap = new Map<string, Set<string>>();
  const link = (parent: CellKey, dim: string, child: string) => {
    const k = `${cellKey(parent)}#${dim}`;
    let s = partitionMap.get(k);
    if (!s) {
      s = new Set();
      partitionMap.set(k, s);
    }
    s.add(child);
  };
  for (const [k, m] of members) {
    const c = m.key;
    if (c.team !== ALL) link({ ...c, team: ALL }, 'team', k);
    if (c.subgroup !== ALL) link({ ...c, subgroup: ALL }, 'sub', k);
    if (c.level === 'month') {
      link({ ...c, level: 'quarter', period: quarterOf(c.period) }, 'month-in-quarter', k);
      link({ ...c, level: 'all', period: ALL }, 'month-in-all', k);
    }
    if (c.level === 'quarter') link({ ...c, level: 'all', period: ALL }, 'quarter-in-all', k);
  }
  const partitions: Partition[] = [...partitionMap].map(([k, s]) => ({
    parent: k.slice(0, k.lastIndexOf('#')),
    children: [...s].sort(),
  }));

  const resp = (k: string) => members.get(k)!.resp.size;
  const signature = (k: string) => members.get(k)!.answers.join(',');
  const same = new Map<string, string[]>();
  for (const k of members.keys()) {
    const sig = signature(k);
    same.set(sig, [...(same.get(sig) ?? []), k]);
  }
  const published = new Set<string>();
  const primary = new Set<string>();
  for (const [k, m] of members) {
    if (m.resp.size >= minGroup) published.add(k);
    else primary.add(k);
  }

  /**
   * Grows the known cells from the published ones; returns the first partition whose parent is
   * known and whose unknown children hold 1 … minGroup − 1 distinct respondents, or null.
   */
  const firstBroken = (): { broken: Partition; known: Set<string>; from: Map<string, Partition> } | null => {
    const known = new Set(published);
    /** how a cell that is not published became known */
    const from = new Map<string, Partition>();
    let grew = true;
    while (grew) {
      grew = false;
      for (const p of partitions) {
        const unknown = p.children.filter((c) => !known.has(c));
        if (known.has(p.parent)) {
          if (unknown.length === 0) continue;
          const rest = new Set<number>();
          for (const c of unknown) for (const r of members.get(c)!.resp) rest.add(r);
          if (rest.size < minGroup) return { broken: p, known, from };
          if (unknown.length === 1) {
            known.add(unknown[0]!);
            from.set(unknown[0]!, p);
            grew = true;
          }
        } else if (unknown.length === 0) {
          known.add(p.parent);
          from.set(p.parent, p);
          grew = true;
        }
      }
    }
    return null;
  };

  const bySize = (a: string, b: string) => resp(a) - resp(b) || (a < b ? -1 : 1);
  for (;;) {
    const found = firstBroken();
    if (!found) break;
    const { broken, known, from } = found;
    // the known child with the fewest respondents: withdraw it if published; if it was derived,
    // withdraw the smallest published cell it was derived from (walking down derived ones)
    let target: string | null = null;
    let pool = broken.children.filter((c) => known.has(c)).sort(bySize);
    if (pool.length === 0) pool = [broken.parent];
    for (let depth = 0; depth < 20 && target === null; depth++) {
      const pick = pool.find((c) => published.has(c)) ?? null;
      const head = pool[0]!;
      if (published.has(head)) target = head;
      else {
        const via = from.get(head);
        if (!via) {
          target = pick;
          break;
        }
        const members2 = [...via.children, via.parent].filter((c) => c !== head && known.has(c)).sort(bySize);
        const pub = members2.filter((c) => published.has(c));
        if (pub.length > 0) target = pub[0]!;
        else if (members2.length > 0) pool = members2;
        else target = pick;
      }
    }
    // last resort: the smallest published cell
    target ??= [...published].sort(bySize)[0] ?? null;
    if (target === null) break;
    // a cell with the same answers as the one withdrawn (a team alone in the organisation, a
    // single-month quarter) would give it away: withdraw it too
    for (const k of same.get(signature(target)) ?? []) published.delete(k);
  }

  const out = new Map<string, LatticeCell>();
  for (const [k, m] of members) {
    out.set(k, {
      ...m.key,
      key: k,
      answers: m.answers,
      respondents: m.resp.size,
      suppressed: published.has(k) ? null : primary.has(k) ? 'primary' : 'secondary',
    });
  }
  return out;
}

/**
 * Every pair of published cells where one nests in the other (same or coarser on each dimension and
 * coarser on one): the distinct respondents of the answers in the outer cell but not in the inner
 * one. The anonymity property is that each is 0 or at least the minimum. For tests and audits.
 */
export function nestedDifferences(
  answers: readonly AnonAnswer[],
  cells: ReadonlyMap<string, LatticeCell>,
): { outer: string; inner: string; respondents: number }[] {
  const pub = [...cells.values()].filter((c) => c.suppressed === null);
  const contains = (o: LatticeCell, i: LatticeCell): boolean => {
    if (o.key === i.key) return false;
    const teamOk = o.team === ALL || o.team === i.team;
    const subOk = o.subgroup === ALL || o.subgroup === i.subgroup;
    const timeOk =
      o.level === 'all' ||
      (o.level === i.level && o.period === i.period) ||
      (o.level === 'quarter' && i.level === 'month' && quarterOf(i.period) === o.period);
    return teamOk && subOk && timeOk;
  };
  const out: { outer: string; inner: string; respondents: number }[] = [];
  for (const o of pub)
    for (const i of pub) {
      if (!contains(o, i)) continue;
      const inner = new Set(i.answers);
      const rest = new Set<number>();
      for (const a of o.answers) if (!inner.has(a)) rest.add(answers[a]!.respondent);
      out.push({ outer: o.key, inner: i.key, respondents: rest.size });
    }
  return out;
}
