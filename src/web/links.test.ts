import { describe, expect, it } from 'vitest';
import { caseHref, customerHref } from './components/links.js';
import { parseHash } from './route.js';

describe('customer and case links', () => {
  it.each([['c00000005'], ['0000045'], ['CS 12/3 & co?#x'], ['émilie@example.com']])(
    'the id %j survives the trip through the URL',
    (id) => {
      expect(parseHash(customerHref(id))).toEqual({ page: 'customer', query: { id } });
      expect(parseHash(caseHref(id))).toEqual({ page: 'case', query: { id } });
    },
  );
});
