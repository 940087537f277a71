// How a `why` verdict looks: JSON (SPEC §5) and terminal text.
import { type Expr, isCall, OPS, walk } from '../core/expr.js'
import { print } from '../core/print.js'
import type { RuleSpec } from '../core/rule.js'
import type { SearchLimits, WhyResult, WhyStep } from '../core/why.js'
import type { Style } from './style.js'

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/** The shell command that records a suggested rule. */
export function addCommand(spec: RuleSpec): string {
  const parts = ['derive rules add', `--id ${spec.id}`, `--name ${q(spec.name)}`, `--lhs ${q(spec.lhs)}`, `--rhs ${q(spec.rhs)}`]
  for (const w of spec.where ?? []) parts.push(`--where ${q(w)}`)
  for (const l of spec.literals ?? []) parts.push(`--literal ${l}`)
  return parts.join(' ')
}

function stepJson(s: WhyStep): Record<string, unknown> {
  return {
    rule: s.kind === 'rule' ? s.rule!.id : s.label,
    name: s.label,
    kind: s.kind,
    ...(s.direction ? { direction: s.direction } : {}),
    ...(s.at !== undefined ? { at: s.at } : {}),
    ...(s.subterm ? { subterm: print(s.subterm) } : {}),
    from: print(s.from),
    to: print(s.to),
    assumes: [...s.assumes],
    ...(s.rule?.spec.unverified ? { unverified: true } : {}),
  }
}

/** SPEC §5 `why` object. */
export function whyToJson(r: WhyResult): Record<string, unknown> {
  switch (r.verdict) {
    case 'explained':
      return { verdict: r.verdict, steps: r.steps.map(stepJson), assumes: r.assumes }
    case 'equal-unexplained':
      return {
        verdict: r.verdict,
        points: r.points,
        ...(r.limits ? { search: { ...r.limits, explored: r.explored, note: limitsText(r.limits) } } : {}),
        ...(r.suggestion ? { suggestion: { ...r.suggestion, command: addCommand(r.suggestion) + (r.suggestion.unverified ? ' --force' : '') } } : {}),
      }
    case 'not-equal':
      return {
        verdict: r.verdict,
        counterexample: r.counterexample,
        ...(r.disagreement ? { disagreement: { from: print(r.disagreement.from), to: print(r.disagreement.to) } } : {}),
      }
    case 'unknown':
      return { verdict: r.verdict, reason: r.reason }
  }
}

/**
 * The conditions a verdict needs, as the user reads them: an explanation's assumptions, or the
 * domain a numerically equal step needs (the suggested rule's conditions, without its wildcard
 * bookkeeping such as symbol(x) and free(y, x)). Empty when the verdict needs none.
 */
