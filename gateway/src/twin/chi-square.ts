/**
 * The chi-square distribution: CDF through the regularised lower incomplete gamma function
 * (series below a+1, Lentz continued fraction above; Numerical Recipes §6.2) and its quantile
 * by bisection. Used for NIS thresholds and NEES consistency bounds.
 */

const LANCZOS = [76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.001208650973866179, -5.395239384953e-6];

/** ln Γ(x) for x > 0 (Lanczos). */
export function logGamma(x: number): number {
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const c of LANCZOS) ser += c / ++y;
  return -tmp + Math.log((2.5066282746310002 * ser) / x);
}

/** Regularised lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lead = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let k = 1; k < 500; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(lead);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(lead) * h;
}

/** P(X ≤ x) for X ~ χ²(dof). */
export function chiSquareCdf(x: number, dof: number): number {
  return gammaP(dof / 2, x / 2);
}

/**
 * The p-quantile of χ²(dof): the x with P(X ≤ x) = p.
 * @throws RangeError when p is not in (0, 1) or dof < 1
 */
export function chiSquareQuantile(p: number, dof: number): number {
  if (!(p > 0 && p < 1) || !(dof >= 1)) throw new RangeError(`chiSquareQuantile needs 0 < p < 1 and dof >= 1 (got p=${p}, dof=${dof})`);
  const key = `${p}:${dof}`;
  const cached = QUANTILES.get(key);
  if (cached !== undefined) return cached;
  const q = quantileByBisection(p, dof);
  if (QUANTILES.size < 4096) QUANTILES.set(key, q);
  return q;
}

/** Quantiles computed so far (every twin's detector asks for the same few). */
const QUANTILES = new Map<string, number>();

function quantileByBisection(p: number, dof: number): number {
  let lo = 0;
  let hi = Math.max(1, dof);
  while (chiSquareCdf(hi, dof) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquareCdf(mid, dof) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
