// derive apply EXPR RULE [--at PATH] [--reverse]: one step.
import { parsePath, pathToString } from '../../core/expr.js'
import { print } from '../../core/print.js'
import { findFits, fitAt } from '../../core/rewrite.js'
import { UsageError } from '../../errors.js'
import { findRule } from '../../library/lookup.js'
import { renderStep, stepToJson } from '../../render/fits.js'
import { toTex } from '../../render/tex.js'
import type { Register } from '../main.js'

export const registerApply: Register = (program, act) => {
  program
    .command('apply')
    .description('apply one rule once and print the new expression')
    .argument('<expr>', 'an expression')
    .argument('<rule>', 'a rule id (see derive match EXPR or derive rules list)')
    .option('--at <path>', 'where to apply it: a position from derive match ("." is the whole expression)')
    .option('--reverse', 'apply a reversible rule right to left')
    .action((text: string, ruleId: string, opts: { at?: string; reverse?: boolean }) =>
      act((ctx) => {
        const expr = ctx.parse(text)
        const lib = ctx.library()
        const rule = findRule(lib.rules, ruleId)
        const direction = opts.reverse ? 'reverse' : 'forward'
        if (opts.reverse && !rule.reversible) throw new UsageError(`rule "${rule.id}" is not reversible, so --reverse cannot be used`)
        // several places (--at 0,1.0): also the rule applied at each of them at once, as why shows it
        let fits = findFits(expr, [rule], { matrices: ctx.shapes([expr]), direction, spread: opts.at?.includes(',') === true })
        if (opts.at !== undefined) {
          const wanted = opts.at.split(',').map((p) => {
            const path = parsePath(p)
            if (!path) throw new UsageError(`--at "${opts.at}" is not a position; use "." or numbers joined by dots such as 0.1`)
            return pathToString(path)
          })
          fits = fits.filter((f) => fitAt(f) === wanted.join(',') || (wanted.length === 1 && !f.paths && pathToString(f.path) === wanted[0]))
        }
        const fit = fits[0]
        if (!fit) {
          const where = opts.at !== undefined ? ` at ${opts.at}` : ''
          ctx.io.stderr(`derive: rule "${rule.id}" (${rule.name}) does not fit ${print(expr)}${where}${direction === 'reverse' ? ' right to left' : ''}\n`)
          return 1
        }
        if (ctx.json) ctx.outJson(stepToJson(fit, expr))
        else if (ctx.latex) ctx.out(toTex(fit.result))
        else ctx.out(renderStep(fit, ctx.style))
        return 0
      }),
    )
}