export function verdictConditions(r: WhyResult, lines: readonly Expr[] = []): string[] {
  if (r.verdict === 'explained') return withoutIndexIntegrality(r.assumes, lines)
  if (r.verdict === 'equal-unexplained' && r.suggestion && !r.suggestion.unverified) {
    return (r.suggestion.where ?? []).filter((w) => !/^(symbol|free|integer)\(/.test(w))
  }
  return []
}

/** Drop "j is an integer" for a j these lines use as an index (x[j]): an index is whole by what it is, not by the student's assumption. */
function withoutIndexIntegrality(assumes: readonly string[], lines: readonly Expr[]): string[] {
  const indices = new Set<string>()
  for (const e of lines) for (const { node } of walk(e)) if (isCall(node, OPS.index)) for (const i of node.args.slice(1)) if (i.kind === 'sym') indices.add(i.name)
  return assumes.filter((a) => !indices.has(/^(\S+) is an integer$/.exec(a)?.[1] ?? ''))
}

const values = (v: Record<string, number | string>): string =>
  Object.entries(v)
    .map(([k, x]) => `${k} = ${x}`)
    .join(', ')

/** "within 3 steps, 300 expressions and 2.5 s (stopped by the time limit)": what the search tried. */
export function limitsText(l: SearchLimits): string {
  const why = l.stopped === 'time' ? ' (the time limit stopped it; try --time-limit)' : l.stopped === 'nodes' ? ' (the expression budget stopped it)' : ''
  return `no chain of library rules found within ${l.depth} steps, ${l.maxNodes} expressions and ${l.timeLimit} s${why}`
}

/** Terminal text for a `why` verdict. */
export function renderWhy(from: Expr, to: Expr, r: WhyResult, s: Style, depth: number, hints = true): string {
  const lines: string[] = []
  switch (r.verdict) {
    case 'explained': {
      lines.push(print(from))
      r.steps.forEach((st, i) => {
        // a one-way rule read right to left: the next line is what the rule makes of this one
        const reverse = st.direction !== 'reverse' ? '' : st.rule?.reversible ? ' (reverse)' : ' (read right to left)'
        const by = st.kind === 'rule' ? `${s.rule(st.label)}${reverse} ${s.id(`[${st.rule!.id}]`)}` : s.warn(st.label)
        // a rule applied at several places at once names the first and counts the rest
        const more = (st.at?.split(',').length ?? 1) - 1
        const on = st.subterm ? s.dim(` on ${print(st.subterm)}${more ? ` and ${more} more place${more > 1 ? 's' : ''}` : ''}`) : ''
        // a rule saved with --force is only as good as the user's word for it
        const warn = st.rule?.spec.unverified ? s.warn('  ⚠ unverified rule') : ''
        lines.push(`  ${i + 1}. ${by}${on}${warn}`)
        lines.push(`     ${s.result(`= ${print(st.to)}`)}`)
      })
      if (r.steps.length === 0) lines.push(s.good('the same expression up to reordering, regrouping and renaming of bound variables'))
      if (verdictConditions(r, [from, to]).length) lines.push(s.dim(`holds provided ${verdictConditions(r, [from, to]).join(', ')}`))
      lines.push(s.good(`explained in ${r.steps.length} step${r.steps.length === 1 ? '' : 's'}`))
      if (r.steps.some((st) => st.rule?.spec.unverified)) lines.push(s.warn('⚠ this uses a rule the numeric check did not verify (saved with --force)'))
      break
    }
    case 'equal-unexplained':
      lines.push(s.warn(`equal (agrees at ${r.points} random points), but ${r.limits ? limitsText(r.limits) : `no chain of library rules within ${depth} steps explains it`}`))
      if (verdictConditions(r, [from, to]).length) lines.push(s.dim(`holds provided ${verdictConditions(r, [from, to]).join(', ')}`))
      if (hints && depth < 16) lines.push(s.dim('a lecture line may fold many rules: try a longer search, e.g. --depth 16 --time-limit 30'))
      if (r.suggestion?.unverified) {
        lines.push('derive could not verify a rule for this step in general (it may hold only with conditions derive cannot guess);')
        lines.push('to keep it anyway, marked unverified:', `  ${addCommand(r.suggestion)} --force`)
      } else if (r.suggestion) lines.push('record this step as a rule with:', `  ${addCommand(r.suggestion)}`)
      break
    case 'not-equal': {
      const c = r.counterexample
      lines.push(s.bad('not equal'))
      // with no free symbols the two sides are just two numbers
      const where = Object.keys(c.values).length > 0 ? `at ${values(c.values)}` : 'the two sides are different numbers'
      lines.push(`  ${where}:`, `    ${print(from)} = ${c.from}`, `    ${print(to)} = ${c.to}`)
      if (r.disagreement) lines.push(`  they first differ at ${print(r.disagreement.from)}  vs  ${print(r.disagreement.to)}`)
      break
    }
    case 'unknown':
      lines.push(s.warn(`cannot tell: ${r.reason}`))
      break
  }
  return `${lines.join('\n')}\n`
}
