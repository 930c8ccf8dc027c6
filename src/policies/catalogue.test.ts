import { describe, expect, it } from 'vitest';
import { isTouchpointError } from '../core/errors.js';
import { withTestDb } from '../store/index.js';
import { listPolicies, parseCatalogue, savePolicies } from './catalogue.js';

const CSV = `name,effective,touchpoints,themes,owner
Return fee,2026-05-01,returns,return fee;refund,returns
"Free shipping from €50, web only",2026-02-01,checkout|cart,shipping cost,ecommerce
`;

const YAML = `policies:
  - name: Return fee
    effective: 2026-05-01
    touchpoints: [returns]
    themes: [return fee, refund]
    owner: returns
`;

describe('policy catalogue', () => {
  it('reads CSV (lists split on ; | ,) and YAML into the same policies', async () => {
    const csv = parseCatalogue(CSV);
    expect(csv).toHaveLength(2);
    expect(csv[0]).toEqual({
      id: undefined,
      name: 'Return fee',
      effective: '2026-05-01',
      touchpoints: ['returns'],
      themes: ['return fee', 'refund'],
      owner: 'returns',
      description: undefined,
    });
    expect(csv[1]!.touchpoints).toEqual(['checkout', 'cart']);
    expect(parseCatalogue(YAML)).toEqual([csv[0]]);
  });

  it.each([
    ['name,effective\n,2026-05-01\n', 'line 2, name: a policy needs a name'],
    ['name,effective\nFee,\n', 'line 2, effective: a policy needs an effective date (e.g. 2026-05-01)'],
    ['- name: Fee\n', 'item 1, effective: a policy needs an effective date (e.g. 2026-05-01)'],
    ['just: a mapping\n', 'the catalogue must be a list of policies (or `policies:` with a list)'],
    ['', 'the catalogue is empty'],
  ])('refuses %j with one line naming where', (text, message) => {
    try {
      parseCatalogue(text);
      expect.unreachable();
    } catch (e) {
      expect(isTouchpointError(e) && e.message).toBe(message);
    }
  });

  it('stores, replaces by id (the name’s slug) and lists in effective order', async () => {
    await withTestDb(async (db) => {
      await savePolicies(db, parseCatalogue(CSV), 'import', new Date('2026-06-01T00:00:00Z'));
      await savePolicies(db, parseCatalogue(YAML), 'import', new Date('2026-06-02T00:00:00Z'));
      const all = await listPolicies(db);
      expect(all.map((p) => [p.id, p.effectiveAt, p.source])).toEqual([
        ['free-shipping-from-50-web-only', '2026-02-01T00:00:00.000Z', 'import'],
        ['return-fee', '2026-05-01T00:00:00.000Z', 'import'],
      ]);
      expect(all[1]!.themes).toEqual(['return fee', 'refund']);
    });
  });

  it('refuses an effective date that is not a date, naming the field', async () => {
    await withTestDb(async (db) => {
      await expect(
        savePolicies(db, parseCatalogue('name,effective\nFee,soon\n'), 'import', new Date()),
      ).rejects.toThrow(/effective/);
    });
  });
});
