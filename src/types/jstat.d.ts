// The parts of jstat Touchpoint uses (the package ships no types).
declare module 'jstat' {
  interface Dist2 {
    cdf(x: number, a: number, b: number): number;
    inv(p: number, a: number, b: number): number;
    pdf(x: number, a: number, b: number): number;
  }
  interface Dist1 {
    cdf(x: number, a: number): number;
    inv(p: number, a: number): number;
    pdf(x: number, a: number): number;
  }
  const jStat: {
    normal: Dist2;
    studentt: Dist1;
    chisquare: Dist1;
    beta: Dist2;
    centralF: Dist2;
    poisson: { cdf(k: number, lambda: number): number; pdf(k: number, lambda: number): number };
    /** Regularised incomplete beta function I_x(a, b). */
    ibeta(x: number, a: number, b: number): number;
  };
  export default jStat;
  export { jStat };
}
