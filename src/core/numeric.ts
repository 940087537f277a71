// Numeric calculus for the checks: derivatives by Ridders' extrapolation of central differences,
// definite integrals by adaptive Simpson, and the gamma function (for factorials of reals).

const maxDiff = (a: readonly number[], b: readonly number[]): number => a.reduce((m, v, k) => Math.max(m, Math.abs(v - b[k]!)), 0)

/**
 * Derivative at x of a vector-valued f (undefined where f is undefined). Starts from steps no
 * wider than a tenth of |x| (so log(x) near 0 is not sampled across 0) and tries smaller ones
 * when f is undefined nearby or the estimate is poor. Undefined when no reliable estimate exists
 * (near a pole), so that the caller resamples instead of reporting a false difference.
 */
export function derivative(f: (t: number) => readonly number[] | undefined, x: number): number[] | undefined {
  let best: { d: number[]; rel: number } | undefined
  for (let h = 0.1 * Math.min(1, Math.max(Math.abs(x), 0.01)); h > 1e-7; h /= 10) {
    const r = ridders(f, x, h)
    if (!r) continue
    const rel = r.err / Math.max(1, ...r.d.map(Math.abs))
    if (!best || rel < best.rel) best = { d: r.d, rel }
    if (rel < 1e-8) break
  }
  return best && best.rel < 1e-6 ? best.d : undefined
}

/** Ridders' method (Numerical Recipes `dfridr`): a Richardson tableau over shrinking steps. */
function ridders(f: (t: number) => readonly number[] | undefined, x: number, h: number): { d: number[]; err: number } | undefined {
  const CON = 1.4
  const CON2 = CON * CON
  const NTAB = 10
  const SAFE = 2
  const central = (hh: number): number[] | undefined => {
    const a = f(x + hh)
    const b = f(x - hh)
    return a && b ? a.map((v, k) => (v - b[k]!) / (2 * hh)) : undefined
  }
  const first = central(h)
  if (!first) return undefined
  // tab[i][j]: step level i, extrapolation order j
  const tab: number[][][] = [[first]]
  let best: number[] | undefined
  let err = Infinity
  let hh = h
  for (let i = 1; i < NTAB; i++) {
    hh /= CON
    const c = central(hh)
    if (!c) break
    const row: number[][] = [c]
    let fac = CON2
    for (let j = 1; j <= i; j++) {
      const sameLevel = row[j - 1]!
      const prevLevel = tab[i - 1]![j - 1]!
      const v = sameLevel.map((a, k) => (a * fac - prevLevel[k]!) / (fac - 1))
      row.push(v)
      fac *= CON2
      const e = Math.max(maxDiff(v, sameLevel), maxDiff(v, prevLevel))
      if (e <= err) {
        err = e
        best = v
      }
    }
    tab.push(row)
    // higher orders got worse: round-off has taken over, keep the best so far
    if (maxDiff(row[i]!, tab[i - 1]![i - 1]!) >= SAFE * err) break
  }
  return best && { d: best, err }
}

/** Definite integral of f over [a, b] by adaptive Simpson (f may throw where it is undefined). */
export function integrate(f: (t: number) => number, a: number, b: number): number {
  if (a === b) return 0
  if (b < a) return -integrate(f, b, a)
  let budget = 200_000
  const simpson = (lo: number, hi: number, flo: number, fm: number, fhi: number): number => ((hi - lo) / 6) * (flo + 4 * fm + fhi)
  const rec = (lo: number, hi: number, flo: number, fm: number, fhi: number, whole: number, eps: number, depth: number): number => {
    const m = (lo + hi) / 2
    const f1 = f((lo + m) / 2)
    const f2 = f((m + hi) / 2)
    budget -= 2
    const left = simpson(lo, m, flo, f1, fm)
    const right = simpson(m, hi, fm, f2, fhi)
    const delta = left + right - whole
    if (depth >= 40 || budget <= 0 || Math.abs(delta) <= 15 * eps) return left + right + delta / 15
    return rec(lo, m, flo, f1, fm, left, eps / 2, depth + 1) + rec(m, hi, fm, f2, fhi, right, eps / 2, depth + 1)
  }
  // start from 8 panels so that a symmetric integrand cannot fool the first estimate
  const panels = 8
  const w = (b - a) / panels
  const pieces: { lo: number; hi: number; flo: number; fm: number; fhi: number; s: number }[] = []
  let flo = f(a)
  for (let k = 0; k < panels; k++) {
    const lo = a + k * w
    const hi = k === panels - 1 ? b : lo + w
    const fm = f((lo + hi) / 2)
    const fhi = f(hi)
    pieces.push({ lo, hi, flo, fm, fhi, s: simpson(lo, hi, flo, fm, fhi) })
    flo = fhi
  }
  const total = pieces.reduce((s, p) => s + Math.abs(p.s), 0)
  const eps = (1e-11 * Math.max(1, total)) / panels
  return pieces.reduce((s, p) => s + rec(p.lo, p.hi, p.flo, p.fm, p.fhi, p.s, eps, 0), 0)
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61503916999185, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** Γ(x) by the Lanczos approximation (g = 7), with reflection below 1/2. NaN at the poles. */
export function gamma(x: number): number {
  if (Number.isInteger(x) && x <= 0) return NaN
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x))
  if (Number.isInteger(x) && x <= 171) {
    let r = 1
    for (let k = 2; k < x; k++) r *= k
    return r
  }
  const y = x - 1
  let s = LANCZOS[0]!
  for (let k = 1; k < 9; k++) s += LANCZOS[k]! / (y + k)
  const t = y + 7.5
  return Math.sqrt(2 * Math.PI) * t ** (y + 0.5) * Math.exp(-t) * s
}
