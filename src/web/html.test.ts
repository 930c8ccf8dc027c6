import { describe, expect, it } from 'vitest';
import { escapeHtml, tipHtml } from './html.js';

describe('the cockpit’s one HTML escape (tooltips)', () => {
  it('escapes & < > " and \' in every interpolated value, never in the template', () => {
    const team = '<img src=x onerror="alert(1)">';
    expect(tipHtml`${team}<br/>${3} cases`).toBe(
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<br/>3 cases',
    );
    expect(escapeHtml("Tom & Jerry's")).toBe('Tom &amp; Jerry&#39;s');
    expect([escapeHtml(null), escapeHtml(undefined), escapeHtml(0)]).toEqual(['', '', '0']);
  });
});
