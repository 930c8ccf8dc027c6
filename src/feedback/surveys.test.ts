import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { defineSurvey, listSurveys, validateSurveyAnswer } from './surveys.js';

describe('surveys', () => {
  it('defines a survey and validates answers against it', async () => {
    await withTestDb(async (db) => {
      await defineSurvey(db, {
        id: 'post-delivery',
        name: 'After delivery',
        touchpoint: 'delivery',
        questions: [
          'nps*:recommend:How likely are you to recommend us?',
          'ces:effort:How easy was it?',
          'text:why:Why?',
        ],
      });
      expect(
        (await listSurveys(db)).map((s) => [s.id, s.questions.map((q) => [q.id, q.type, q.required])]),
      ).toEqual([
        [
          'post-delivery',
          [
            ['recommend', 'nps', true],
            ['effort', 'ces', false],
            ['why', 'text', false],
          ],
        ],
      ]);
      expect(
        await validateSurveyAnswer(db, 'post-delivery', {
          question: 'recommend',
          score: 10,
          comment: 'fast',
        }),
      ).toEqual({
        survey_id: 'post-delivery',
        question: 'recommend',
        kind: 'nps',
        score: 10,
        comment: 'fast',
        touchpoint: 'delivery',
        channel: null,
      });
      expect(
        (await validateSurveyAnswer(db, 'post-delivery', { question: 'why', comment: 'late' })).kind,
      ).toBe('text');
    });
  });

  it.each([
    [{ question: 'recommend', score: 11 }, 'score', /11 is not a whole number in the NPS range 0–10/],
    [{ question: 'recommend', score: 7.5 }, 'score', /7.5/],
    [{ question: 'recommend' }, 'score', /needs a score/],
    [{ question: 'effort', score: 0 }, 'score', /CES range 1–7/],
    [{ question: 'why', score: 3, comment: 'x' }, 'score', /takes no score/],
    [{ question: 'why', comment: ' ' }, 'comment', /needs a comment/],
    [{ question: 'nope', score: 3 }, 'question', /no question "nope"/],
  ])('rejects %o naming the field', async (answer, field, message) => {
    await withTestDb(async (db) => {
      await defineSurvey(db, {
        id: 's',
        name: 'S',
        questions: ['nps:recommend:How likely?', 'ces:effort:How easy?', 'text:why:Why?'],
      });
      const err = await validateSurveyAnswer(db, 's', answer).catch(
        (e: unknown) => e as { code: string; details: { field: string; message: string }[] },
      );
      expect(err).toEqual(expect.objectContaining({ code: 'invalid_input' }));
      expect((err as { details: { field: string; message: string }[] }).details[0]).toEqual(
        expect.objectContaining({ field, message: expect.stringMatching(message) }),
      );
    });
  });

  it('refuses malformed definitions and unknown surveys', async () => {
    await withTestDb(async (db) => {
      await expect(defineSurvey(db, { id: 's', name: 'S', questions: ['how likely?'] })).rejects.toThrow(
        /type:id:text/,
      );
      await expect(defineSurvey(db, { id: 's', name: 'S', questions: ['stars:q:Rate us'] })).rejects.toThrow(
        /question 1/,
      );
      await expect(validateSurveyAnswer(db, 'missing', { question: 'q', score: 1 })).rejects.toThrow(
        /no survey missing/,
      );
    });
  });
});

describe('stored definitions', () => {
  it('reads questions whose type is spelled kind (imported definitions)', async () => {
    const { sql } = await import('../store/index.js');
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO surveys (id, name, touchpoint, channel, questions)
        VALUES ('imp', 'Imported', 'delivery', NULL, ${JSON.stringify([{ id: 'q1', kind: 'csat', text: 'How satisfied?' }])})`);
      expect((await validateSurveyAnswer(db, 'imp', { question: 'q1', score: 5 })).kind).toBe('csat');
    });
  });
});
