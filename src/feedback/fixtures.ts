import { type Store, sql } from '../store/index.js';

/** A feedback answer for test fixtures; unspecified fields get plain defaults. */
export interface FeedbackFixture {
  id?: string;
  customer?: string | null;
  ts?: string;
  kind?: 'nps' | 'csat' | 'ces' | 'text';
  score?: number | null;
  comment?: string | null;
  touchpoint?: string | null;
  channel?: string | null;
  survey?: string | null;
  question?: string | null;
  properties?: Record<string, unknown> | null;
}

/** Inserts fixture answers (tests only; imports go through the ingest API). */
export async function insertFeedback(db: Store, rows: readonly FeedbackFixture[]): Promise<void> {
  let i = 0;
  for (const r of rows) {
    i++;
    await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, comment, touchpoint, channel, survey_id, question, properties)
      VALUES (${r.id ?? `f${i}`}, ${r.customer === undefined ? `c${i}` : r.customer}, ${r.ts ?? '2026-03-02T10:00:00Z'}::TIMESTAMP,
        ${r.kind ?? 'nps'}, ${r.score === undefined ? null : r.score}, ${r.comment ?? null}, ${r.touchpoint === undefined ? 'checkout' : r.touchpoint},
        ${r.channel === undefined ? 'web' : r.channel}, ${r.survey ?? null}, ${r.question ?? null},
        ${r.properties ? JSON.stringify(r.properties) : null}::JSON)`);
  }
}
