// A saved derivation for people: numbered lines with their justifications on a terminal (`derive
// show`), and for homework as Markdown, a LaTeX align* environment, or a standalone HTML page.
import { print } from '../core/print.js'
import { ID_PATTERN } from '../library/schema.js'
import type { Expr } from '../core/expr.js'
import type { Derivation, Step } from '../session/derivation.js'
import type { Style } from './style.js'
import { boundIn, simplifyAssumptions } from './assumptions.js'
import { type AlignLine, alignEnvironment, alignRows } from './tex-align.js'
import { assumptionTex, escapeText, noteText, texTerms, toTex } from './tex.js'

/** A derivation with what rendering needs from the library and the matcher. */
export interface DerivationView {
  readonly derivation: Derivation
  /** A library rule's name for a step's rule id; undefined for algebra labels, by-hand steps, unknown ids. */
  readonly nameOf: (rule: string) => string | undefined
  /** A library rule's idea in words. */
  readonly ideaOf?: (rule: string) => string | undefined
  /** Does the last line reach the goal? (false without a goal) */
  readonly reached: boolean
}

/** How a step is justified, in words: the rule's name (and id), or the recorded label. */
export interface Justification {
  readonly text: string
  /** The rule id, when the step used a library rule. */
  readonly id?: string
  /** The rule's idea in words, when it has one. */
  readonly idea?: string
}

/** One line as shown: the first line of a part has no justification. */
export interface ShownLine {
  /** The number shown (the line of the file for a text file). */
  readonly n: number
  /** The expression; undefined when the line could not be read (then `source` is shown as written). */
  readonly expr?: Expr
  /** The equation, for a line `lhs = rhs` (then `expr` is undefined). */
  readonly equation?: { readonly lhs: Expr; readonly rhs: Expr }
  /**
   * `implies` (`=>`): the line follows from the one before; `starts`: an equation set up from the
   * expression before it (no sign between them); otherwise equal (an expression) or equivalent (an equation).
   */
  readonly relation?: 'implies' | 'starts'
  readonly source: string
  readonly by: readonly Justification[]
  /** Where the rule applied (a saved derivation records it). */
  readonly at?: string
  readonly assumes: readonly string[]
  /** The checker's verdict on the step to this line, in words (`derive show` of a checked file, `export --verdicts`). */
  readonly verdict?: { readonly text: string; readonly holds: boolean }
}

/** One derivation as shown: its title, its lines, and its goal. */
export interface ShownPart {
  readonly title?: string
  readonly lines: readonly ShownLine[]
  readonly goal?: Expr
  /** The goal in words ("reached in 2 steps", "not reached yet"). */
  readonly status?: string
  readonly reached?: boolean
  /** What the derivation assumes as a whole (`# assume:`). */
  readonly assumes?: readonly string[]
}

function justify(v: DerivationView, s: Step): Justification {
  const name = v.nameOf(s.rule)
  const reverse = s.direction === 'reverse' ? ', right to left' : ''
  const idea = v.ideaOf?.(s.rule)
  if (name !== undefined) return { text: `${name}${reverse}`, id: s.rule, ...(idea ? { idea } : {}) }
  // an id no longer in the library is still named; labels (algebra, by hand) stand as they are
  return ID_PATTERN.test(s.rule) ? { text: `rule ${s.rule}${reverse} (not in your library)`, id: s.rule } : { text: s.rule }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** A saved derivation as the one part it is: each step's rule, position and assumptions as recorded. */
export function savedParts(v: DerivationView): ShownPart[] {
  const d = v.derivation
  const n = d.steps.length
  const goal = d.goal ? { goal: d.goal, status: v.reached ? `reached in ${plural(n, 'step')}` : 'not reached yet', reached: v.reached } : {}
  const lines: ShownLine[] = [
    { n: 1, expr: d.start, source: '', by: [], assumes: [] },
    ...d.steps.map((s, i): ShownLine => ({ n: i + 2, expr: s.to, source: '', by: [justify(v, s)], at: s.at, assumes: s.assumes })),
  ]
  return [{ lines, ...goal }]
}

/** The indices bound in a part's lines (an assumption only about them says nothing about the derivation). */
const partBound = (p: ShownPart): Set<string> => boundIn(p.lines.flatMap((l) => (l.expr ? [l.expr] : l.equation ? [l.equation.lhs, l.equation.rhs] : [])))

/** Assumptions of some of a part's steps, simplified (see assumptions.ts); the part's own are not repeated. */
const stepAssumptions = (p: ShownPart, assumes: readonly string[]): string[] => simplifyAssumptions(assumes, { given: p.assumes ?? [], bound: partBound(p) })

/** What a part assumes: its own assumptions as written, then what its steps need beyond them. */
const partAssumptions = (p: ShownPart): string[] => [...new Set(p.assumes ?? []), ...stepAssumptions(p, p.lines.flatMap((l) => l.assumes))]

const byText = (l: ShownLine): string => l.by.map((j) => j.text).join(', ')

/** `derive show`: each part's lines numbered, every later line with its rule, position, assumptions (and verdict). */
export function renderShow(parts: readonly ShownPart[], s: Style): string {
  const lines: string[] = []
  const headed = parts.length > 1 || parts[0]?.title !== undefined
  parts.forEach((p, k) => {
    if (headed) lines.push(...(k ? [''] : []), s.rule(p.title ?? `derivation ${k + 1}`))
    p.lines.forEach((l, i) => {
      const text = l.expr ? print(l.expr) : l.equation ? `${print(l.equation.lhs)} = ${print(l.equation.rhs)}` : l.source
      lines.push(`${s.dim(`${String(l.n).padStart(2)}.`)} ${i === 0 ? text : s.result(`${lead(l, '=', '=>', '<=>')} ${text}`.trimStart())}`)
      if (i === 0 && !l.verdict) return
      const rules = l.by.map((j) => (j.id !== undefined ? `${s.rule(j.text)} ${s.id(`[${j.id}]`)}` : s.warn(j.text))).join(', ')
      if (rules) lines.push(`      ${rules}${l.at !== undefined && l.by[0]?.id !== undefined ? ` at ${l.at}` : ''}`)
      if (l.assumes.length) lines.push(`      ${s.dim(`assumes ${l.assumes.join(', ')}`)}`)
      if (l.verdict) lines.push(`      ${l.verdict.holds ? s.good(l.verdict.text) : s.bad(l.verdict.text)}`)
    })
    if (p.assumes?.length) lines.push(s.dim(`assuming ${p.assumes.join(', ')}`))
    if (p.goal && p.status) lines.push('', `goal ${print(p.goal)}: ${p.reached ? s.good(p.status) : s.warn(p.status)}`)
    else if (!headed) lines.push('', s.dim(`no goal set; ${plural(p.lines.length - 1, 'step')}`))
  })
  return `${lines.join('\n')}\n`
}

// ---- Markdown ---------------------------------------------------------------------------------

const mdText = (t: string): string => t.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)

