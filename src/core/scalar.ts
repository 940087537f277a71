// Number functions by name, shared by the verifier's evaluator and the matcher's check of
// conditions on numbers (log(2) > 0).
import { gamma } from './numeric.js'

const softplus = (x: number): number => (x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))
const choose = (n: number, k: number): number => gamma(n + 1) / (gamma(k + 1) * gamma(n - k + 1))

/** name -> [min arity, max arity, f] */
export const SCALAR: ReadonlyMap<string, readonly [number, number, (...x: number[]) => number]> = new Map(Object.entries({
  exp: [1, 1, Math.exp],
  log: [1, 2, (x, b) => (b === undefined ? Math.log(x) : Math.log(x) / Math.log(b))],
  ln: [1, 1, Math.log],
  log2: [1, 1, Math.log2],
  log10: [1, 1, Math.log10],
  log1p: [1, 1, Math.log1p],
  sqrt: [1, 1, Math.sqrt],
  abs: [1, 1, Math.abs],
  sign: [1, 1, Math.sign],
  // the Kronecker delta of two indices
  delta: [2, 2, (m, j) => (m === j ? 1 : 0)],
  sin: [1, 1, Math.sin],
  cos: [1, 1, Math.cos],
  tan: [1, 1, Math.tan],
  sinh: [1, 1, Math.sinh],
  cosh: [1, 1, Math.cosh],
  tanh: [1, 1, Math.tanh],
  asin: [1, 1, Math.asin],
  acos: [1, 1, Math.acos],
  atan: [1, 1, Math.atan],
  sigmoid: [1, 1, sigmoid],
  relu: [1, 1, (x) => Math.max(0, x)],
  softplus: [1, 1, softplus],
  max: [1, Infinity, Math.max],
  min: [1, Infinity, Math.min],
  gamma: [1, 1, gamma],
  factorial: [1, 1, (x) => gamma(x + 1)],
  choose: [2, 2, choose],
  binom: [2, 2, choose],
  combinations: [2, 2, choose],
  mod: [2, 2, (a, b) => a - b * Math.floor(a / b)],
} satisfies Record<string, readonly [number, number, (...x: number[]) => number]>))

