// A saved derivation for people: numbered lines with their justifications on a terminal (`derive
// show`), and for homework as Markdown, a LaTeX align* environment, or a standalone HTML page.
import { print } from '../core/print.js'
import { ID_PATTERN } from '../library/schema.js'
import { allAssumptions, type Derivation, type Step } from '../session/derivation.js'
import type { Style } from './style.js'
import { assumptionTex, escapeText, toTex } from './tex.js'

/** A derivation with what rendering needs from the library and the matcher. */
export interface DerivationView {
  readonly derivation: Derivation
  /** A library rule's name for a step's rule id; undefined for algebra labels, by-hand steps, unknown ids. */
  readonly nameOf: (rule: string) => string | undefined
  /** Does the last line reach the goal? (false without a goal) */
  readonly reached: boolean
}

/** How a step is justified, in words: the rule's name (and id), or the recorded label. */
interface Justification {
  readonly text: string
  /** The rule id, when the step used a library rule. */
  readonly id?: string
}

function justify(v: DerivationView, s: Step): Justification {
  const name = v.nameOf(s.rule)
  const reverse = s.direction === 'reverse' ? ', right to left' : ''
  if (name !== undefined) return { text: `${name}${reverse}`, id: s.rule }
  // an id no longer in the library is still named; labels (algebra, by hand) stand as they are
  return ID_PATTERN.test(s.rule) ? { text: `rule ${s.rule}${reverse} (not in your library)`, id: s.rule } : { text: s.rule }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** The goal line in words, or undefined without a goal. */
function goalStatus(v: DerivationView): string | undefined {
  if (!v.derivation.goal) return undefined
  const n = v.derivation.steps.length
  return v.reached ? `reached in ${plural(n, 'step')}` : 'not reached yet'
}

/** `derive show`: line 1 is the start, every later line its step's rule, position and assumptions. */
export function renderShow(v: DerivationView, s: Style): string {
  const d = v.derivation
  const lines = [`${s.dim(' 1.')} ${print(d.start)}`]
  d.steps.forEach((step, i) => {
    const j = justify(v, step)
    lines.push(`${s.dim(`${String(i + 2).padStart(2)}.`)} ${s.result(`= ${print(step.to)}`)}`)
    const by = j.id !== undefined ? `${s.rule(j.text)} ${s.id(`[${j.id}]`)} at ${step.at}` : s.warn(j.text)
    lines.push(`      ${by}`)
    if (step.assumes.length) lines.push(`      ${s.dim(`assumes ${step.assumes.join(', ')}`)}`)
  })
  const status = goalStatus(v)
  lines.push('')
  if (d.goal && status) lines.push(`goal ${print(d.goal)}: ${v.reached ? s.good(status) : s.warn(status)}`)
  else lines.push(s.dim(`no goal set; ${plural(d.steps.length, 'step')}`))
  return `${lines.join('\n')}\n`
}

// ---- Markdown ---------------------------------------------------------------------------------

const mdText = (t: string): string => t.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)

/** Markdown: a numbered list, each line as inline `$...$` TeX with its justification. */
export function toMarkdown(v: DerivationView): string {
  const d = v.derivation
  const lines = [`1. $${toTex(d.start)}$`]
  d.steps.forEach((step, i) => {
    const j = justify(v, step)
    const by = mdText(j.text) + (j.id !== undefined ? ` (\`${j.id}\`)` : '')
    const assumes = step.assumes.length ? `; assumes ${step.assumes.map((a) => `$${assumptionTex(a)}$`).join(', ')}` : ''
    lines.push(`${i + 2}. $= ${toTex(step.to)}$ — ${by}${assumes}`)
  })
  const status = goalStatus(v)
  if (d.goal && status) lines.push('', `Goal: $${toTex(d.goal)}$ — ${status}.`)
  return `${lines.join('\n')}\n`
}

// ---- LaTeX ------------------------------------------------------------------------------------

/** The align* environment: the start, `&= line && \text{(rule)}` per step, then the assumptions. */
function alignEnvironment(v: DerivationView): string {
  const d = v.derivation
  const rows = [`  ${toTex(d.start)}`]
  for (const step of d.steps) rows.push(`  &= ${toTex(step.to)} && \\text{(${escapeText(justify(v, step).text)})}`)
  const assumes = allAssumptions(d)
  if (assumes.length) rows.push(`  & \\text{assuming } ${assumes.map(assumptionTex).join(',\\ ')}`)
  return `\\begin{align*}\n${rows.join(' \\\\\n')}\n\\end{align*}\n`
}

/** LaTeX: the align* environment, or with `standalone` a complete document (amsmath, amssymb). */
export function toLatex(v: DerivationView, standalone = false): string {
  const env = alignEnvironment(v)
  if (!standalone) return env
  return ['\\documentclass{article}', '\\usepackage{amsmath}', '\\usepackage{amssymb}', '\\begin{document}', env.trimEnd(), '\\end{document}', ''].join('\n')
}

// ---- HTML -------------------------------------------------------------------------------------

/** TeX (math mode) to HTML markup, e.g. KaTeX's MathML; must not need the network. */
export type MathRenderer = (tex: string) => string

const html = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const STYLE = `body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
table { border-collapse: collapse; }
td { padding: 0.35rem 0.75rem; vertical-align: baseline; }
td.n { color: #777; text-align: right; }
td.why { color: #444; }
math { font-size: 1.15em; }`

/** HTML: a standalone page (no scripts, no network) with each line rendered by `math`. */
export function toHtml(v: DerivationView, math: MathRenderer): string {
  const d = v.derivation
  const row = (n: number, tex: string, why: string): string =>
    `<tr><td class="n">${n}</td><td class="line">${math(tex)}</td><td class="why">${why}</td></tr>`
  const rows = [row(1, toTex(d.start), '')]
  d.steps.forEach((step, i) => {
    const j = justify(v, step)
    const id = j.id !== undefined ? ` <code>${html(j.id)}</code>` : ''
    const assumes = step.assumes.length ? `<br>assumes ${step.assumes.map((a) => math(assumptionTex(a))).join(', ')}` : ''
    rows.push(row(i + 2, `= ${toTex(step.to)}`, `${html(j.text)}${id}${assumes}`))
  })
  const status = goalStatus(v)
  const goal = d.goal && status ? `\n<p class="goal">Goal: ${math(toTex(d.goal))} — ${status}.</p>` : ''
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Derivation of ${html(print(d.start))}</title>
<style>
${STYLE}
</style>
</head>
<body>
<table class="derivation">
${rows.join('\n')}
</table>${goal}
</body>
</html>
`
}
