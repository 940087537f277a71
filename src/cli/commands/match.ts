// derive match EXPR: every rule that fits, anywhere in the expression.
import { clock } from '../../limits.js'
import { Budget } from '../../core/match.js'
import { findFits } from '../../core/rewrite.js'
import { fitToJson, renderFits } from '../../render/fits.js'
import { fitsLatex } from '../../render/latex-out.js'
import type { Register } from '../main.js'
import { parseTimeLimit } from './why.js'

/** Default wall-clock limit of `derive match`, in seconds. */
const MATCH_TIME_LIMIT = 2

export const registerMatch: Register = (program, act) => {
  program
    .command('match')
    .description('list every rule that fits EXPR, with position, result and assumptions')
    .argument('<expr>', 'an expression, e.g. "log(x * y)"')
    .option('--rule <id...>', 'only these rules')
    .option('--time-limit <seconds>', `stop matching after this long (default ${MATCH_TIME_LIMIT})`)
    .action((text: string, opts: { rule?: string[]; timeLimit?: string }) =>
      act((ctx) => {
        const expr = ctx.parse(text)
        const lib = ctx.library()
        const rules = opts.rule ? lib.rules.filter((r) => opts.rule!.includes(r.id)) : lib.rules
        const budget = new Budget(undefined, { deadline: clock() + parseTimeLimit(opts.timeLimit, MATCH_TIME_LIMIT) * 1000 })
        const fits = findFits(expr, rules, { matrices: ctx.shapes([expr]), budget })
        const note = budget.note()
        if (note) ctx.io.stderr(`derive: warning: ${note}\n`)
        if (ctx.json) ctx.outJson(fits.map(fitToJson))
        else if (fits.length === 0) ctx.out(`no rule fits ${text}`)
        else if (ctx.latex) ctx.out(fitsLatex(fits))
        else ctx.out(renderFits(expr, fits, ctx.style))
        return fits.length ? 0 : 1
      }),
    )
}
