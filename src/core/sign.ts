// What can be said about an expression's sign without numbers: exp(u) > 0, x ^ 2 >= 0, ...
// Used to drop assumptions that always hold ("assumes exp(x) > 0" says nothing).
import { type Expr, OPS } from './expr.js'

export type Sign = 'positive' | 'nonnegative' | undefined

const POSITIVE_FNS = new Set(['exp', 'sigmoid', 'softplus', 'cosh'])
const NONNEGATIVE_FNS = new Set(['abs', 'relu', 'delta'])

const atLeast = (signs: readonly Sign[]): Sign =>
  signs.every((s) => s === 'positive') ? 'positive' : signs.every((s) => s !== undefined) ? 'nonnegative' : undefined

/** A sign e has for every value of its symbols, when one follows from its form alone. */
export function signOf(e: Expr): Sign {
  if (e.kind === 'num') return e.value > 0 ? 'positive' : e.value === 0 ? 'nonnegative' : undefined
  if (e.kind === 'sym') return e.name === 'e' || e.name === 'pi' ? 'positive' : undefined
  if (POSITIVE_FNS.has(e.head)) return 'positive'
  if (NONNEGATIVE_FNS.has(e.head)) return 'nonnegative'
  const [a, b] = e.args
  switch (e.head) {
    case 'sqrt':
      return signOf(a!) === 'positive' ? 'positive' : 'nonnegative'
    case OPS.pow: {
      const base = signOf(a!)
      if (base === 'positive') return 'positive'
      const even = b?.kind === 'num' && Number.isInteger(b.value) && b.value % 2 === 0
      return even && b.value > 0 ? 'nonnegative' : undefined
    }
    case OPS.mul:
      return atLeast(e.args.map(signOf))
    case OPS.add: {
      const signs = e.args.map(signOf)
      if (signs.some((s) => s === undefined)) return undefined
      return signs.some((s) => s === 'positive') ? 'positive' : 'nonnegative'
    }
    case 'prod':
      return signOf(a!) === 'positive' ? 'positive' : undefined
    case 'sum':
      // an empty range sums to 0
      return signOf(a!) !== undefined ? 'nonnegative' : undefined
    default:
      return undefined
  }
}
