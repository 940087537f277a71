// A line the user typed instead of choosing a fit: accepted only when `why` finds it equal to the
// current line, and recorded with the rule(s) found, or as by hand when only the numbers agree.
import { key } from '../core/equal.js'
import type { Expr } from '../core/expr.js'
import type { WhyResult, WhyStep } from '../core/why.js'
import { BY_HAND, type Step } from './derivation.js'

/** A why step as a derivation step (an algebra step has no rule id: its label stands in). */
function fromWhy(s: WhyStep): Step {
  return {
    rule: s.kind === 'rule' && s.rule ? s.rule.id : s.label,
    direction: s.direction ?? 'forward',
    at: s.at ?? '.',
    from: s.from,
    to: s.to,
    assumes: [...s.assumes],
  }
}

/**
 * The steps that record `to` typed after `from`, given why's verdict on the pair; undefined when
 * the line is not accepted (not equal, or it could not be checked). The last step ends on `to`
 * exactly as typed, so the derivation shows the user's own line.
 */
export function typedSteps(from: Expr, to: Expr, verdict: WhyResult): Step[] | undefined {
  if (verdict.verdict === 'explained') {
    if (verdict.steps.length === 0) {
      const rule = key(from) === key(to) ? 'algebra: reorder' : 'algebra: arithmetic on numbers'
      return [{ rule, direction: 'forward', at: '.', from, to, assumes: [] }]
    }
    const steps = verdict.steps.map(fromWhy)
    steps[steps.length - 1] = { ...steps[steps.length - 1]!, to }
    return steps
  }
  if (verdict.verdict === 'equal-unexplained') return [{ rule: BY_HAND, direction: 'forward', at: '.', from, to, assumes: [] }]
  return undefined
}
