// derive explain EXPR [--code python|js]: the expression in words, as a tree, and as code.
import type { Expr } from '../../core/expr.js'
import { UsageError } from '../../errors.js'
import { codeParams, type Language, LANGUAGES, toCode } from '../../render/code.js'
import { tree, words } from '../../render/explain.js'
import type { Style } from '../../render/style.js'
import type { Register } from '../main.js'

const TITLES: Readonly<Record<Language, string>> = { python: 'Code (Python)', js: 'Code (JavaScript)' }

/** --code: one of the languages, or undefined for all of them. */
function parseLanguage(text: string | undefined): Language | undefined {
  if (text === undefined) return undefined
  const lang = LANGUAGES.find((l) => l === text.toLowerCase())
  if (!lang) throw new UsageError(`--code must be one of ${LANGUAGES.join(', ')}, got "${text}"`)
  return lang
}

/** The three readings as terminal sections, code only in `only` when given. */
function renderExplain(e: Expr, code: Readonly<Record<Language, string>>, style: Style, only: Language | undefined): string {
  const section = (title: string, body: string): string => `${style.rule(title)}\n${body}`
  const langs = only ? [only] : LANGUAGES
  return [
    section('Words', words(e)),
    section('Tree (positions for derive apply --at)', tree(e, style)),
    ...langs.map((l) => section(TITLES[l], code[l])),
  ].join('\n\n')
}

export const registerExplain: Register = (program, act) => {
  program
    .command('explain')
    .description('read EXPR out in words, as a tree with positions, and as code (sums and products as loops)')
    .argument('<expr>', 'an expression, e.g. "sum(c * x[i], i, 1, n)"')
    .option('--code <language>', `only this language's code: ${LANGUAGES.join(' or ')}`)
    .action((text: string, opts: { code?: string }) =>
      act((ctx) => {
        const only = parseLanguage(opts.code)
        const expr = ctx.parse(text)
        const code = toCode(expr, ctx.library().matrices)
        if (ctx.json) ctx.outJson({ words: words(expr), tree: tree(expr), params: codeParams(expr), code })
        else ctx.out(renderExplain(expr, code, ctx.style, only))
        return 0
      }),
    )
}
