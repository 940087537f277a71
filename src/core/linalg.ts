// Small dense linear algebra for the numeric checks (matrices are a few rows: plain loops suffice,
// and hand-written routines keep mathjs's typed-function set-up out of the start-up path).

export type Rows = readonly (readonly number[])[]

export const shapeOf = (m: Rows): [number, number] => [m.length, m[0]?.length ?? 0]

export const identity = (n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))

export const transpose = (m: Rows): number[][] => {
  const [r, c] = shapeOf(m)
  return Array.from({ length: c }, (_, j) => Array.from({ length: r }, (_, i) => m[i]![j]!))
}

/** Matrix product; undefined when the inner dimensions differ. */
export function matmul(a: Rows, b: Rows): number[][] | undefined {
  const [n, k] = shapeOf(a)
  const [k2, m] = shapeOf(b)
  if (k !== k2) return undefined
  const out = Array.from({ length: n }, () => new Array<number>(m).fill(0))
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let t = 0; t < k; t++) out[i]![j]! += a[i]![t]! * b[t]![j]!
  return out
}

/**
 * LU decomposition with partial pivoting of a square matrix, shared by det and inv.
 * `singular` is set when a pivot is negligible against the matrix's scale (so an inverse would be noise).
 */
function lu(m: Rows): { a: number[][]; perm: number[]; sign: number; singular: boolean } {
  const n = m.length
  const a = m.map((r) => r.slice())
  const perm = Array.from({ length: n }, (_, i) => i)
  const scale = Math.max(1e-300, ...m.flat().map(Math.abs))
  let sign = 1
  let singular = false
  for (let k = 0; k < n; k++) {
    let p = k
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i]![k]!) > Math.abs(a[p]![k]!)) p = i
    if (p !== k) {
      ;[a[k], a[p]] = [a[p]!, a[k]!]
      ;[perm[k], perm[p]] = [perm[p]!, perm[k]!]
      sign = -sign
    }
    const pivot = a[k]![k]!
    if (Math.abs(pivot) <= 1e-10 * scale) {
      singular = true
      continue
    }
    for (let i = k + 1; i < n; i++) {
      const f = a[i]![k]! / pivot
      a[i]![k] = f
      for (let j = k + 1; j < n; j++) a[i]![j]! -= f * a[k]![j]!
    }
  }
  return { a, perm, sign, singular }
}

export function det(m: Rows): number {
  const { a, sign } = lu(m)
  return a.reduce((d, row, i) => d * row[i]!, sign)
}

/** Inverse of a square matrix; undefined when it is (numerically) singular. */
export function inverse(m: Rows): number[][] | undefined {
  const n = m.length
  const { a, perm, singular } = lu(m)
  if (singular) return undefined
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  for (let col = 0; col < n; col++) {
    // solve L y = P e_col, then U x = y
    const y = new Array<number>(n).fill(0)
    for (let i = 0; i < n; i++) {
      let s = perm[i] === col ? 1 : 0
      for (let j = 0; j < i; j++) s -= a[i]![j]! * y[j]!
      y[i] = s
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!
      for (let j = i + 1; j < n; j++) s -= a[i]![j]! * out[j]![col]!
      out[i]![col] = s / a[i]![i]!
    }
  }
  return out
}

export const trace = (m: Rows): number => m.reduce((s, row, i) => s + (row[i] ?? 0), 0)
