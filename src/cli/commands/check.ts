// derive check FILE: every derivation of a file checked step by step (plain text with parts
// separated by `---`, a saved derivation, or a LaTeX file). `show` and `export` reuse checkFile.
import { print } from '../../core/print.js'
import { WHY_DEPTH, type WhyResult } from '../../core/why.js'
import type { Equation, Implication, ImplicationOptions } from '../../core/equation.js'
import { add, type Expr, freeSymbols, neg } from '../../core/expr.js'
import type { Condition } from '../../core/parse.js'
import * as Q from '../../core/rational.js'
import { sameLine } from '../../session/derivation.js'
import { UsageError } from '../../errors.js'
import { readUserFile } from '../../files.js'
import { findRule } from '../../library/lookup.js'
import { type FileLine, type FilePart, readDerivationFile } from '../../session/derivation-file.js'
import { simplifyAssumptions } from '../../render/assumptions.js'
import { addCommand, verdictConditions, whyToJson } from '../../render/why.js'
import type { Context } from '../context.js'
import type { Register } from '../main.js'
import { parseDepth, runWhy, type WhyContext } from './why.js'

/** The verdict on a step between equations, judged by solving for a shared variable. */
export type EquationResult =
  | { verdict: 'implied' | 'equivalent'; variable: string; points: number }
  | { verdict: 'not-implied'; variable: string; counterexample: Implied['counterexample']; converse: boolean; previous: number }
type Implied = Extract<Implication, { verdict: 'not-implied' }>

export type StepResult = WhyResult | EquationResult

const isWhy = (r: StepResult): r is WhyResult => r.verdict !== 'implied' && r.verdict !== 'equivalent' && r.verdict !== 'not-implied'

/** The verdict on one line of a derivation: the step that arrives at it, or why it could not be read. */
export interface StepReport {
  readonly line: number
  /** The line the step starts from, when it is not the line just before (an unreadable line lies between). */
  readonly from?: number
  readonly result: StepResult
  /** What kind of step between an expression and an equation it is: "set to zero", "on the left side". */
  readonly label?: string
  /** The student's claimed rule, and whether it alone (plus algebra) gives the step. */
  readonly claimed?: { rule: string; holds: boolean }
  /** The line itself could not be read (result is unknown, with the reason). */
  readonly unreadable?: true
}

/** One derivation of the file with the verdict on each of its lines after the first. */
export interface PartReport {
  readonly part: FilePart
  readonly reports: readonly StepReport[]
}

/** The step from expression `x` to `y` (line `b` claims a rule, maybe); `at` says where it is. */
async function exprStep(ctx: Context, x: Expr, y: Expr, b: FileLine, at: { line: number; from?: number }, depth: number, all: WhyContext): Promise<StepReport> {
  const w = relevant(all, [x, y])
  if (b.claimed) {
    const rule = findRule(ctx.library().rules, b.claimed)
    const byClaim = await runWhy(ctx, x, y, 2, { ...w, rules: [rule] })
    if (byClaim.verdict === 'explained' && byClaim.steps.some((s) => s.rule === rule)) {
      return { ...at, result: byClaim, claimed: { rule: rule.id, holds: true } }
    }
    return { ...at, result: await runWhy(ctx, x, y, depth, w), claimed: { rule: rule.id, holds: false } }
  }
  return { ...at, result: await runWhy(ctx, x, y, depth, w) }
}

/** The assumptions that speak about these lines (all their symbols occur in them): the sampler needs a value for each. */
function relevant(w: WhyContext, lines: readonly Expr[]): WhyContext {
  if (!w.assume) return w
  const present = new Set(lines.flatMap((e) => [...freeSymbols(e)]))
  const about = (c: Condition): boolean => (c.kind === 'rel' ? [c.lhs, c.rhs] : c.args).every((e) => [...freeSymbols(e)].every((n) => present.has(n)))
  const { assume, ...rest } = w
  const kept = assume.filter(about)
  return kept.length ? { ...rest, assume: kept } : rest
}

/** A line as the derivation stands after it: an expression, or an equation. */
type Current = { readonly line: number; readonly expr: Expr } | { readonly line: number; readonly equation: Equation }

const isZero = (e: Expr): boolean => e.kind === 'num' && Q.isZero(e.q)