/** A line's TeX: the expression or equation, or the text as written when it could not be read. */
const lineTex = (l: ShownLine): string =>
  l.expr ? toTex(l.expr) : l.equation ? `${toTex(l.equation.lhs)} = ${toTex(l.equation.rhs)}` : `\\text{${escapeText(l.source)}}`

/** What a later line starts with: `=` for an expression, an arrow for an equation. */
const lead = (l: ShownLine, equal: string, implies: string, iff: string): string =>
  l.equation ? (l.relation === 'implies' ? implies : l.relation === 'starts' ? '' : iff) : equal

/** Markdown: per part a numbered list, each line as inline `$...$` TeX with its justification. */
export function toMarkdown(parts: readonly ShownPart[]): string {
  const out: string[] = []
  parts.forEach((p, k) => {
    if (p.title !== undefined) out.push(...(k ? [''] : []), `### ${mdText(p.title)}`, '')
    else if (k) out.push('')
    p.lines.forEach((l, i) => {
      const by = l.by.map((j) => mdText(j.text) + (j.id !== undefined ? ` (\`${j.id}\`)` : '')).join(', ')
      const needs = stepAssumptions(p, l.assumes)
      const assumes = needs.length ? `; assumes ${needs.map((a) => `$${assumptionTex(a)}$`).join(', ')}` : ''
      const verdict = l.verdict ? `**${mdText(l.verdict.text)}**` : ''
      const why = [by + assumes, verdict].filter((t) => t).join(' ')
      out.push(`${l.n}. $${i === 0 ? '' : `${lead(l, '=', '\\Rightarrow', '\\iff')} `.trimStart()}${lineTex(l)}$${why ? ` — ${why}` : ''}`)
    })
    if (p.assumes?.length) out.push('', `Assuming ${p.assumes.map((a) => `$${assumptionTex(a)}$`).join(', ')}.`)
    if (p.goal && p.status) out.push('', `Goal: $${toTex(p.goal)}$ — ${p.status}.`)
  })
  return `${out.join('\n')}\n`
}

// ---- LaTeX ------------------------------------------------------------------------------------

/** A line's TeX for align*: its lead, and its sides cut at top-level + and - so it can be broken. */
function alignLine(l: ShownLine, first: boolean, tag: string | undefined): AlignLine {
  const lead = first ? '' : leadTex(l)
  const t = tag !== undefined ? { tag } : {}
  if (l.equation) return { lead, lhs: texTerms(l.equation.lhs), terms: texTerms(l.equation.rhs), ...t }
  return { lead, terms: l.expr ? texTerms(l.expr) : [`\\text{${escapeText(l.source)}}`], ...t }
}
const leadTex = (l: ShownLine): string => lead(l, '=', '\\Rightarrow', '\\iff')

