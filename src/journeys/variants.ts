import { type SqlFragment, sql } from '../store/index.js';

/**
 * The top path variants of a set of events: SQL selecting (path, people, distinct_variants, total),
 * `top` rows, most people first, ties by the path's text. `rows` has columns person, touchpoint and
 * whatever `order` sorts a person's events by (unique within a person); `rank`, when given, is a
 * column already holding each event's 1-based place in its person's sequence.
 *
 * People are grouped by a fingerprint of their sequence, the sum of 64-bit hashes of (place,
 * touchpoint), not by the sequence itself: spelling every sequence out is an ordered list aggregate
 * per person, several times slower at millions of events. Two different sequences share a
 * fingerprint with probability about v²/2⁶⁵ for v distinct variants. Only the listed variants (and
 * those tied with the last of them) are spelled out, from one person each. With `collapse`,
 * consecutive repeats of a touchpoint count once (a > a > b is a > b).
 */
export function variantsSql(
  rows: SqlFragment,
  order: SqlFragment,
  opts: { top: number; collapse: boolean; rank?: SqlFragment },
): SqlFragment {
  const ranked = opts.collapse
    ? sql`SELECT person, r, touchpoint FROM (
        SELECT person, touchpoint, chg,
          sum(chg) OVER (PARTITION BY person ORDER BY ${order} ROWS UNBOUNDED PRECEDING) AS r
        FROM (SELECT *, CASE WHEN lag(touchpoint) OVER (PARTITION BY person ORDER BY ${order})
            IS DISTINCT FROM touchpoint THEN 1 ELSE 0 END AS chg FROM (${rows})))
      WHERE chg = 1`
    : opts.rank
      ? sql`SELECT person, ${opts.rank} AS r, touchpoint FROM (${rows})`
      : sql`SELECT person, row_number() OVER (PARTITION BY person ORDER BY ${order}) AS r, touchpoint FROM (${rows})`;
  return sql`
    WITH f AS (SELECT person, sum(hash(r, touchpoint)::HUGEINT) AS fp FROM (${ranked}) GROUP BY person),
    v AS (SELECT fp, count(*) AS people, min(person) AS rep FROM f GROUP BY fp),
    stats AS (SELECT count(*) AS distinct_variants, sum(people) AS total FROM v),
    cut AS (SELECT people FROM v ORDER BY people DESC LIMIT 1 OFFSET ${opts.top - 1}),
    cand AS (SELECT * FROM v WHERE people >= coalesce((SELECT people FROM cut), 0)),
    spelled AS (
      SELECT person, list(touchpoint ORDER BY ${order}) AS seq
      FROM (${rows}) SEMI JOIN cand ON cand.rep = person GROUP BY person
    )
    SELECT ${opts.collapse ? sql`list_filter(s.seq, (x, i) -> i = 1 OR s.seq[i - 1] <> x)` : sql`s.seq`} AS path,
      c.people, st.distinct_variants, st.total
    FROM cand c JOIN spelled s ON s.person = c.rep CROSS JOIN stats st
    ORDER BY c.people DESC, array_to_string(path, chr(31)) LIMIT ${opts.top}`;
}
