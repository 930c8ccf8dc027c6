import { describe, expect, it } from 'vitest';
import { admin, url, useSecurityServer } from './security.test-helpers.js';
import { call } from './test-harness.js';

/**
 * Attacks from docs/security.md performed against the real server process on loopback: a
 * non-atomic webhook write and hostile YAML (issue 16 items 4 and 8).
 */
useSecurityServer();

describe('the helpdesk webhook is atomic (issue 16 item 4)', () => {
  const counts = async () => {
    const r = await call<{ counts: Record<string, number> }>(`${url}/api/v1/overview/summary`, {
      headers: admin,
    });
    expect(r.status).toBe(200);
    return r.body.counts;
  };

  it('an invalid event field answers 400 and leaves no case row behind', async () => {
    const before = await counts();
    const bad = await call(`${url}/api/v1/ingest/webhooks/helpdesk`, {
      headers: admin,
      body: [
        { ticket_id: 'HD-ATOMIC-1', timestamp: '2026-05-01T10:00:00Z', status: 'new', group: 'billing' },
        {
          ticket_id: 'HD-ATOMIC-2',
          timestamp: '2026-05-01T11:00:00Z',
          group: 'billing',
          promised_at: 'soon',
        },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('promised_at');
    expect(await counts()).toEqual(before);
    // the same change without the bad field stores both kinds
    const good = await call<{ cases: { rowsStored: number }; caseEvents: { rowsStored: number } }>(
      `${url}/api/v1/ingest/webhooks/helpdesk`,
      {
        headers: admin,
        body: [{ ticket_id: 'HD-ATOMIC-2', timestamp: '2026-05-01T11:00:00Z', group: 'billing' }],
      },
    );
    expect(good.status).toBe(200);
    expect(good.body.cases.rowsStored).toBe(1);
    expect(good.body.caseEvents.rowsStored).toBe(1);
    const after = await counts();
    expect(after.cases).toBe(before.cases! + 1);
  });
});

describe('user YAML is parsed safely (issue 16 item 8)', () => {
  const setTaxonomy = (yaml: string) =>
    call<{ error: { code: string; message: string } }>(`${url}/api/v1/feedback/taxonomy-set`, {
      headers: admin,
      body: { yaml },
    });

  it('reads no file by path: journey check with file= is a 400 naming the field, the drawing as text works', async () => {
    const byPath = await call<{ error: { code: string; details: { field: string }[] } }>(
      `${url}/api/v1/journey/check?file=${encodeURIComponent('/etc/hostname')}`,
      { headers: admin },
    );
    expect(byPath.status).toBe(400);
    expect(byPath.body.error.details[0]!.field).toBe('file');
    const drawing = JSON.stringify({ stages: [{ name: 'buy', touchpoints: ['search', 'cart'] }] });
    const asText = await call(`${url}/api/v1/journey/check?drawing=${encodeURIComponent(drawing)}`, {
      headers: admin,
    });
    expect(asText.status).toBe(200);
  });

  it('a YAML alias bomb is a 400 naming the problem, not a 500', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const r = await setTaxonomy(`${levels.join('\n')}\nthemes: *i\n`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_input');
    expect(r.body.error.message).toMatch(/alias/i);
  });

  it.each([
    ['unclosed flow sequence', 'themes: [1, 2'],
    ['tab indentation', 'themes:\n\t- id: x'],
    ['duplicate keys', 'version: 1\nversion: 2\nthemes: []'],
    ['a scalar instead of a map', '"just text"'],
  ])('%s is a 400 naming the problem', async (_label, yaml) => {
    const r = await setTaxonomy(yaml);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_input');
    expect(r.body.error.message).toMatch(/^taxonomy\.yaml:/);
  });
});
