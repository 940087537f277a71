// derive check FILE: every derivation of a file checked step by step (plain text with parts
// separated by `---`, a saved derivation, or a LaTeX file). `show` and `export` reuse checkFile.
import { print } from '../../core/print.js'
import type { WhyResult } from '../../core/why.js'
import { UsageError } from '../../errors.js'
import { readUserFile } from '../../files.js'
import { findRule } from '../../library/lookup.js'
import { type FileLine, type FilePart, readDerivationFile } from '../../session/derivation-file.js'
import { verdictConditions, whyToJson } from '../../render/why.js'
import type { Context } from '../context.js'
import type { Register } from '../main.js'
import { parseDepth, runWhy, type WhyContext } from './why.js'

/** The verdict on one line of a derivation: the step that arrives at it, or why it could not be read. */
export interface StepReport {
  readonly line: number
  /** The line the step starts from, when it is not the line just before (an unreadable line lies between). */
  readonly from?: number
  readonly result: WhyResult
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

/** The step from `a` to `b`; `gap` when unreadable lines lie between them. */
async function checkStep(ctx: Context, a: FileLine, b: FileLine, gap: boolean, depth: number, w: WhyContext): Promise<StepReport> {
  const at = { line: b.line, ...(gap ? { from: a.line } : {}) }
  if (b.claimed) {
    const rule = findRule(ctx.library().rules, b.claimed)
    const byClaim = await runWhy(ctx, a.expr!, b.expr!, 2, { ...w, rules: [rule] })
    if (byClaim.verdict === 'explained' && byClaim.steps.some((s) => s.rule === rule)) {
      return { ...at, result: byClaim, claimed: { rule: rule.id, holds: true } }
    }
    return { ...at, result: await runWhy(ctx, a.expr!, b.expr!, depth, w), claimed: { rule: rule.id, holds: false } }
  }
  return { ...at, result: await runWhy(ctx, a.expr!, b.expr!, depth, w) }
}

/** Check one derivation: each readable line against the readable line before it. */
async function checkPart(ctx: Context, part: FilePart, depth: number): Promise<PartReport> {
  // one reading of the symbols for the whole derivation: x' on line 1 makes x a vector on line 5
  const shapes = ctx.shapes(
    part.lines.flatMap((l) => (l.expr ? [l.expr] : [])),
    part.vectors,
  )
  const w: WhyContext = { shapes, ...(part.assume.length ? { assume: part.assume.map((a) => a.condition) } : {}) }
  const reports: StepReport[] = []
  let before: FileLine | undefined
  let gap = false
  for (const l of part.lines) {
    if (l.expr === undefined) {
      gap = before !== undefined
      reports.push({ line: l.line, result: { verdict: 'unknown', reason: l.problem!, explored: 0 }, unreadable: true })
      continue
    }
    if (before) reports.push(await checkStep(ctx, before, l, gap, depth, w))
    before = l
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
  if (lines.every((l) => l.expr === undefined)) throw new UsageError(`${file}: no line reads as math (line ${lines[0]!.line}: ${lines[0]!.problem})`)
  const out: PartReport[] = []
  for (const p of parts) out.push(await checkPart(ctx, p, depth))
  return out
}

/** The conditions a step needs beyond what its derivation assumes. */
export function stepConditions(r: WhyResult, part: FilePart): string[] {
  const assumed = new Set(part.assume.map((a) => a.text.replace(/\s+/g, '')))
  return verdictConditions(r).filter((c) => !assumed.has(c.replace(/\s+/g, '')))
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

/** The last line of a check: what is wrong and what could not be checked, or that every step holds. */
export function tally(reports: readonly StepReport[]): { text: string; holds: boolean } {
  const wrong = reports.filter((r) => r.result.verdict === 'not-equal').length
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
  const conditions = stepConditions(x, part)
  const provided = conditions.length ? `, provided ${conditions.join(', ')}` : ''
  switch (x.verdict) {
    case 'explained':
      return (x.steps.length ? x.steps.map((s) => (s.kind === 'rule' ? s.rule!.id : s.label)).join(', ') : 'same expression') + provided + claim + from
    case 'equal-unexplained':
      return `equal, no rule found${provided}${claim}${from}`
    case 'not-equal':
      return `${Object.entries(x.counterexample.values)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ')}: ${x.counterexample.from} vs ${x.counterexample.to}${x.disagreement ? `; differs at ${print(x.disagreement.from)} vs ${print(x.disagreement.to)}` : ''}${from}`
    case 'unknown':
      return x.reason + from
  }
}

/** The heading of a derivation when the file has several (or it has a title). */
export const partHeading = (p: PartReport, i: number): string => `${p.part.title ?? `derivation ${i + 1}`} (line ${p.part.line})`

export const registerCheck: Register = (program, act) => {
  program
    .command('check')
    .description('check a derivation file step by step (one expression per line, parts separated by ---, or a saved derivation)')
    .argument('<file>', 'the derivation')
    .option('--depth <n>', 'longest chain of rules to try per step (default 3)')
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
                ...whyToJson(r.result),
                ...(r.claimed ? { claimed: r.claimed } : {}),
              })),
            ),
          )
          return status
        }
        const s = ctx.style
        const color = { explained: s.good, 'equal-unexplained': s.warn, 'not-equal': s.bad, unknown: s.warn }
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
        rows.push('', total.holds ? s.good(total.text) : s.bad(total.text))
        ctx.out(rows.join('\n'))
        return status
      }),
    )
}
