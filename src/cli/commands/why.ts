// derive why FROM TO [--depth N]: which rules connect two lines, or why they are not equal.
import type { Expr } from '../../core/expr.js'
import type { Condition } from '../../core/parse.js'
import type { Rule } from '../../core/rule.js'
import type { SymbolSetting } from '../../core/shape.js'
import { WHY_DEPTH, WHY_TIME_LIMIT, why, type WhyResult } from '../../core/why.js'
import { compileRule } from '../../core/rule.js'
import { UsageError } from '../../errors.js'
import { whyLatex } from '../../render/latex-out.js'
import { renderWhy, whyToJson } from '../../render/why.js'
import type { Context } from '../context.js'
import type { Register } from '../main.js'

/** Parse --depth: a small positive integer (default WHY_DEPTH). */
export function parseDepth(text: string | undefined): number {
  if (text === undefined) return WHY_DEPTH
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 20) throw new UsageError(`--depth must be a whole number from 0 to 20, got "${text}"`)
  return n
}

/** Parse --time-limit: seconds, more than 0 and at most 600. */
export function parseTimeLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new UsageError(`--time-limit must be a number of seconds above 0 and at most 600, got "${text}"`)
  return n
}

/** What a derivation adds to one `why`: its symbols' shapes, its assumptions, or a narrower rule set. */
export interface WhyContext {
  /** What the symbols are across the whole derivation (default: inferred from the two lines). */
  readonly shapes?: SymbolSetting
  /** The derivation's `# assume:` conditions: the numbers are drawn only where they hold. */
  readonly assume?: readonly Condition[]
  /** Only these rules (default: the library's). */
  readonly rules?: readonly Rule[]
  /** Wall-clock limit of the search, in seconds (default WHY_TIME_LIMIT). */
  readonly timeLimit?: number
}

/** Run the `why` search for one pair of lines with the library's rules and the numeric verifier. */
export async function runWhy(ctx: Context, from: Expr, to: Expr, depth: number, w: WhyContext = {}): Promise<WhyResult> {
  const { rules, shapes, assume, timeLimit = WHY_TIME_LIMIT } = w
  // the verifier is loaded only by the commands that need it (keeps `derive match` starting fast)
  const { compareExpressions, conditionsCanHold, verifyRule } = await import('../../core/verify.js')
  const lib = ctx.library()
  const setting = shapes ?? ctx.shapes([from, to])
  const definitions = lib.rules.filter((r) => r.kind === 'definition')
  const progress = spinner(ctx)
  try {
    // why compares the lines first: a chain that needs an assumption (A' == A) does not make a
    // step right that the numbers refute without it (diff(x' * A * x, x) = 2 * A * x is false for
    // a general A)
    return why(from, to, rules ?? lib.rules, {
      depth,
      timeLimit,
      matrices: setting,
      compare: (a, b, points) => compareExpressions(a, b, { definitions, matrices: setting, ...(assume ? { assume } : {}), ...(points ? { points } : {}) }),
      canHold: (a, b, assumes) => conditionsCanHold(a, b, assumes, { definitions, matrices: setting, ...(assume ? { assume } : {}) }),
      verifies: (spec) => {
        try {
          const rule = compileRule(spec, { pack: 'suggestion', matrices: lib.matrices })
          return verifyRule(rule, { definitions }).verdict === 'verified'
        } catch {
          return false
        }
      },
      progress: progress.tick,
    })
  } finally {
    progress.done()
  }
}

/** A progress line on a terminal once the search takes more than a moment; silent otherwise. */
function spinner(ctx: Context): { tick: (n: number) => void; done: () => void } {
  if (!ctx.io.isTTY || ctx.json) return { tick: () => undefined, done: () => undefined }
  const start = Date.now()
  let shown = false
  let last = 0
  return {
    tick: (n) => {
      const now = Date.now()
      if (now - start < 300 || now - last < 100) return
      last = now
      shown = true
      ctx.io.stderr(`\rsearching… ${n} expressions tried`)
    },
    done: () => {
      if (shown) ctx.io.stderr('\r\x1b[K')
    },
  }
}

export const registerWhy: Register = (program, act) => {
  program
    .command('why')
    .description('find the rule(s) that turn FROM into TO, or show they are not equal')
    .argument('<from>', 'the first line')
    .argument('<to>', 'the next line')
    .option('--depth <n>', `longest chain of rules to try (default ${WHY_DEPTH})`)
    .option('--time-limit <seconds>', `stop searching after this long (default ${WHY_TIME_LIMIT})`)
    .action((fromText: string, toText: string, opts: { depth?: string; timeLimit?: string }) =>
      act(async (ctx) => {
        const from = ctx.parse(fromText, 'FROM', [toText])
        const to = ctx.parse(toText, 'TO', [fromText])
        const depth = parseDepth(opts.depth)
        const result = await runWhy(ctx, from, to, depth, { timeLimit: parseTimeLimit(opts.timeLimit, WHY_TIME_LIMIT) })
        if (ctx.json) ctx.outJson(whyToJson(result))
        else if (ctx.latex) ctx.out(whyLatex(from, to, result))
        else ctx.out(renderWhy(from, to, result, ctx.style, depth))
        // SPEC §4: a step that is not equal, or that could not be checked, is a negative answer
        return result.verdict === 'not-equal' || result.verdict === 'unknown' ? 1 : 0
      }),
    )
}
