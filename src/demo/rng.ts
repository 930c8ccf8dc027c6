/**
 * The demo's only source of randomness: a small, fast, seeded generator (sfc32, seeded through
 * splitmix32). Every simulated customer draws from its own stream per module — `streamFor(seed,
 * index, 'journeys')` — so a module that changes how many numbers it draws never shifts another
 * module's draws, and the same seed and size always give the same rows. No Math.random, no clock.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by non-negative weights (same length as items). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** Standard normal (Box–Muller). */
  normal(mean?: number, sd?: number): number;
  /** Exponential with the given mean. */
  exp(mean: number): number;
  /** Log-normal with the given median and log-scale sigma. */
  lognormal(median: number, sigma: number): number;
  /** Poisson with mean lambda (Knuth for small means, normal approximation above 30). */
  poisson(lambda: number): number;
  /** Beta-like value in (0, 1) centred on `mean` with concentration k (mean of k uniforms blend). */
  beta(mean: number, k: number): number;
}

/** splitmix32: scrambles a 32-bit integer well enough to seed from (seed, index, stream). */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a of a short string: turns a stream name into a number. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x6a09e667);
    this.c = mix32(this.b ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      u -= weights[i]!;
      if (u < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return mean + sd * s;
    }
    let u = this.next();
    while (u <= Number.EPSILON) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  exp(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }

  beta(mean: number, k: number): number {
    // a logit-normal draw: cheap, bounded, centred near `mean`, spread shrinking with k
    const m = Math.min(0.999, Math.max(0.001, mean));
    const z = Math.log(m / (1 - m)) + this.normal() * (2 / Math.sqrt(k));
    return 1 / (1 + Math.exp(-z));
  }
}

/** A generator for one seed. */
export function createRng(seed: number): Rng {
  return new Sfc32(seed >>> 0);
}

/** The stream of one simulated entity (customer, visitor, team) for one module. */
export function streamFor(seed: number, index: number, stream: string): Rng {
  return new Sfc32(mix32(mix32(seed ^ hashString(stream)) ^ mix32(index + 0x51ed27)));
}
