import { describe, expect, it } from 'vitest';
import { humanize, table } from './render.js';

describe('table headers in words (#17.10)', () => {
  it.each([
    ['medianHours', 'median hours'],
    ['fromChannel', 'from channel'],
    ['p90Hours', 'p90 hours'],
    ['customer_id', 'customer ID'],
    ['npsLow', 'NPS low'],
    ['fcr', 'FCR'],
    ['ciLow', '95% CI low'],
    ['customersAffected', 'customers affected'],
    ['handoffs/case', 'handoffs/case'],
    ['mean CSAT', 'mean CSAT'],
    ['reason', 'reason'],
  ])('%s → %s', (key, label) => {
    expect(humanize(key)).toBe(label);
  });

  it('draws humanised headers and never cuts the last text column', () => {
    const title = 'x'.repeat(90);
    const out = table([{ medianHours: 1.5, title }]).split('\n');
    expect(out[0]).toBe('median hours  title');
    expect(out[2]).toBe(`         1.5  ${title}`);
  });

  it('cuts a long text column that is not the last at 60 characters', () => {
    const out = table([{ name: 'y'.repeat(70), n: 1 }]).split('\n');
    expect(out[2]).toBe(`${'y'.repeat(59)}…  1`);
  });
});