/**
 * The step from `a` to line `b`, and the derivation after it. Expression to expression: `why`.
 * Expression to equation: "set to zero" (the non-zero side, or lhs - rhs, must equal the
 * expression). Equation to expression: the expression continues the right side. Equation to
 * equation: one side kept and the other rewritten is judged by `why`; otherwise by solving for a
 * shared variable (`=>` needs the next to follow, `<=>` or a bare line both ways).
 */
async function checkStep(ctx: Context, a: Current, b: FileLine, gap: boolean, depth: number, w: WhyContext): Promise<{ report: StepReport; now: Current }> {
  const at = { line: b.line, ...(gap ? { from: a.line } : {}) }
  if ('expr' in a && b.expr) return { report: await exprStep(ctx, a.expr, b.expr, b, at, depth, w), now: { line: b.line, expr: b.expr } }
  if ('expr' in a && b.equation) {
    const { lhs, rhs } = b.equation
    const side = isZero(rhs) ? lhs : isZero(lhs) ? rhs : add([lhs, neg(rhs)])
    // diff(L, mu) = 0 after L: the derivative of the line before is set to zero
    const derivative = side.kind === 'call' && side.head === 'diff' && side.args.length === 2
    const r = await exprStep(ctx, a.expr, derivative ? side.args[0]! : side, b, at, depth, w)
    return { report: { ...r, label: derivative ? `set the derivative by ${print(side.args[1]!)} to zero` : 'set to zero' }, now: { line: b.line, equation: b.equation } }
  }
  const eq = (a as { equation: Equation }).equation
  if (b.expr) {
    const r = await exprStep(ctx, eq.rhs, b.expr, b, at, depth, w)
    return { report: { ...r, label: 'on the right side' }, now: { line: b.line, equation: { lhs: eq.lhs, rhs: b.expr } } }
  }
  const next = b.equation!
  const now = { line: b.line, equation: next }
  const setting = w.shapes ?? 'uppercase'
  for (const [kept, other, label] of [
    [[eq.lhs, next.lhs], [eq.rhs, next.rhs], 'on the right side'],
    [[eq.rhs, next.rhs], [eq.lhs, next.lhs], 'on the left side'],
  ] as const) {
    if (!sameLine(kept[0], kept[1], setting)) continue
    const r = await exprStep(ctx, other[0], other[1], b, at, depth, w)
    // an equation rewritten on one side by rules or numerically equal is the same equation
    if (r.result.verdict === 'explained' || r.result.verdict === 'equal-unexplained') return { report: { ...r, label }, now }
  }
  const { implies, bothSidesLabel } = await import('../../core/equation.js')
  const lib = ctx.library()
  const { assume } = relevant(w, [eq.lhs, eq.rhs, next.lhs, next.rhs])
  const o = { matrices: setting, definitions: lib.rules.filter((r) => r.kind === 'definition'), ...(assume ? { assume } : {}) }
  const forward = implies(eq, next, o)
  if (forward.verdict === 'unknown') return { report: { ...at, result: { verdict: 'unknown', reason: forward.reason, explored: 0 } }, now }
  if (forward.verdict === 'not-implied') return { report: { ...at, result: { ...forward, converse: false, previous: a.line } }, now }
  const report = await settle(eq, next, b, at, forward, o, a.line)
  // the verdict is the judge's; the label names the algebra step when it is one operation on both sides
  const label = bothSidesLabel(eq, next, b.relation !== 'implies', o)
  return { report: label ? { ...report, label } : report, now }
}

/** An implied step: implied as claimed (=>), or equivalent if the converse holds too. */
async function settle(eq: Equation, next: Equation, b: FileLine, at: { line: number; from?: number }, forward: Extract<Implication, { verdict: 'implied' }>, o: ImplicationOptions, previous: number): Promise<StepReport> {
  const { implies } = await import('../../core/equation.js')
  if (b.relation === 'implies') return { ...at, result: { verdict: 'implied', variable: forward.variable, points: forward.points } }
  const back = implies(next, eq, o)
  if (back.verdict === 'unknown') return { ...at, result: { verdict: 'unknown', reason: `it follows (solving for ${forward.variable}), but the converse: ${back.reason}`, explored: 0 } }
  if (back.verdict === 'not-implied') return { ...at, result: { ...back, converse: true, previous } }
  return { ...at, result: { verdict: 'equivalent', variable: forward.variable, points: forward.points } }
}

