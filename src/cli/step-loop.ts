// derive step: the interactive loop. Show the line and every fit, let the user pick one (or type the
// next line, undo, save, quit), preview it, apply it, and stop at the goal. Questions go through
// ctx.prompts, so tests script the answers; the derivation itself is the pure model of
// src/session/derivation.ts, saved atomically by src/session/store.ts.
import { existsSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import type { Expr } from '../core/expr.js'
import { ParseError, parseExpr, valueNames } from '../core/parse.js'
import { print } from '../core/print.js'
import { findFits, type Fit, fitAt } from '../core/rewrite.js'
import { UsageError } from '../errors.js'
import { clip, fitLines, showInContext } from '../render/fits.js'
import { renderWhy } from '../render/why.js'
import { apply, atGoal, current, type Derivation, startDerivation, type Step, undo, withGoal } from '../session/derivation.js'
import { loadDerivation, saveDerivation } from '../session/store.js'
import { typedSteps } from '../session/verify.js'
import { runWhy } from './commands/why.js'
import type { Context } from './context.js'
import { isPromptExit } from './prompts.js'

/** The options of `derive step` (see commands/step.ts). */
export interface StepOptions {
  goal?: string
  save?: string
  resume?: string
}

/** What the loop carries from one question to the next. */
interface Session {
  d: Derivation
  /** Where every change is saved (as the user named it); undefined until the user names a file. */
  file?: string
  /** Changed since the last save. */
  dirty: boolean
  /** Steps per action, newest last: undo takes back a typed line recorded as several steps at once. */
  readonly actions: number[]
  /** What the fit list shows: words typed after "/" (every word must occur), and the page. */
  filter: string
  page: number
}

type Action = 'type' | 'undo' | 'save' | 'quit'
type Choice = { kind: 'fit'; index: number } | { kind: Action } | { kind: 'page'; by: 1 | -1 } | { kind: 'filter'; text: string }

const WORDS: ReadonlyMap<string, Action> = new Map(Object.entries({ t: 'type', type: 'type', u: 'undo', undo: 'undo', s: 'save', save: 'save', q: 'quit', quit: 'quit' } as const))

/** An answer to the main question: a fit's number (1-based) or one of the letters; undefined if neither. */
export function parseChoice(answer: string, fits: number): Choice | undefined {
  const a = answer.trim().toLowerCase()
  const word = WORDS.get(a)
  if (word) return { kind: word }
  if (a === 'n' || a === 'p') return { kind: 'page', by: a === 'n' ? 1 : -1 }
  if (a.startsWith('/')) return { kind: 'filter', text: a.slice(1).trim() }
  const n = /^\d+$/.test(a) ? Number(a) : NaN
  return n >= 1 && n <= fits ? { kind: 'fit', index: n - 1 } : undefined
}

/** derive step: check the arguments, refuse without a terminal, then run the loop. */
export async function stepCommand(ctx: Context, exprText: string | undefined, o: StepOptions): Promise<number> {
  if (ctx.json) throw new UsageError('derive step is interactive and has no --json output; for one step as JSON use derive apply EXPR RULE --json')
  if (exprText !== undefined && o.resume !== undefined) throw new UsageError('give either an expression or --resume FILE, not both')
  if (exprText === undefined && o.resume === undefined) throw new UsageError('derive step needs an expression to start from, or --resume FILE to continue a saved derivation')
  const lib = ctx.library()
  const path = (f: string): string => resolve(ctx.io.cwd, f)
  const goal = o.goal !== undefined ? ctx.parse(o.goal, '--goal', exprText !== undefined ? [exprText] : []) : undefined
  let d = o.resume !== undefined ? loadDerivation(o.resume, { cwd: ctx.io.cwd, matrices: lib.matrices }) : startDerivation(ctx.parse(exprText!, 'expression', o.goal !== undefined ? [o.goal] : []))
  if (goal) d = withGoal(d, goal)
  const file = o.save ?? o.resume
  if (o.save !== undefined && path(o.save) !== (o.resume && path(o.resume)) && existsSync(path(o.save))) {
    throw new UsageError(`${o.save} already exists; continue it with --resume ${o.save}, or save to another file`)
  }
  if (!ctx.interactive) {
    throw new UsageError('derive step asks questions, so it needs a terminal; in a script use derive apply EXPR RULE for one step, or derive check FILE for a whole derivation')
  }
  // a resumed derivation with a new goal, or copied to another file, is written out at once
  const dirty = o.resume !== undefined && (goal !== undefined || o.save !== undefined)
  return loop(ctx, { d, dirty, actions: [], filter: '', page: 0, ...(file ? { file } : {}) })
}

async function loop(ctx: Context, s: Session): Promise<number> {
  const lib = ctx.library()
  intro(ctx, s)
  try {
    if (s.file && s.dirty) await save(ctx, s)
    for (;;) {
      // what the symbols are, read from the whole derivation (x' on the first line keeps x a vector)
      const shapes = ctx.shapes(linesOf(s.d))
      if (atGoal(s.d, shapes)) return await finish(ctx, s)
      const cur = current(s.d)
      const fits = findFits(cur, lib.rules, { matrices: shapes })
      const pages = screen(ctx, s, fits)
      const choice = await ask(ctx, fits.length, pages)
      if (choice.kind === 'page') s.page = Math.min(Math.max(0, s.page + choice.by), pages - 1)
      else if (choice.kind === 'filter') [s.filter, s.page] = [choice.text, 0]
      else if (choice.kind === 'fit') await pick(ctx, s, cur, fits[choice.index]!)
      else if (choice.kind === 'quit') return await quit(ctx, s)
      else if (choice.kind === 'save') await save(ctx, s, true)
      else if (choice.kind === 'undo') await takeBack(ctx, s)
      else await typeLine(ctx, s, cur)
    }
  } catch (e) {
    if (!isPromptExit(e)) throw e
    await recover(ctx, s)
    return 130
  }
}

/**
 * Ctrl+C: steps not yet saved are written to a recovery file beside the work (never over a file),
 * with the command that continues them; exit status 130 as for any interrupted program.
 */
async function recover(ctx: Context, s: Session): Promise<void> {
  if (!s.dirty || s.d.steps.length === 0) {
    ctx.io.stderr('\nderive: stopped\n')
    return
  }
  const stem = s.file ? basename(s.file).replace(/\.json$/, '') : 'derivation'
  let file = `${stem}.recovered.json`
  for (let k = 2; existsSync(resolve(ctx.io.cwd, file)); k++) file = `${stem}.recovered-${k}.json`
  try {
    await saveDerivation(file, s.d, ctx.io.cwd)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    ctx.io.stderr(`\nderive: stopped; the last changes could not be kept (${e.message})\n`)
    return
  }
  const n = s.d.steps.length
  ctx.io.stderr(`\nderive: stopped; ${n} step${n === 1 ? '' : 's'} kept in ${file}; continue with: derive step --resume ${file}\n`)
}

/** Words of the filter that a fit's rule, subterm or result must all contain. */
const passes = (f: Fit, filter: string): boolean => {
  const text = `${f.rule.id} ${f.rule.name} ${print(f.subterm)} ${print(f.result)}`.toLowerCase()
  return filter.split(/\s+/).every((w) => text.includes(w))
}

/**
 * Print what fits on one screen: the derivation so far (its last lines), the current line, and one
 * page of the fit list (one line per fit). Returns the number of pages.
 */
function screen(ctx: Context, s: Session, fits: readonly Fit[]): number {
  const st = ctx.style
  const rows = Number(ctx.io.env.LINES) || ctx.io.rows || 24
  const width = Math.max(40, (Number(ctx.io.env.COLUMNS) || ctx.io.columns || 80) - 1)
  const top: string[] = ['']
  const steps = s.d.steps
  if (steps.length) {
    const recent = steps.slice(-3)
    top.push(st.dim(clip(`start: ${print(s.d.start)}`, width)))
    if (steps.length > recent.length) top.push(st.dim(`  ... ${steps.length - recent.length} earlier step${steps.length - recent.length === 1 ? '' : 's'}`))
    for (const x of recent) top.push(st.dim(clip(`  = [${x.rule}] ${print(x.to)}`, width)))
  }
  // (on the first line the introduction above has just said the goal)
  if (s.d.goal && steps.length) top.push(st.dim(clip(`goal: ${print(s.d.goal)}`, width)))
  const shown = fits.flatMap((f, i) => (s.filter === '' || passes(f, s.filter.toLowerCase()) ? [i] : []))
  // pages of whole fits, each with the place it acts on; the rest of the screen is for the
  // header above, the question and its answer below
  const room = Math.max(4, rows - top.length - 4)
  const pages: number[][] = [[]]
  let used = 0
  for (const i of shown) {
    const page = pages[pages.length - 1]!
    const needs = 1 + (page.length === 0 || fitAt(fits[page[page.length - 1]!]!) !== fitAt(fits[i]!) ? 1 : 0)
    if (used + needs > room && page.length > 0) {
      pages.push([i])
      used = 2
    } else {
      page.push(i)
      used += needs
    }
  }
  s.page = Math.min(s.page, pages.length - 1)
  const count = `${fits.length} ${fits.length === 1 ? 'fit' : 'fits'}`
  const filtered = s.filter ? `, ${shown.length} with "${s.filter}"` : ''
  const paged = pages.length > 1 ? `, page ${s.page + 1}/${pages.length}` : ''
  const label = `[line ${steps.length + 1}]`
  const tail = `— ${count}${filtered}${paged}`
  top.push(`${st.dim(label)} ${clip(print(current(s.d)), width - label.length - tail.length - 3)}  ${st.dim(tail)}`)
  const list = fitLines(fits, pages[s.page]!, st, width)
  if (s.filter && shown.length === 0) list.push(st.dim(`no fit with "${s.filter}": / alone shows them all`))
  ctx.out([...top, ...list].join('\n'))
  return pages.length
}

/** Every line of the derivation so far, and its goal. */
const linesOf = (d: Session['d']): Expr[] => [d.start, ...d.steps.map((x) => x.to), ...(d.goal ? [d.goal] : [])]

function intro(ctx: Context, s: Session): void {
  const lines = [`start: ${print(s.d.start)}`]
  if (s.d.steps.length) lines.push(`${s.d.steps.length} step${s.d.steps.length === 1 ? '' : 's'} so far, now at: ${print(current(s.d))}`)
  if (s.d.goal) lines.push(`goal:  ${print(s.d.goal)}`)
  if (s.file) lines.push(ctx.style.dim(`saving to ${s.file} after every step (the previous version kept as .bak)`))
  ctx.out(lines.join('\n'))
}

async function ask(ctx: Context, fits: number, pages: number): Promise<Choice> {
  const range = fits === 0 ? 'No rule fits:' : fits === 1 ? 'Choose a fit (1),' : `Choose a fit (1-${fits}),`
  const more = pages > 1 ? ' n/p next/previous page, /words filter,' : ''
  const answer = await ctx.prompts.input({
    message: `${range}${more} t type the next line, u undo, s save, q quit`,
    validate: (a) => (parseChoice(a, fits) ? true : fits ? `type a number from 1 to ${fits}, /words to filter, n or p to page, or t, u, s or q` : 'type t, u, s or q'),
  })
  // a scripted or non-validating prompt may still hand back anything: ask again
  return parseChoice(answer, fits) ?? ask(ctx, fits, pages)
}

/** The step a fit makes from the current line (the record of SPEC §5). */
const stepOf = (fit: Fit, from: Expr): Step => ({
  rule: fit.rule.id,
  direction: fit.direction,
  at: fitAt(fit),
  from,
  to: fit.result,
  assumes: [...fit.assumes],
})

/** Preview a fit (the subterm in its place, the result, the assumptions); apply it when confirmed. */
async function pick(ctx: Context, s: Session, cur: Expr, fit: Fit): Promise<void> {
  const st = ctx.style
  const reverse = fit.direction === 'reverse' ? ' (reverse)' : ''
  const lines = [`${st.rule(fit.rule.name)}${reverse} ${st.id(`[${fit.rule.id}]`)} at ${fitAt(fit)}`, `  ${showInContext(cur, fit, st)}`, `  ${st.result(`→ ${print(fit.result)}`)}`]
  if (fit.assumes.length) lines.push(`  ${st.dim(`assumes ${fit.assumes.join(', ')}`)}`)
  if (fit.rule.spec.unverified) lines.push(st.warn('  ⚠ this rule was saved unverified (the numeric check did not verify it)'))
  ctx.out(lines.join('\n'))
  if (!(await ctx.prompts.confirm({ message: 'Apply this step?', default: true }))) return
  await record(ctx, s, [stepOf(fit, cur)])
}

/** Add steps as one action: save them at once when saving to a file. */
async function record(ctx: Context, s: Session, steps: Step[]): Promise<void> {
  s.d = apply(s.d, ...steps)
  s.actions.push(steps.length)
  s.dirty = true
  ;[s.filter, s.page] = ['', 0]
  ctx.out(ctx.style.result(`= ${print(current(s.d))}`))
  if (s.file) await save(ctx, s)
}

async function takeBack(ctx: Context, s: Session): Promise<void> {
  if (s.d.steps.length === 0) {
    ctx.out('Nothing to undo: this is the start.')
    return
  }
  s.d = undo(s.d, s.actions.pop() ?? 1)
  s.dirty = true
  ;[s.filter, s.page] = ['', 0]
  ctx.out(`Undone; back at line ${s.d.steps.length + 1}: ${print(current(s.d))}`)
  if (s.file) await save(ctx, s)
}

/** The next line typed by hand: accepted only if `why` finds it equal to the current one. */
async function typeLine(ctx: Context, s: Session, cur: Expr): Promise<void> {
  const values = valueNames([print(cur)])
  const text = await ctx.prompts.input({
    message: 'Next line (empty to go back)',
    validate: (t) => {
      if (t.trim() === '') return true
      try {
        parseExpr(t, { values })
        return true
      } catch (e) {
        if (e instanceof ParseError) return `${e.reason} at position ${e.position}`
        throw e
      }
    },
  })
  if (text.trim() === '') return
  const next = ctx.parse(text, 'the next line', [print(cur)])
  let shapes
  try {
    shapes = ctx.shapes([...linesOf(s.d), next])
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    ctx.out(ctx.style.bad(`Not accepted: ${e.message}; the line stays ${print(cur)}`))
    return
  }
  const verdict = await runWhy(ctx, cur, next, 3, { shapes })
  // without advice about --depth: the stepper has no such flag
  ctx.out(renderWhy(cur, next, verdict, ctx.style, 3, false).trimEnd())
  const steps = typedSteps(cur, next, verdict)
  if (!steps) {
    ctx.out(ctx.style.bad(`Not accepted: the line stays ${print(cur)}`))
    return
  }
  await record(ctx, s, steps)
}

/** The file to save to: the session's, or one the user names now (undefined if they decline to replace one). */
async function saveTarget(ctx: Context, s: Session): Promise<string | undefined> {
  if (s.file) return s.file
  const file = (await ctx.prompts.input({ message: 'Save to file', default: 'derivation.json', validate: (f) => (f.trim() ? true : 'type a file name') })).trim()
  const taken = existsSync(resolve(ctx.io.cwd, file))
  if (taken && !(await ctx.prompts.confirm({ message: `${file} exists. Replace it (the old one is kept as .bak)?`, default: false }))) return undefined
  return file
}

/**
 * Save to the session's file, asking for one first if there is none yet. A failed write is
 * reported and the session goes on (still unsaved), so no step is lost to a full disk.
 */
async function save(ctx: Context, s: Session, announce = false): Promise<void> {
  const file = await saveTarget(ctx, s)
  if (!file) return
  try {
    await saveDerivation(file, s.d, ctx.io.cwd)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    ctx.io.stderr(`derive: not saved: ${e.message}\n`)
    return
  }
  if (announce || file !== s.file) ctx.out(ctx.style.dim(`Saved ${s.d.steps.length} step${s.d.steps.length === 1 ? '' : 's'} to ${file}`))
  s.file = file
  s.dirty = false
}

/** Offer to save unsaved steps (only when no file was given: with one, every step is saved). */
async function offerSave(ctx: Context, s: Session): Promise<void> {
  if (s.dirty && s.d.steps.length > 0 && (await ctx.prompts.confirm({ message: 'Save this derivation?', default: true }))) await save(ctx, s)
}

async function finish(ctx: Context, s: Session): Promise<number> {
  const n = s.d.steps.length
  ctx.out(ctx.style.good(n ? `\nGoal reached in ${n} step${n === 1 ? '' : 's'}: ${print(current(s.d))}` : `\nThe start already is the goal: ${print(s.d.start)}`))
  await offerSave(ctx, s)
  return 0
}

async function quit(ctx: Context, s: Session): Promise<number> {
  await offerSave(ctx, s)
  return 0
}
