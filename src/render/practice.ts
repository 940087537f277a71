// How a practice round looks on a terminal: the expression and the choices, then the answer (the
// rule, its idea, what applying it gives) and when the card comes back.
import { print } from '../core/print.js'
import type { Rule } from '../core/rule.js'
import type { PracticeCard } from '../session/practice.js'
import type { Style } from './style.js'

const DAY_MS = 86_400_000

/** The question: which of these rules applies to the expression? */
export function renderQuestion(card: PracticeCard, choices: readonly Rule[], n: number, total: number, s: Style): string {
  const lines = [s.dim(`[card ${n} of ${total}]`), `  ${s.result(print(card.prompt))}`, '']
  choices.forEach((r, i) => lines.push(`${String(i + 1).padStart(3)}. ${s.rule(r.name)}`))
  return lines.join('\n')
}

/** Right, wrong or revealed; then the card's rule, its idea and the step it makes here. */
export function renderAnswer(card: PracticeCard, picked: Rule | undefined, s: Style): string {
  const { rule, fit } = card
  const verdict = picked === undefined ? 'The answer:' : picked === rule ? s.good('Right.') : `${s.bad('Not this one:')} ${picked.name} does not fit it. The answer:`
  const lines = [verdict, `  ${s.rule(rule.name)} ${s.id(`[${rule.id}]`)}  ${s.dim(`${rule.spec.lhs} → ${rule.spec.rhs}`)}`]
  if (rule.spec.idea) lines.push(`  ${rule.spec.idea}`)
  const reverse = fit.direction === 'reverse' ? ' (read right to left)' : ''
  lines.push(`  ${print(fit.subterm)} → ${s.result(print(fit.replacement))}${reverse}`)
  if (fit.path.length || fit.parts) lines.push(`  ${s.dim(`so ${print(card.prompt)} = ${print(fit.result)}`)}`)
  if (fit.assumes.length) lines.push(`  ${s.dim(`assumes ${fit.assumes.join(', ')}`)}`)
  return lines.join('\n')
}

/** "tomorrow", "in 3 days", "today": when a date is, seen from now (whole days, rounded). */
export function whenDue(due: Date, now: Date): string {
  const days = Math.round((due.getTime() - now.getTime()) / DAY_MS)
  if (days <= 0) return 'today'
  return days === 1 ? 'tomorrow' : `in ${days} days`
}