/** Check one derivation: each readable line against the readable line before it. */
async function checkPart(ctx: Context, part: FilePart, depth: number): Promise<PartReport> {
  // one reading of the symbols for the whole derivation: x' on line 1 makes x a vector on line 5
  const shapes = ctx.shapes(
    part.lines.flatMap((l) => (l.expr ? [l.expr] : l.equation ? [l.equation.lhs, l.equation.rhs] : [])),
    part.vectors,
  )
  const w: WhyContext = { shapes, ...(part.assume.length ? { assume: part.assume.map((a) => a.condition) } : {}) }
  const reports: StepReport[] = []
  let before: Current | undefined
  let gap = false
  for (const l of part.lines) {
    if (l.problem !== undefined) {
      gap = before !== undefined
      reports.push({ line: l.line, result: { verdict: 'unknown', reason: l.problem, explored: 0 }, unreadable: true })
      continue
    }
    if (before) {
      const { report, now } = await checkStep(ctx, before, l, gap, depth, w)
      reports.push(report)
      before = now
    } else before = l.expr ? { line: l.line, expr: l.expr } : { line: l.line, equation: l.equation! }
    gap = false
  }
  return { part, reports }
}

/** Read and check every derivation of a file (a usage error when there is nothing to check). */
export async function checkFile(ctx: Context, file: string, depth: number): Promise<PartReport[]> {
  const text = readUserFile(file, ctx.io.cwd)
  const parts = readDerivationFile(text, file, ctx.announce)
  if (!parts.some((p) => p.lines.length >= 2)) throw new UsageError(`${file}: a derivation needs at least two lines to check`)
  // a file of which nothing reads as math is not a derivation at all (a Markdown export, a typo'd name)
  const lines = parts.flatMap((p) => p.lines)
  if (lines.every((l) => l.problem !== undefined)) throw new UsageError(`${file}: no line reads as math (line ${lines[0]!.line}: ${lines[0]!.problem})`)
  const out: PartReport[] = []
  for (const p of parts) out.push(await checkPart(ctx, p, depth))
  return out
}

/**
 * The conditions a step needs beyond what its derivation assumes, each said simply: none that holds
 * by form or follows from an assumption or another condition (n >= 0 under # assume: n >= 1).
 */
