// Differentiating as a student does: a lecture line that takes a derivative folds every rule of it
// (sum, chain, product, power...) into one step. The search takes that run of rules as one move:
// at the outermost derivative a derivative rule fits, apply the fit that gives the shortest line,
// and again, until no derivative rule fits. Each step stays a real rule application at a place.
import { type Expr, pathToString, size } from '../expr.js'
import type { Fit } from '../rewrite.js'
import { lhsKey } from '../rule-index.js'
import type { Rule } from '../rule.js'
import { type FitMemo, fitsIn } from './fits.js'

/** Most rule steps in one run (a derivative of a long line takes a dozen). */
const MAX_STEPS = 16

/** Does the rule take a derivative a step further (its left side is a derivative)? */
export const isDerivativeRule = (r: Rule): boolean => lhsKey(r) === 'diff/2'

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