/**
 * A part in TeX: its title, align* environments (the rows tagged (1), (2), ... where a step has
 * a justification), the assumptions, then the justifications as numbered notes, which wrap like
 * any text and so never run off the page.
 */
function partTex(p: ShownPart): string {
  const notes: string[] = []
  const lines = p.lines.map((l, i) => {
    const note = [byText(l), l.verdict?.text].filter((t) => t).join('; ')
    if (note) notes.push(note)
    return alignLine(l, i === 0, note ? `(${notes.length})` : undefined)
  })
  const assumes = partAssumptions(p)
  const title = p.title !== undefined ? `\\paragraph*{${escapeText(p.title)}}\n` : ''
  const assuming = assumes.length ? `\\noindent Assuming ${assumes.map((a) => `$${assumptionTex(a)}$`).join(', ')}.\n` : ''
  const list = notes.length ? `\\begin{itemize}\\small\n${notes.map((n, i) => `  \\item[(${i + 1})] ${noteText(n)}\n`).join('')}\\end{itemize}\n` : ''
  return `${title}${alignEnvironment(lines)}${assuming}${list}`
}

/** LaTeX: an align* environment per part, or with `standalone` a complete document (amsmath, amssymb). */
export function toLatex(parts: readonly ShownPart[], standalone = false): string {
  const env = parts.map(partTex).join('\n')
  if (!standalone) return env
  return ['\\documentclass{article}', '\\usepackage{amsmath}', '\\usepackage{amssymb}', '\\begin{document}', env.trimEnd(), '\\end{document}', ''].join('\n')
}

// ---- HTML -------------------------------------------------------------------------------------

/** TeX (math mode) to HTML markup, e.g. KaTeX's; must not need the network. */
export type MathRenderer = (tex: string) => string

const html = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const STYLE = `body { font-family: Georgia, "Times New Roman", serif; color: #111; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.75rem; }
table.derivation { border-collapse: collapse; }
td { padding: 0.45rem 0; vertical-align: baseline; }
td.lhs { text-align: right; white-space: nowrap; }
td.rhs { text-align: left; white-space: nowrap; }
td.why { padding-left: 1.5rem; font-size: 0.85rem; color: #333; min-width: 10rem; max-width: 17rem; }
.rule { font-weight: bold; }
.idea { display: block; font-weight: normal; color: #555; font-style: italic; }
.ok { color: #060; }
.bad { color: #b00; }
p.assume, p.goal { margin: 0.75rem 0; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  td.why, .idea { color: #000; }
}
@page { margin: 2cm; }`

/** A step's justification in HTML: each rule's name and idea, then the verdict. */
function whyHtml(l: ShownLine): string {
  const by = l.by.map((j) => `<div class="rule">${html(j.text)}${j.idea ? `<span class="idea">${html(j.idea)}</span>` : ''}</div>`)
  const verdict = l.verdict?.text ? [`<div class="${l.verdict.holds ? 'ok' : 'bad'}">${html(l.verdict.text)}</div>`] : []
  return [...by, ...verdict].join('')
}

/**
 * HTML: a page for handing in (no script, no network: KaTeX's `css` with its fonts inlined). Per
 * part a table laid out like the TeX export's align* (aligned at `=`, long lines broken), in
 * display style, each step's rule name and idea beside it, then the assumptions and the goal.
 */
export function toHtml(parts: readonly ShownPart[], math: MathRenderer, css = ''): string {
  const display = (tex: string): string => math(`\\displaystyle ${tex}`)
  const sections = parts.map((p) => {
    const whys: string[] = []
    const lines = p.lines.map((l, i) => {
      const why = whyHtml(l)
      if (why) whys.push(why)
      return alignLine(l, i === 0, why ? String(whys.length - 1) : undefined)
    })
    const rows = alignRows(lines).map(
      (r) => `<tr><td class="lhs">${r.left ? display(r.left) : ''}</td><td class="rhs">${display(`{}${r.right}`)}</td><td class="why">${r.tag !== undefined ? whys[Number(r.tag)] : ''}</td></tr>`,
    )
    const title = p.title !== undefined ? `<h2>${html(p.title)}</h2>\n` : ''
    const assumes = partAssumptions(p)
    const assumed = assumes.length ? `\n<p class="assume">Assuming ${assumes.map((a) => math(assumptionTex(a))).join(', ')}.</p>` : ''
    const goal = p.goal && p.status ? `\n<p class="goal">Goal: ${math(toTex(p.goal))} — ${html(p.status)}.</p>` : ''
    return `<section>\n${title}<table class="derivation">\n${rows.join('\n')}\n</table>${assumed}${goal}\n</section>`
  })
  const first = parts[0]?.lines[0]
  const name = parts[0]?.title ?? (first?.expr ? print(first.expr) : (first?.source ?? ''))
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Derivation of ${html(name)}</title>
<style id="katex">${css}</style>
<style>
${STYLE}
</style>
</head>
<body>
${sections.join('\n')}
</body>
</html>
`
}