export function stepConditions(r: StepResult, part: FilePart): string[] {
  if (!isWhy(r)) return []
  const lines = part.lines.flatMap((l) => (l.expr ? [l.expr] : []))
  return simplifyAssumptions(verdictConditions(r, lines), { given: part.assume.map((a) => a.text) })
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

/** The last line of a check: what is wrong and what could not be checked, or that every step holds. */
export function tally(reports: readonly StepReport[]): { text: string; holds: boolean } {
  const wrong = reports.filter((r) => r.result.verdict === 'not-equal' || r.result.verdict === 'not-implied').length
  const unread = reports.filter((r) => r.unreadable).length
  const unchecked = reports.filter((r) => r.result.verdict === 'unknown').length - unread
  const parts = [
    ...(wrong ? [plural(wrong, 'wrong step', 'wrong steps')] : []),
    ...(unchecked ? [`${plural(unchecked, 'step', 'steps')} could not be checked`] : []),
    ...(unread ? [`${plural(unread, 'line', 'lines')} could not be read`] : []),
  ]
  return parts.length ? { text: parts.join(', '), holds: false } : { text: 'every step holds', holds: true }
}

/** A step's verdict in a few words: rules and conditions, the counterexample, or the reason. */
export function summary(r: StepReport, part: FilePart): string {
  const x = r.result
  const claim = r.claimed && !r.claimed.holds ? ` (claimed ${r.claimed.rule} does not give this step)` : ''
  const from = r.from !== undefined ? ` (from line ${r.from})` : ''
  const label = r.label ? `${r.label}: ` : ''
  const conditions = stepConditions(x, part)
  const provided = conditions.length ? `, provided ${conditions.join(', ')}` : ''
  const values = (v: Record<string, number | string>): string =>
    Object.entries(v)
      .map(([k, n]) => `${k} = ${n}`)
      .join(', ')
  switch (x.verdict) {
    case 'explained':
      return label + (x.steps.length ? x.steps.map((s) => (s.kind === 'rule' ? s.rule!.id : s.label)).join(', ') : 'same expression') + provided + claim + from
    case 'equal-unexplained':
      return `${label}equal, no rule found${provided}${claim}${from}`
    case 'not-equal':
      return `${label}${values(x.counterexample.values)}: ${x.counterexample.from} vs ${x.counterexample.to}${x.disagreement ? `; differs at ${print(x.disagreement.from)} vs ${print(x.disagreement.to)}` : ''}${from}`
    case 'implied':
    case 'equivalent':
      return r.label ? `${r.label} (checked by solving for ${x.variable} at ${x.points} random points)${from}` : `solving for ${x.variable} (${x.points} random points)${from}`
    case 'not-implied':
      return `${x.converse ? 'the converse fails: ' : ''}${values(x.counterexample.values)} satisfies line ${x.converse ? r.line : x.previous} but not line ${x.converse ? x.previous : r.line} (${x.counterexample.lhs} vs ${x.counterexample.rhs})${from}`
    case 'unknown':
      return label + x.reason + from
  }
}

/** The heading of a derivation when the file has several (or it has a title). */
export const partHeading = (p: PartReport, i: number): string => `${p.part.title ?? `derivation ${i + 1}`} (line ${p.part.line})`

export const registerCheck: Register = (program, act) => {
  program
    .command('check')
    .description('check a derivation file step by step (one expression per line, parts separated by ---, or a saved derivation)')
    .argument('<file>', 'the derivation')
    .option('--depth <n>', `longest chain of rules to try per step (default ${WHY_DEPTH})`)
    .action((file: string, opts: { depth?: string }) =>
      act(async (ctx) => {
        const parts = await checkFile(ctx, file, parseDepth(opts.depth))
        const all = parts.flatMap((p) => p.reports)
        const total = tally(all)
        const status = total.holds ? 0 : 1
        if (ctx.json) {
          const several = parts.length > 1
          ctx.outJson(
            parts.flatMap((p, i) =>
              p.reports.map((r) => ({
                line: r.line,
                ...(several ? { part: i + 1 } : {}),
                ...(p.part.title ? { title: p.part.title } : {}),
                ...(r.from !== undefined ? { from: r.from } : {}),
                ...(isWhy(r.result) ? whyToJson(r.result) : r.result),
                ...(r.label ? { label: r.label } : {}),
                ...(r.claimed ? { claimed: r.claimed } : {}),
              })),
            ),
          )
          return status
        }
        const s = ctx.style
        const color = { explained: s.good, 'equal-unexplained': s.warn, 'not-equal': s.bad, unknown: s.warn, implied: s.good, equivalent: s.good, 'not-implied': s.bad }
        const headed = parts.length > 1 || parts[0]!.part.title !== undefined
        const rows: string[] = []
        parts.forEach((p, i) => {
          if (headed) rows.push(...(i ? [''] : []), s.rule(partHeading(p, i)))
          rows.push(`${'line'.padEnd(6)}${'verdict'.padEnd(19)}rule(s) or counterexample`)
          for (const r of p.reports) {
            const v = r.unreadable ? 'unreadable' : r.result.verdict
            rows.push(`${String(r.line).padEnd(6)}${color[r.result.verdict](v.padEnd(19))}${summary(r, p.part)}`)
          }
          if (parts.length > 1) {
            const t = tally(p.reports)
            rows.push(t.holds ? s.good(t.text) : s.bad(t.text))
          }
        })
        const record = all.flatMap((r) => (r.result.verdict === 'equal-unexplained' && r.result.suggestion && !r.result.suggestion.unverified ? [`  line ${r.line}: ${addCommand({ ...r.result.suggestion, id: `my-step-${r.line}` })}`] : []))
        if (record.length) rows.push('', `to record ${record.length === 1 ? 'the unexplained step' : 'an unexplained step'} as a rule of your library:`, ...record)
        rows.push('', total.holds ? s.good(total.text) : s.bad(total.text))
        ctx.out(rows.join('\n'))
        return status
      }),
    )
}
