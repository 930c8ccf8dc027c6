import jStat from 'jstat';
import { Z95 } from './index.js';

/** A normal prior on the relative lift. */
export interface GaussianPrior {
  readonly mean: number;
  readonly sd: number;
}

/** The proper prior offered as the option: N(0, 0.3²) on relative lift (GrowthBook's default proper prior). */
export const PROPER_PRIOR: GaussianPrior = { mean: 0, sd: 0.3 };

export interface BayesResult {
  /** posterior mean and 95% credible interval of the relative lift */
  readonly mean: number;
  readonly sd: number;
  readonly low: number;
  readonly high: number;
  /** P(treatment better than control), direction-aware */
  readonly chanceToWin: number;
  /** expected loss in relative lift of shipping the treatment / of keeping the control */
  readonly risk: { readonly treatment: number; readonly control: number };
  readonly prior: GaussianPrior | null;
}

/**
 * Bayesian Gaussian model on the relative lift (Stucchio 2015; GrowthBook's Bayesian engine):
 * the likelihood is N(lift, se²) from the delta method; with the improper flat prior (`prior` null,
 * the default) the posterior is that likelihood; with a normal prior N(m, τ²) it is the conjugate
 * N((lift/se² + m/τ²)/(1/se² + 1/τ²), 1/(1/se² + 1/τ²)).
 * Chance to win = P(Δ > 0) (P(Δ < 0) when lower is better). Risk is the expected loss of a choice:
 * shipping loses E[max(0, −Δ)] = σφ(μ/σ) − μΦ(−μ/σ), keeping the control loses
 * E[max(0, Δ)] = σφ(μ/σ) + μΦ(μ/σ) (signs swapped when lower is better).
 */
export function gaussianLift(
  lift: { readonly value: number; readonly se: number },
  prior: GaussianPrior | null = null,
  lowerIsBetter = false,
): BayesResult {
  let mu = lift.value;
  let v = lift.se ** 2;
  if (prior) {
    const precision = 1 / v + 1 / prior.sd ** 2;
    mu = (lift.value / v + prior.mean / prior.sd ** 2) / precision;
    v = 1 / precision;
  }
  const sd = Math.sqrt(v);
  const good = lowerIsBetter ? -mu : mu;
  const phi = sd > 0 ? jStat.normal.pdf(good / sd, 0, 1) : 0;
  const cdf = (x: number) => (sd > 0 ? jStat.normal.cdf(x / sd, 0, 1) : x > 0 ? 1 : x < 0 ? 0 : 0.5);
  return {
    mean: mu,
    sd,
    low: mu - Z95 * sd,
    high: mu + Z95 * sd,
    chanceToWin: cdf(good),
    risk: {
      treatment: sd * phi - good * cdf(-good),
      control: sd * phi + good * cdf(good),
    },
    prior,
  };
}
