// derive check FILE: a derivation checked step by step (plain lines, or a saved derivation).
import type { Expr } from '../../core/expr.js'
import { readLatex } from '../../core/latex.js'
import { type Announce, ParseError, parseExpr } from '../../core/parse.js'
import { print } from '../../core/print.js'
import { declaredVectors, type SymbolSetting } from '../../core/shape.js'
import type { WhyResult } from '../../core/why.js'
import { UsageError } from '../../errors.js'
import { readUserFile } from '../../files.js'
import { findRule } from '../../library/lookup.js'
import { ID_PATTERN } from '../../library/schema.js'
import { readDerivation } from '../../session/derivation.js'
import { lineColumn, texDerivations } from '../../session/tex-file.js'
import { verdictConditions, whyToJson } from '../../render/why.js'
import type { Context } from '../context.js'
import type { Register } from '../main.js'
import { parseDepth, runWhy } from './why.js'

/** One line of a derivation: where it is in the file, the expression, the rule the student claims. */
export interface DerivationLine {
  readonly line: number
  readonly expr: Expr
  readonly claimed?: string
  /** Which derivation of the file (a .tex file has one per math environment); steps stay inside one. */
  readonly part?: number
}

/** The derivations of a LaTeX file, each expression read as LaTeX; errors give the file's line and column. */
export function parseTexDerivation(text: string, file: string, announce?: Announce): DerivationLine[] {
  const parts = texDerivations(text)
  if (parts.length === 0) throw new UsageError(`${file}: no math environment (align, align*, equation, \\[ \\], $$ $$) found`)
  return parts.flatMap((d, part) =>
    d.lines.map((l) => {
      try {
        return { line: l.line, expr: readLatex(l.latex, announce ? { announce } : {}), ...(l.claimed ? { claimed: l.claimed } : {}), part }
      } catch (e) {
        if (!(e instanceof ParseError)) throw e
        const at = lineColumn(text, l.offset + e.position - 1)
        throw new UsageError(`${file}, line ${at.line}, column ${at.column}: cannot read "${l.latex.trim()}": ${e.reason}`)
      }
    }),
  )
}

/**
 * Read a derivation: one expression per line; blank lines and `#` comments are skipped, a leading
 * `=` is dropped, and a trailing `# by RULE` (or `# RULE`) names the rule the student used.
 */
export function parseDerivation(text: string, file: string): DerivationLine[] {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) return parseSaved(trimmed, file)
  const out: DerivationLine[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#')
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim().replace(/^=\s*/, '')
    if (body === '') return
    const comment = hash >= 0 ? raw.slice(hash + 1).trim() : ''
    const claimed = /^(?:by\s+)?([a-z0-9-]+)$/.exec(comment)?.[1]
    try {
      out.push({ line: i + 1, expr: parseExpr(body), ...(claimed ? { claimed } : {}) })
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
      throw new UsageError(`${file}, line ${i + 1}: cannot read "${body}": ${e.reason} at position ${e.position}`)
    }
  })
  return out
}

/** A saved derivation (SPEC §5): its lines, with each step's rule id as the claim. */
function parseSaved(text: string, file: string): DerivationLine[] {
  const d = readDerivation(text, file)
  return [
    { line: 1, expr: d.start },
    // a saved step may be "algebra: ..." or "by hand (numerically checked)": only rule ids are claims
    ...d.steps.map((s, i) => ({ line: i + 2, expr: s.to, ...(ID_PATTERN.test(s.rule) ? { claimed: s.rule } : {}) })),
  ]
}

interface StepReport {
  readonly line: number
  readonly result: WhyResult
  /** The student's claimed rule, and whether it alone (plus algebra) gives the step. */
  readonly claimed?: { rule: string; holds: boolean }
}

async function checkStep(ctx: Context, a: DerivationLine, b: DerivationLine, depth: number, shapes: SymbolSetting): Promise<StepReport> {
  if (b.claimed) {
    const rule = findRule(ctx.library().rules, b.claimed)
    const byClaim = await runWhy(ctx, a.expr, b.expr, 2, [rule], shapes)
    if (byClaim.verdict === 'explained' && byClaim.steps.some((s) => s.rule === rule)) {
      return { line: b.line, result: byClaim, claimed: { rule: rule.id, holds: true } }
    }
    return { line: b.line, result: await runWhy(ctx, a.expr, b.expr, depth, undefined, shapes), claimed: { rule: rule.id, holds: false } }
  }
  return { line: b.line, result: await runWhy(ctx, a.expr, b.expr, depth, undefined, shapes) }
}

