import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validate } from '../core/params.js';
import { runCli } from '../server/test-harness.js';
import { openStore, sql, withTestDb } from '../store/index.js';
import { answerOperation } from './survey-answer.js';
import { defineSurvey } from './surveys.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-answer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SURVEY = {
  id: 'post-delivery',
  name: 'After delivery',
  touchpoint: 'delivery',
  questions: ['nps*:recommend:How likely are you to recommend us?', 'text:why:Why?'],
};
const run = (db: Parameters<typeof answerOperation.run>[0], p: Record<string, unknown>) =>
  answerOperation.run(db, validate(answerOperation.params, p), { actor: 'test' });

describe('feedback answer: a survey answer as an operation (the public link stores through it too)', () => {
  it('stores a detractor with a comment as feedback and opens its follow-up; a retry stores nothing twice', async () => {
    await withTestDb(async (db) => {
      await defineSurvey(db, SURVEY);
      const answers = [
        { question: 'recommend', score: 3 },
        { question: 'why', comment: 'The parcel came two days late' },
      ];
      const r = await run(db, {
        survey: 'post-delivery',
        answers: JSON.stringify(answers),
        customer: 'c1',
        ts: '2026-03-01T10:00:00Z',
        submission: 'phone-0001',
      });
      expect(r).toMatchObject({
        stored: 2,
        feedbackIds: ['sv-phone-0001-recommend', 'sv-phone-0001-why'],
        followUpsCreated: 1,
      });
      const rows = await db.all<{ id: string; kind: string; score: number | null; customer_id: string }>(
        sql`SELECT id, kind, score, customer_id FROM feedback ORDER BY id`,
      );
      expect(rows.map((x) => [x.id, x.kind, x.score, x.customer_id])).toEqual([
        ['sv-phone-0001-recommend', 'nps', 3, 'c1'],
        ['sv-phone-0001-why', 'text', null, 'c1'],
      ]);
      const again = await run(db, {
        survey: 'post-delivery',
        answers,
        submission: 'phone-0001',
        customer: 'c1',
      });
      expect(again.followUpsCreated).toBe(0);
      expect((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM feedback`))!.n).toBe(2);
    });
  });

  it('refuses a wrong answer naming it, and stores nothing of the submission', async () => {
    await withTestDb(async (db) => {
      await defineSurvey(db, SURVEY);
      const out = (p: Record<string, unknown>) =>
        Promise.resolve()
          .then(() => run(db, { survey: 'post-delivery', ...p }))
          .catch((e: unknown) => e);
      expect(
        await out({
          answers: [
            { question: 'why', comment: 'fine' },
            { question: 'recommend', score: 11 },
          ],
        }),
      ).toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^answers\[1\]\.score: 11 is not/),
      });
      expect(await out({ question: 'why', comment: 'no score given' })).toMatchObject({
        message: 'answers.recommend: this question is required',
      });
      expect(await out({ answers: '[{"question": "recommend", ' })).toMatchObject({ code: 'invalid_input' });
      expect(await out({})).toMatchObject({ message: expect.stringMatching(/^answers: give either/) });
      expect(await out({ question: 'recommend', score: 9, ts: '2026-02-30' })).toMatchObject({
        message: expect.stringMatching(/^ts: /),
      });
      expect((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM feedback`))!.n).toBe(0);
    });
  });

  it('is `touchpoint feedback answer SURVEY` in the terminal', async () => {
    const ws = join(dir, 'ws.duckdb');
    const db = await openStore(ws);
    await defineSurvey(db, SURVEY);
    await db.close();
    const r = await runCli([
      'feedback',
      'answer',
      'post-delivery',
      '--question',
      'recommend',
      '--score',
      '10',
      '--db',
      ws,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Stored 1 answer to post-delivery/);
    const file = join(dir, 'answers.json');
    writeFileSync(file, JSON.stringify([{ question: 'recommend', score: 'ten' }]));
    const bad = await runCli(['feedback', 'answer', 'post-delivery', '--answers-file', file, '--db', ws]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/answers\.0\.score/);
  }, 60_000);
});
