// Exact rational numbers on BigInt: the values of number literals and of folded arithmetic.
// A Rational is always reduced with a positive denominator, so equal values are equal fields.

export class Rational {
  constructor(
    readonly n: bigint,
    /** Always > 0, and gcd(n, d) = 1. */
    readonly d: bigint,
  ) {}

  /** JSON has no BigInt: written as digits, read back by `reviveRational`. */
  toJSON(): { n: string; d: string } {
    return { n: this.n.toString(), d: this.d.toString() }
  }
}

/** A JSON.parse reviver: the `q` of a number (written by Rational.toJSON) is a Rational again. */
export function reviveRational(key: string, value: unknown): unknown {
  if (key !== 'q' || typeof value !== 'object' || value === null) return value
  const { n, d } = value as { n?: unknown; d?: unknown }
  return typeof n === 'string' && typeof d === 'string' ? rational(BigInt(n), BigInt(d)) : value
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x)

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a)
  b = abs(b)
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

/** n / d reduced; d must not be 0. */
export function rational(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError('rational: zero denominator')
  if (d < 0n) [n, d] = [-n, -d]
  const g = gcd(n, d)
  return g === 1n ? new Rational(n, d) : new Rational(n / g, d / g)
}

export const ZERO = rational(0n)
export const ONE = rational(1n)

/**
 * The exact value of a decimal literal ("12", "1.25", ".5", "3e-4", "1.5E+20"); undefined when
 * the text is not one (hex, binary, Infinity, ...).
 */
export function fromDecimal(text: string): Rational | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim())
  if (!m) return undefined
  const [, sign, whole = '', frac = '', exp = '0'] = m
  if (whole === '' && frac === '') return undefined
  const e = Number(exp) - frac.length
  // a literal like 1e999999 would build a number with a million digits: refuse it
  if (Math.abs(e) > 10000) return undefined
  const digits = BigInt((whole || '0') + frac) * (sign === '-' ? -1n : 1n)
  return e >= 0 ? rational(digits * 10n ** BigInt(e)) : rational(digits, 10n ** BigInt(-e))
}

/** The exact value of a finite double as it prints (0.1 is 1/10, not the binary neighbour). */
export function fromNumber(v: number): Rational {
  if (!Number.isFinite(v)) throw new RangeError(`rational: ${v} is not a finite number`)
  if (Number.isInteger(v)) return rational(BigInt(v))
  return fromDecimal(String(v))!
}

export const add = (a: Rational, b: Rational): Rational => (a.d === b.d ? rational(a.n + b.n, a.d) : rational(a.n * b.d + b.n * a.d, a.d * b.d))
export const sub = (a: Rational, b: Rational): Rational => add(a, neg(b))
export const mul = (a: Rational, b: Rational): Rational => rational(a.n * b.n, a.d * b.d)
export const neg = (a: Rational): Rational => new Rational(-a.n, a.d)
/** a / b; undefined when b is 0. */
export const div = (a: Rational, b: Rational): Rational | undefined => (b.n === 0n ? undefined : rational(a.n * b.d, a.d * b.n))

/** Results larger than this many bits are not built (10 ^ 100000 stays a power). */
export const MAX_BITS = 4096

const bits = (x: bigint): number => abs(x).toString(2).length

/**
 * a ^ k for an integer k: undefined when 0 ^ k with k < 0 (division by zero) or when the result
 * would exceed MAX_BITS. 0 ^ 0 is 1 (derive's convention, see README "Exact numbers").
 */
export function pow(a: Rational, k: bigint): Rational | undefined {
  if (k === 0n) return ONE
  if (a.n === 0n) return k > 0n ? ZERO : undefined
  if (a.d === 1n && abs(a.n) === 1n) return rational(a.n < 0n && k % 2n !== 0n ? -1n : 1n)
  const m = abs(k)
  if (Math.max(bits(a.n), bits(a.d)) * Number(m) > MAX_BITS) return undefined
  const r = rational(a.n ** m, a.d ** m)
  return k > 0n ? r : div(ONE, r)
}

/** -1, 0 or 1. */
export const sign = (a: Rational): number => (a.n > 0n ? 1 : a.n < 0n ? -1 : 0)
export const compare = (a: Rational, b: Rational): number => sign(sub(a, b))
export const equals = (a: Rational, b: Rational): boolean => a.n === b.n && a.d === b.d
export const isInteger = (a: Rational): boolean => a.d === 1n
export const isZero = (a: Rational): boolean => a.n === 0n

/** The nearest double (Infinity when too large; huge numerators and denominators are scaled first). */
export function toNumber(a: Rational): number {
  if (a.d === 1n) return Number(a.n)
  const shift = Math.max(0, Math.max(bits(a.n), bits(a.d)) - 1000)
  if (shift === 0) return Number(a.n) / Number(a.d)
  const s = BigInt(shift)
  return Number(a.n >> s) / Number(a.d >> s)
}

/** The digits of a, when its decimal expansion terminates (its denominator is 2^i 5^j). */
export function toDecimal(a: Rational): string | undefined {
  let d = a.d
  let twos = 0
  let fives = 0
  while (d % 2n === 0n) [d, twos] = [d / 2n, twos + 1]
  while (d % 5n === 0n) [d, fives] = [d / 5n, fives + 1]
  if (d !== 1n) return undefined
  const places = Math.max(twos, fives)
  if (places === 0) return a.n.toString()
  const scaled = abs(a.n) * 10n ** BigInt(places) / a.d
  const digits = scaled.toString().padStart(places + 1, '0')
  return `${a.n < 0n ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`
}