const provided = (r: WhyResult): string => (verdictConditions(r).length ? `, provided ${verdictConditions(r).join(', ')}` : '')

/** The last line of a check: what is wrong and what could not be checked, or that every step holds. */
export function tally(verdicts: readonly WhyResult['verdict'][]): { text: string; holds: boolean } {
  const wrong = verdicts.filter((v) => v === 'not-equal').length
  const unchecked = verdicts.filter((v) => v === 'unknown').length
  const parts = [
    ...(wrong ? [`${wrong} wrong step${wrong > 1 ? 's' : ''}`] : []),
    ...(unchecked ? [`${unchecked} step${unchecked > 1 ? 's' : ''} could not be checked`] : []),
  ]
  return parts.length ? { text: parts.join(', '), holds: false } : { text: 'every step holds', holds: true }
}

function summary(r: StepReport): string {
  const x = r.result
  const claim = r.claimed && !r.claimed.holds ? ` (claimed ${r.claimed.rule} does not give this step)` : ''
  switch (x.verdict) {
    case 'explained':
      return (x.steps.length ? x.steps.map((s) => (s.kind === 'rule' ? s.rule!.id : s.label)).join(', ') : 'same expression') + provided(x) + claim
    case 'equal-unexplained':
      return `equal, no rule found${provided(x)}${claim}`
    case 'not-equal':
      return `${Object.entries(x.counterexample.values)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ')}: ${x.counterexample.from} vs ${x.counterexample.to}${x.disagreement ? `; differs at ${print(x.disagreement.from)} vs ${print(x.disagreement.to)}` : ''}`
    case 'unknown':
      return x.reason
  }
}

export const registerCheck: Register = (program, act) => {
  program
    .command('check')
    .description('check a derivation file step by step (one expression per line, or a saved derivation)')
    .argument('<file>', 'the derivation')
    .option('--depth <n>', 'longest chain of rules to try per step (default 3)')
    .action((file: string, opts: { depth?: string }) =>
      act(async (ctx) => {
        const depth = parseDepth(opts.depth)
        const text = readUserFile(file, ctx.io.cwd)
        const lines = /\.tex$/i.test(file) ? parseTexDerivation(text, file, ctx.announce) : parseDerivation(text, file)
        if (lines.length < 2) throw new UsageError(`${file}: a derivation needs at least two lines to check`)
        // one reading of the symbols for the whole derivation: x' on line 1 makes x a vector on line 5
        const vectors = declaredVectors(text)
        if (vectors.bad) throw new UsageError(`${file}, line ${vectors.bad.line}: "${vectors.bad.name}" in "# vectors:" is not a symbol name`)
        const shapes = ctx.shapes(lines.map((l) => l.expr), vectors.names)
        const reports: StepReport[] = []
        for (let i = 1; i < lines.length; i++) {
          if (lines[i]!.part !== lines[i - 1]!.part) continue // the next environment starts a new derivation
          reports.push(await checkStep(ctx, lines[i - 1]!, lines[i]!, depth, shapes))
        }
        const total = tally(reports.map((r) => r.result.verdict))
        const bad = !total.holds
        if (ctx.json) {
          ctx.outJson(reports.map((r) => ({ line: r.line, ...whyToJson(r.result), ...(r.claimed ? { claimed: r.claimed } : {}) })))
          return bad ? 1 : 0
        }
        const s = ctx.style
        const color = { explained: s.good, 'equal-unexplained': s.warn, 'not-equal': s.bad, unknown: s.warn }
        const rows = [`${'line'.padEnd(6)}${'verdict'.padEnd(19)}rule(s) or counterexample`]
        for (const r of reports) {
          const v = r.result.verdict
          rows.push(`${String(r.line).padEnd(6)}${color[v](v.padEnd(19))}${summary(r)}`)
        }
        rows.push('', total.holds ? s.good(total.text) : s.bad(total.text))
        ctx.out(rows.join('\n'))
        return bad ? 1 : 0
      }),
    )
}
