import { beforeAll, describe, expect, it } from 'vitest';
import { admin, counts, keyA, readA, url, useServer } from './server.test-helpers.js';
import { bearer, call } from './test-harness.js';

/**
 * The server as a real process on loopback: public survey answers with single-use tokens.
 */
useServer();

describe('public survey answers', () => {
  let tokens: string[] = [];

  beforeAll(async () => {
    const def = await call(`${url}/api/v1/feedback/survey-define`, {
      headers: bearer(keyA),
      body: {
        id: 'post-purchase',
        name: 'After purchase',
        touchpoint: 'checkout',
        question: ['nps*:recommend:How likely are you to recommend us?', 'text:why:What is the main reason?'],
      },
    });
    expect(def.status).toBe(200);
    const issued = await call<{ tokens: { token: string }[] }>(`${url}/api/v1/admin/survey-tokens`, {
      headers: admin,
      body: { survey: 'post-purchase', customerIds: ['cu-1', 'cu-2', 'cu-3'] },
    });
    expect(issued.status).toBe(200);
    tokens = issued.body.tokens.map((t) => t.token);
  });

  it('shows the survey questions to the holder of a token only', async () => {
    const def = await call<{ name: string; questions: { id: string; type: string; required: boolean }[] }>(
      `${url}/s/post-purchase/definition?t=${tokens[0]}`,
    );
    expect(def.status).toBe(200);
    expect(def.body.name).toBe('After purchase');
    expect(def.body.questions.map((q) => [q.id, q.type, q.required])).toEqual([
      ['recommend', 'nps', true],
      ['why', 'text', false],
    ]);
    expect((await call(`${url}/s/post-purchase/definition`)).status).toBe(400);
    expect((await call(`${url}/s/post-purchase/definition?t=${'y'.repeat(32)}`)).status).toBe(403);
  });

  it('stores a detractor answer as feedback within a second and creates its follow-up; the token works once', async () => {
    const before = await counts(keyA);
    const t0 = Date.now();
    const r = await call<{ stored: number; followUpsCreated: number }>(`${url}/s/post-purchase/answers`, {
      body: {
        token: tokens[0],
        question: 'recommend',
        score: 3,
        comment: 'Delivery was late and nobody told me',
      },
    });
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.body.stored).toBe(1);
    // createFollowUps catches up every detractor without one (the ingest test's 'slow' answer too)
    expect(r.body.followUpsCreated).toBeGreaterThanOrEqual(1);
    expect((await counts(keyA)).feedback).toBe(before.feedback! + 1);
    const fu = await call<{ items: { customerId: string; score: number }[] }>(
      `${url}/api/v1/feedback/follow-ups`,
      { headers: bearer(readA) },
    );
    expect(JSON.stringify(fu.body)).toContain('cu-1');
    const again = await call(`${url}/s/post-purchase/answers`, {
      body: { token: tokens[0], question: 'recommend', score: 9 },
    });
    expect(again.status).toBe(409);
    expect((await counts(keyA)).feedback).toBe(before.feedback! + 1);
  });

  it('refuses answers that break the survey definition, naming the field, and keeps the token usable', async () => {
    const before = await counts(keyA);
    const bad = await call<{ error: { details: { field: string }[] } }>(`${url}/s/post-purchase/answers`, {
      body: { token: tokens[1], answers: [{ question: 'recommend', score: 11 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]!.field).toBe('answers[0].score');
    const missing = await call<{ error: { details: { field: string }[] } }>(
      `${url}/s/post-purchase/answers`,
      {
        body: { token: tokens[1], answers: [{ question: 'why', comment: 'fine' }] },
      },
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0]!.field).toBe('answers.recommend');
    expect(await counts(keyA)).toEqual(before);
    const ok = await call(`${url}/s/post-purchase/answers`, {
      body: {
        token: tokens[1],
        answers: [
          { question: 'recommend', score: 10 },
          { question: 'why', comment: 'fast' },
        ],
      },
    });
    expect(ok.status).toBe(200);
    expect((await counts(keyA)).feedback).toBe(before.feedback! + 2);
  });

  it('a detractor score and a text answer in one submission: the follow-up carries the text', async () => {
    const issued = await call<{ tokens: { token: string }[] }>(`${url}/api/v1/admin/survey-tokens`, {
      headers: admin,
      body: { survey: 'post-purchase', customerIds: ['cu-9'] },
    });
    const r = await call<{ stored: number; followUpsCreated: number }>(`${url}/s/post-purchase/answers`, {
      body: {
        token: issued.body.tokens[0]!.token,
        answers: [
          { question: 'recommend', score: 2 },
          { question: 'why', comment: 'The parcel came open' },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect([r.body.stored, r.body.followUpsCreated]).toEqual([2, 1]);
    const fu = await call<{ items: { customerId: string; score: number; comment: string }[] }>(
      `${url}/api/v1/feedback/follow-ups?sort=newest`,
      { headers: bearer(readA) },
    );
    // newest answer first (the default order is severity × age since the answer)
    expect(fu.body.items[0]).toEqual(
      expect.objectContaining({ customerId: 'cu-9', score: 2, comment: 'The parcel came open' }),
    );
  });

  it('two concurrent answers with one token: exactly one is stored', async () => {
    const issued = await call<{ tokens: { token: string }[] }>(`${url}/api/v1/admin/survey-tokens`, {
      headers: admin,
      body: { survey: 'post-purchase', count: 1 },
    });
    const token = issued.body.tokens[0]!.token;
    const before = await counts(keyA);
    const answers = await Promise.all(
      [7, 8, 9].map((score) =>
        call(`${url}/s/post-purchase/answers`, { body: { token, question: 'recommend', score } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect((await counts(keyA)).feedback).toBe(before.feedback! + 1);
  });

  it('a token answers only its own survey; an unknown token is refused', async () => {
    expect(
      (
        await call(`${url}/s/other-survey/answers`, {
          body: { token: tokens[2], question: 'recommend', score: 5 },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(`${url}/s/post-purchase/answers`, {
          body: { token: 'x'.repeat(32), question: 'recommend', score: 5 },
        })
      ).status,
    ).toBe(403);
    expect(
      (await call(`${url}/s/post-purchase/answers`, { body: { question: 'recommend', score: 5 } })).status,
    ).toBe(400);
  });
});
