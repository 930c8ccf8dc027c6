/**
 * Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985): 1 for identical
 * partitions, about 0 for chance agreement. Used to measure theme recovery against known labels.
 */
export function ari(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) throw new Error('ari: labelings differ in length');
  const n = a.length;
  if (n < 2) return 1;
  const table = new Map<string, number>();
  const ra = new Map<string, number>();
  const rb = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = `${a[i]}\u0000${b[i]}`;
    table.set(k, (table.get(k) ?? 0) + 1);
    ra.set(a[i]!, (ra.get(a[i]!) ?? 0) + 1);
    rb.set(b[i]!, (rb.get(b[i]!) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  for (const v of ra.values()) sa += c2(v);
  let sb = 0;
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
