/** A fixed one-minute window counter per principal (API keys and users). */
export class Limiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly max: number) {}
  hit(id: string): boolean {
    const now = Date.now();
    const w = this.windows.get(id);
    if (!w || now - w.start >= 60_000) {
      this.windows.set(id, { start: now, count: 1 });
      if (this.windows.size > 100_000) this.windows.clear();
      return true;
    }
    return ++w.count <= this.max;
  }
  /** True while `id` is over its limit in the current window (without counting a hit). */
  over(id: string): boolean {
    const w = this.windows.get(id);
    return Boolean(w && Date.now() - w.start < 60_000 && w.count >= this.max);
  }
}
