/**
 * What distinguishes a persona, in plain words (docs/personas.md, "Descriptions and names"): for every
 * descriptor, the standardised difference d = (persona mean − population mean) / population sd; the
 * 3–5 descriptors with the largest |d| (at least MIN_D) are quoted with both figures, and the first
 * two that have a word in the vocabulary name the persona until a user renames it.
 */

export const MIN_D = 0.2;

export interface Descriptor {
  readonly name: string;
  /** A person's phrase for the figure, `{x}` being the figure. */
  readonly phrase: string;
  readonly format: 'percent' | 'number';
  /** The vocabulary: the word when the persona is above (high) or below (low) the population. */
  readonly high?: string;
  readonly low?: string;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const BEHAVIOUR_DESCRIPTORS: readonly Descriptor[] = [
  {
    name: 'frequency',
    phrase: 'active on {x} days a month',
    format: 'number',
    high: 'Frequent',
    low: 'Occasional',
  },
  {
    name: 'breadth',
    phrase: 'uses {x} distinct touchpoints',
    format: 'number',
    high: 'Exploring',
    low: 'Focused',
  },
  {
    name: 'self_service_share',
    phrase: '{x} of interactions self-service',
    format: 'percent',
    high: 'Self-serve',
    low: 'Assisted',
  },
  {
    name: 'switch_rate',
    phrase: 'changes channel between {x} of consecutive interactions',
    format: 'percent',
    high: 'Channel-hopping',
    low: 'Single-channel',
  },
  {
    name: 'contact_rate_year',
    phrase: '{x} support cases a year',
    format: 'number',
    high: 'Support-reliant',
    low: 'Low-touch',
  },
  { name: 'value', phrase: 'worth {x} a month', format: 'number', high: 'High-value', low: 'Low-spend' },
  {
    name: 'tenure_days',
    phrase: 'a customer for {x} days',
    format: 'number',
    high: 'Long-standing',
    low: 'Newer',
  },
];

/** One descriptor per channel of the mix: high share names the persona "<Channel>-first". */
export const channelDescriptor = (channel: string): Descriptor => ({
  name: `mix:${channel}`,
  phrase: `{x} of interactions on ${channel}`,
  format: 'percent',
  high: `${cap(channel)}-first`,
});

export interface Distinction {
  readonly feature: string;
  readonly persona: number;
  readonly population: number;
  /** Standardised difference. */
  readonly d: number;
  /** The phrase with the persona's figure and the population's, as quoted in the description. */
  readonly text: string;
}

/** The figure as quoted: percentages to whole points, other numbers to 2 significant decimals. */
export function quote(format: Descriptor['format'], x: number): string {
  if (format === 'percent') return `${Math.round(x * 100)}%`;
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return x.toFixed(digits);
}

/** Population moments of each descriptor (mean, sd), over the rows given. */
export interface DescriptorStats {
  readonly mean: number;
  readonly sd: number;
}

export function describePersona(
  descriptors: readonly Descriptor[],
  personaMeans: readonly number[],
  population: readonly DescriptorStats[],
): Distinction[] {
  const all = descriptors
    .map((desc, j) => {
      const m = personaMeans[j]!;
      const p = population[j]!;
      const d = p.sd > 0 && Number.isFinite(m) ? (m - p.mean) / p.sd : 0;
      return { desc, m, p, d };
    })
    .filter((x) => Math.abs(x.d) >= MIN_D)
    .sort((a, b) => Math.abs(b.d) - Math.abs(a.d) || a.desc.name.localeCompare(b.desc.name))
    .slice(0, 5);
  return all.map(({ desc, m, p, d }) => ({
    feature: desc.name,
    persona: m,
    population: p.mean,
    d,
    text: `${desc.phrase.replace('{x}', quote(desc.format, m))} (all customers: ${quote(desc.format, p.mean)})`,
  }));
}

/** A plain-words description naming each figure. */
export function descriptionOf(distinctions: readonly Distinction[]): string {
  if (distinctions.length === 0) return 'No behaviour sets these customers apart from the rest.';
  return `Compared with all customers: ${distinctions.map((x) => x.text).join('; ')}.`;
}

/** A vocabulary name from the two strongest distinctions that have a word; unique within the run. */
export function nameOf(
  descriptors: readonly Descriptor[],
  distinctions: readonly Distinction[],
  taken: ReadonlySet<string>,
): string {
  const words: string[] = [];
  for (const x of distinctions) {
    const desc = descriptors.find((d) => d.name === x.feature);
    const w = x.d > 0 ? desc?.high : desc?.low;
    if (w && !words.includes(w)) words.push(w);
  }
  const candidates = [
    words.slice(0, 2).join(' & '),
    words.slice(0, 3).join(' & '),
    words[0] ?? 'Typical',
  ].filter((c) => c !== '');
  for (const c of candidates) if (!taken.has(c)) return c;
  const base = candidates[0] ?? 'Typical';
  for (let i = 2; ; i++) if (!taken.has(`${base} (${i})`)) return `${base} (${i})`;
}
