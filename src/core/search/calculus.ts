// Differentiating as a student does: a lecture line that takes a derivative folds every rule of it
// (sum, chain, product, power...) into one step. The search takes that run of rules as one move:
// at the outermost derivative a derivative rule fits, apply the fit that gives the shortest line,
// and again, until no derivative rule fits. Each step stays a real rule application at a place.
import { type Expr, OPS, pathToString, size, walk } from '../expr.js'
import type { Fit } from '../rewrite.js'
import { lhsKey } from '../rule-index.js'
import type { Rule } from '../rule.js'
import { type FitMemo, fitsIn } from './fits.js'

/** Most rule steps in one run (a derivative of a long line takes a dozen). */
const MAX_STEPS = 16

/** Does the rule take a derivative a step further (its left side is a derivative)? */
export const isDerivativeRule = (r: Rule): boolean => lhsKey(r) === 'diff/2'

/**
 * Does the rule take a log a step inward, as a log-likelihood is expanded (log(a * b), log(a ^ b),
 * log(exp(a)), log(sqrt(a)), ...)? Its left side is a log, every log on its right side is of a
 * single wildcard, and the right side brings in no other function.
 */
export function isLogExpansionRule(r: Rule): boolean {
  if (lhsKey(r) !== 'log/1' || r.kind === 'definition') return false
  const lhsHeads = new Set([...walk(r.lhs)].flatMap(({ node }) => (node.kind === 'call' ? [node.head] : [])))
  return [...walk(r.rhs)].every(({ node }) => {
    if (node.kind !== 'call') return true
    if (node.head === 'log') return node.args.length === 1 && node.args[0]!.kind === 'sym' && !r.literals.has(node.args[0]!.name)
    return ARITHMETIC_HEADS.has(node.head) || (lhsHeads.has(node.head) && node.head !== 'log')
  })
}

const ARITHMETIC_HEADS: ReadonlySet<string> = new Set([OPS.add, OPS.mul, OPS.pow])

/**
 * The run of derivative-rule steps from expr (each fit acts on the previous one's result), empty
 * when none fits; at most `most` steps. `memo` holds the derivative rules only; `keyOf` is the search's line key, so a
 * run that comes back to a line it has seen stops there.
 */
export function differentiate(expr: Expr, memo: FitMemo, deadline: number, keyOf: (e: Expr) => string, most = MAX_STEPS): { fits: Fit[]; time: boolean } {
  const run: Fit[] = []
  const seen = new Set([keyOf(expr)])
  let cur = expr
  while (run.length < Math.min(most, MAX_STEPS)) {
    const { fits, time } = fitsIn(cur, memo, deadline)
    if (time) return { fits: run, time }
    const forward = fits.filter((f) => f.direction === 'forward' && !f.paths && !f.parts)
    const first = forward[0]
    if (!first) break
    // fits come outermost first: of those at the first place, the one whose result is shortest
    const place = pathToString(first.path)
    let best = first
    for (const f of forward) if (pathToString(f.path) === place && size(f.replacement) < size(best.replacement)) best = f
    const k = keyOf(best.result)
    if (seen.has(k)) break
    seen.add(k)
    run.push(best)
    cur = best.result
  }
  return { fits: run, time: false }
}
