import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, sql } from '../store/index.js';
import { bearer, type ChildServer, call, defaultKey, startChild, tempDir } from './test-harness.js';

/**
 * Unknown fields over HTTP ingest (issue 16 item 7): strict by default — the batch is refused with a
 * 400 naming the record and the field, nothing stored — or `?unknownFields=lenient`, which keeps
 * them in the kind's JSON column (or drops them for a kind without one) and says how many.
 */
const dataDir = tempDir('tp-unknown-');
let server: ChildServer;
let ingest: Record<string, string>;

beforeAll(async () => {
  server = await startChild({ dataDir });
  ingest = bearer(await defaultKey(server.url, ['ingest']));
}, 60_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const events = [
  { id: 'e1', customer_id: 'c1', ts: '2026-03-01T10:00:00Z', channel: 'web', touchpoint: 'checkout' },
  {
    id: 'e2',
    customer_id: 'c1',
    ts: '2026-03-01T10:01:00Z',
    channel: 'web',
    touchpoint: 'checkout',
    colour: 'red',
    size: 3,
  },
];

describe('unknown fields over HTTP ingest (real server process)', () => {
  it('strict by default: 400 naming the record and the field, nothing of the batch stored', async () => {
    const r = await call<{ error: { message: string; details: { field: string; message: string }[] } }>(
      `${server.url}/api/v1/ingest/events`,
      { headers: ingest, body: events },
    );
    expect(r.status).toBe(400);
    const fields = r.body.error.details.map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([expect.stringMatching(/colour/), expect.stringMatching(/size/)]),
    );
    // the record is named: the second one (line/record 2 or [1])
    expect(r.body.error.message).toMatch(/:2: (colour|size): not a field of events/);
    // an explicit strict is the same
    const strict = await call(`${server.url}/api/v1/ingest/events?unknownFields=strict`, {
      headers: ingest,
      body: events,
    });
    expect(strict.status).toBe(400);
  });

  it('?unknownFields=lenient stores the batch, keeps the fields in properties, and counts them', async () => {
    const r = await call<{ rowsStored: number; unknownFields: Record<string, unknown> }>(
      `${server.url}/api/v1/ingest/events?unknownFields=lenient`,
      { headers: ingest, body: events },
    );
    expect(r.status).toBe(200);
    expect(r.body.rowsStored).toBe(2);
    expect(r.body.unknownFields).toEqual({
      mode: 'lenient',
      kept: 2,
      dropped: 0,
      fields: ['colour', 'size'],
    });
    // teams have no JSON column: the unknown field is dropped, and said so
    const teams = await call<{ rowsStored: number; unknownFields: Record<string, unknown> }>(
      `${server.url}/api/v1/ingest/teams?unknownFields=lenient`,
      { headers: ingest, body: [{ id: 't1', name: 'Front line', tier: 1, mood: 'busy' }] },
    );
    expect(teams.status).toBe(200);
    expect(teams.body.unknownFields).toEqual({ mode: 'lenient', kept: 0, dropped: 1, fields: ['mood'] });
    // a strict batch without unknown fields says strict
    const clean = await call<{ unknownFields: Record<string, unknown> }>(
      `${server.url}/api/v1/ingest/events`,
      {
        headers: ingest,
        body: [events[0]],
      },
    );
    expect(clean.body.unknownFields).toEqual({ mode: 'strict' });
  });

  it('refuses a mode it does not know, naming the parameter', async () => {
    const r = await call<{ error: { details: { field: string }[] } }>(
      `${server.url}/api/v1/ingest/events?unknownFields=ignore`,
      { headers: ingest, body: events },
    );
    expect(r.status).toBe(400);
    expect(r.body.error.details[0]!.field).toBe('unknownFields');
  });

  it('what lenient kept is in the stored rows', async () => {
    await server.stop();
    const db = await openStore(join(dataDir, 'workspaces', 'default.duckdb'));
    try {
      const row = await db.one<{ p: string }>(
        sql`SELECT properties::VARCHAR AS p FROM events WHERE id = 'e2'`,
      );
      expect(JSON.parse(row!.p)).toMatchObject({ colour: 'red', size: 3 });
      const n = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM events`);
      expect(n!.n).toBe(2);
    } finally {
      await db.close();
    }
    server = await startChild({ dataDir });
  }, 60_000);
});
