// How a practice round looks on a terminal: the expression and the choices, then the answer (the
// rule, its idea, what applying it gives) and when the card comes back.
import { print } from '../core/print.js'
import type { Rule } from '../core/rule.js'
import type { PracticeCard } from '../session/practice.js'
import { CHART_DAYS, type PracticeStats, RETENTION_DAYS, type Share } from '../session/practice-stats.js'
import type { Style } from './style.js'

const DAY_MS = 86_400_000

/** The question: which of these rules applies to the expression? */
export function renderQuestion(card: PracticeCard, choices: readonly Rule[], n: number, total: number, s: Style): string {
  const head = s.dim(`[card ${n} of ${total}]${card.step ? ` a step of yours, ${card.step.source}` : ''}`)
  const lines = [head, `  ${s.result(print(card.prompt))}`]
  if (card.step) lines.push(`  = ${s.result(print(card.step.to))}`)
  lines.push('')
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
  if (!card.step && (fit.path.length || fit.parts)) lines.push(`  ${s.dim(`so ${print(card.prompt)} = ${print(fit.result)}`)}`)
  if (fit.assumes.length) lines.push(`  ${s.dim(`assumes ${fit.assumes.join(', ')}`)}`)
  return lines.join('\n')
}

/** "tomorrow", "in 3 days", "today": when a date is, seen from now (whole days, rounded). */
export function whenDue(due: Date, now: Date): string {
  const days = Math.round((due.getTime() - now.getTime()) / DAY_MS)
  if (days <= 0) return 'today'
  return days === 1 ? 'tomorrow' : `in ${days} days`
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
/** The widest bar of the chart: a block per review up to this, scaled beyond. */
const BAR_WIDTH = 40

const percent = (s: Share): string => (s.reviews === 0 ? '  –' : `${Math.round((100 * s.right) / s.reviews)}%`.padStart(4))
const answers = (n: number): string => `${n} answer${n === 1 ? '' : 's'}`
/** "Mon 11-23" of a YYYY-MM-DD. */
function dayLabel(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return `${WEEKDAYS[new Date(y, m - 1, d).getDay()]} ${date.slice(5)}`
}

/** derive practice --stats: what is due, retention over 30 days and week by week, the rules missed most, reviews per day. */
export function renderStats(st: PracticeStats, nameOf: (id: string) => string | undefined, s: Style): string {
  const lines = [
    `Practice on ${st.today}: ${st.rules} rules to practise, ${st.practised} practised, ${st.fresh} never.`,
    `Due today: ${st.dueToday}. Due this week: ${st.dueWeek} (today included).`,
    '',
  ]
  const r = st.retention
  lines.push(
    r.reviews === 0
      ? `Retention, last ${RETENTION_DAYS} days: no answers yet.`
      : `Retention, last ${RETENTION_DAYS} days: ${percent(r).trim()} right (${r.right} of ${answers(r.reviews)}).`,
  )
  for (const w of st.weeks) lines.push(`  ${s.dim(`${w.from.slice(5)} to ${w.to.slice(5)}`)}  ${percent(w)}  ${s.dim(`(${answers(w.reviews)})`)}`)
  lines.push('')
  if (st.missed.length === 0) lines.push('Missed most: none missed yet.')
  else {
    lines.push('Missed most:')
    const named = st.missed.map((m) => ({ ...m, label: `${nameOf(m.rule) ?? '(no longer in your library)'} [${m.rule}]` }))
    const width = Math.max(...named.map((m) => m.label.length))
    named.forEach((m, i) => lines.push(`  ${i + 1}. ${m.label.padEnd(width)}  missed ${m.misses} of ${answers(m.reviews)}`))
  }
  lines.push('', `Reviews per day, last ${CHART_DAYS} days (${s.good('█')} right, ${s.bad('░')} missed):`)
  const most = Math.max(1, ...st.days.map((d) => d.reviews))
  const scale = most > BAR_WIDTH ? BAR_WIDTH / most : 1
  for (const d of st.days) {
    const right = Math.round(d.right * scale)
    const missed = Math.round(d.reviews * scale) - right
    const bar = `${s.good('█'.repeat(right))}${s.bad('░'.repeat(missed))}`
    lines.push(`  ${dayLabel(d.date)}  ${bar}${d.reviews ? ' ' : ''}${d.reviews}`)
  }
  return lines.join('\n')
}
