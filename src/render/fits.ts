// How fits and steps look: as JSON (SPEC §5) and on a terminal.
import { type Expr, pathToString } from '../core/expr.js'
import { print } from '../core/print.js'
import { type Fit, fitAt } from '../core/rewrite.js'
import type { Style } from './style.js'


/** SPEC §5 match entry. */
export function fitToJson(f: Fit): Record<string, unknown> {
  return {
    rule: f.rule.id,
    name: f.rule.name,
    direction: f.direction,
    at: fitAt(f),
    subterm: print(f.subterm),
    result: print(f.result),
    assumes: [...f.assumes],
    ...(f.rule.spec.unverified ? { unverified: true } : {}),
  }
}

/** SPEC §5 apply/step record. */
export function stepToJson(f: Fit, from: Expr): { rule: string; direction: string; at: string; from: string; to: string; assumes: string[] } {
  return { rule: f.rule.id, direction: f.direction, at: fitAt(f), from: print(from), to: print(f.result), assumes: [...f.assumes] }
}

/** Paths to highlight for a fit: the node, or the parts of a sum/product it used. */
function highlights(f: Fit): Set<string> {
  const paths = f.paths ?? [f.path]
  const out = new Set<string>()
  for (const p of paths) {
    if (f.parts) for (const i of f.parts) out.add(pathToString([...p, i]))
    else out.add(pathToString(p))
  }
  return out
}

/** The whole expression with the fitted subterm marked (colour), or the subterm named (plain). */
export function showInContext(expr: Expr, f: Fit, s: Style): string {
  if (s.color) return print(expr, { highlight: highlights(f), mark: s.hit })
  return `${print(f.subterm)}  (at ${fitAt(f)})`
}

const direction = (f: Fit): string => (f.direction === 'reverse' ? ' (reverse)' : '')

/** text cut to `width` characters, with … where it was cut. */
export const clip = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, Math.max(1, width - 1))}…`)

/**
 * The stepper's listing: one line per fit ("3. log of a power → 2 * log(x)": what the subterm
 * becomes) under one line per
 * place ("at 0.1: log(x ^ 2)"), every line cut to `width`. `shown` are the indices (into fits)
 * to list, in order; numbers stay those of the whole list.
 */
export function fitLines(fits: readonly Fit[], shown: readonly number[], s: Style, width: number): string[] {
  const lines: string[] = []
  let lastAt: string | undefined
  for (const i of shown) {
    const f = fits[i]!
    const at = fitAt(f)
    if (at !== lastAt) lines.push(s.dim(clip(`at ${at}: ${print(f.subterm)}`, width)))
    lastAt = at
    const head = `${String(i + 1).padStart(3)}. ${f.rule.name}${direction(f)}${f.rule.spec.unverified ? ' ⚠' : ''}  → `
    const tail = `${print(f.replacement)}${f.assumes.length ? `   if ${f.assumes.join(', ')}` : ''}`
    const line = clip(head + tail, width)
    lines.push(`${s.rule(line.slice(0, head.length - 4))}${line.slice(head.length - 4, head.length)}${s.result(line.slice(head.length))}`)
  }
  return lines
}

/** Terminal listing of every fit, grouped by the place in the expression they act on. */
export function renderFits(expr: Expr, fits: readonly Fit[], s: Style): string {
  const lines: string[] = []
  lines.push(`${print(expr)}  ${s.dim(`— ${fits.length} ${fits.length === 1 ? 'fit' : 'fits'}`)}`)
  let lastAt = ''
  fits.forEach((f, n) => {
    const at = fitAt(f)
    if (at !== lastAt) {
      lines.push('', s.dim(`at ${at}: ${print(f.subterm)}`))
      lastAt = at
    }
    const warn = f.rule.spec.unverified ? s.warn('  ⚠ unverified rule') : ''
    lines.push(`${String(n + 1).padStart(3)}. ${s.rule(f.rule.name)}${direction(f)}  ${s.id(f.rule.id)}${warn}`)
    if (s.color) lines.push(`     ${showInContext(expr, f, s)}`)
    lines.push(`     ${s.result(`= ${print(f.result)}`)}`)
    if (f.assumes.length) lines.push(`     ${s.dim(`assumes ${f.assumes.join(', ')}`)}`)
  })
  return `${lines.join('\n')}\n`
}

/** Terminal report of one applied step. */
export function renderStep(f: Fit, s: Style): string {
  const lines = [s.result(print(f.result))]
  lines.push(s.dim(`  by ${f.rule.name}${direction(f)} [${f.rule.id}] at ${fitAt(f)}: ${print(f.subterm)} → ${print(f.replacement)}`))
  if (f.assumes.length) lines.push(s.dim(`  assumes ${f.assumes.join(', ')}`))
  if (f.rule.spec.unverified) lines.push(s.warn('  ⚠ this rule was saved unverified (the numeric check did not verify it)'))
  return `${lines.join('\n')}\n`
}
