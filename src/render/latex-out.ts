// `--latex`: answers printed as LaTeX instead of derive's notation, in the form `derive check
// FILE.tex` reads back (an align* whose rows carry `\text{(by RULE)}`), so a found chain can be
// pasted into homework and checked again.
import type { Expr } from '../core/expr.js'
import { fitAt, type Fit } from '../core/rewrite.js'
import type { WhyResult } from '../core/why.js'
import { escapeText, toTex } from './tex.js'

/** The fits of `derive match`, one per line: the expression after the step, and which rule where. */
export function fitsLatex(fits: readonly Fit[]): string {
  return fits.map((f) => `${toTex(f.result)} % by ${f.rule.id} at ${fitAt(f)}`).join('\n')
}

/** The verdict of `derive why` as an align* derivation (or the one line it comes to). */
export function whyLatex(from: Expr, to: Expr, r: WhyResult): string {
  const rows: string[] = []
  switch (r.verdict) {
    case 'explained':
      if (r.steps.length === 0) rows.push(`${toTex(from)} &= ${toTex(to)} % the same expression`)
      r.steps.forEach((s, i) => {
        const why = s.kind === 'rule' ? `\\text{(by ${s.rule!.id})}` : `% ${s.label.replace(/%/g, '\\%')}`
        rows.push(`${i === 0 ? toTex(from) : ''} &= ${toTex(s.to)} ${why}`)
      })
      if (r.assumes.length) rows.push(`% provided ${r.assumes.join(', ')}`)
      break
    case 'equal-unexplained':
      rows.push(`${toTex(from)} &= ${toTex(to)} % equal (numerically), no rule found`)
      break
    case 'not-equal':
      rows.push(`${toTex(from)} &\\neq ${toTex(to)} % not equal at ${Object.entries(r.counterexample.values).map(([k, v]) => `${k} = ${v}`).join(', ')}`)
      break
    case 'unknown':
      rows.push(`${toTex(from)} &\\overset{?}{=} ${toTex(to)} % ${escapeText(r.reason)}`)
      break
  }
  return ['\\begin{align*}', ...joinRows(rows), '\\end{align*}'].join('\n')
}

/** Rows joined by \\, placed before any trailing % comment so the comment does not swallow it. */
function joinRows(rows: readonly string[]): string[] {
  return rows.map((row, i) => {
    if (i === rows.length - 1) return row
    const c = row.search(/(?<!\\)%/)
    return c < 0 ? `${row} \\\\` : `${row.slice(0, c).trimEnd()} \\\\ ${row.slice(c)}`
  })
}
