// derive step: the interactive loop. Show the line and every fit, let the user pick one (or type the
// next line, undo, save, quit), preview it, apply it, and stop at the goal. Questions go through
// ctx.prompts, so tests script the answers; the derivation itself is the pure model of
// src/session/derivation.ts, saved atomically by src/session/store.ts.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Expr } from '../core/expr.js'
import { ParseError, parseExpr } from '../core/parse.js'
import { print } from '../core/print.js'
import { findFits, type Fit, fitAt } from '../core/rewrite.js'
import { UsageError } from '../errors.js'
import { renderFits, showInContext } from '../render/fits.js'
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
}

type Action = 'type' | 'undo' | 'save' | 'quit'
type Choice = { kind: 'fit'; index: number } | { kind: Action }

const WORDS: ReadonlyMap<string, Action> = new Map(Object.entries({ t: 'type', type: 'type', u: 'undo', undo: 'undo', s: 'save', save: 'save', q: 'quit', quit: 'quit' } as const))

/** An answer to the main question: a fit's number (1-based) or one of the letters; undefined if neither. */
export function parseChoice(answer: string, fits: number): Choice | undefined {
  const a = answer.trim().toLowerCase()
  const word = WORDS.get(a)
  if (word) return { kind: word }
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
  const goal = o.goal !== undefined ? ctx.parse(o.goal, '--goal') : undefined
  let d = o.resume !== undefined ? loadDerivation(o.resume, { cwd: ctx.io.cwd, matrices: lib.matrices }) : startDerivation(ctx.parse(exprText!))
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
  return loop(ctx, { d, dirty, actions: [], ...(file ? { file } : {}) })
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
      ctx.out(`\n${ctx.style.dim(`[line ${s.d.steps.length + 1}]`)} ${renderFits(cur, fits, ctx.style).trimEnd()}`)
      if (s.d.goal) ctx.out(ctx.style.dim(`goal: ${print(s.d.goal)}`))
      const choice = await ask(ctx, fits.length)
      if (choice.kind === 'fit') await pick(ctx, s, cur, fits[choice.index]!)
      else if (choice.kind === 'quit') return await quit(ctx, s)
      else if (choice.kind === 'save') await save(ctx, s, true)
      else if (choice.kind === 'undo') await takeBack(ctx, s)
      else await typeLine(ctx, s, cur)
    }
  } catch (e) {
    if (!isPromptExit(e)) throw e
    ctx.io.stderr(`\nderive: stopped${s.dirty ? '; the last changes were not saved' : ''}\n`)
    return s.dirty ? 1 : 0
  }
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

async function ask(ctx: Context, fits: number): Promise<Choice> {
  const range = fits === 0 ? 'No rule fits:' : fits === 1 ? 'Choose a fit (1),' : `Choose a fit (1-${fits}),`
  const answer = await ctx.prompts.input({
    message: `${range} t type the next line, u undo, s save, q quit`,
    validate: (a) => (parseChoice(a, fits) ? true : fits ? `type a number from 1 to ${fits}, or t, u, s or q` : 'type t, u, s or q'),
  })
  // a scripted or non-validating prompt may still hand back anything: ask again
  return parseChoice(answer, fits) ?? ask(ctx, fits)
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
  ctx.out(`Undone; back at line ${s.d.steps.length + 1}: ${print(current(s.d))}`)
  if (s.file) await save(ctx, s)
}

/** The next line typed by hand: accepted only if `why` finds it equal to the current one. */
async function typeLine(ctx: Context, s: Session, cur: Expr): Promise<void> {
  const text = await ctx.prompts.input({
    message: 'Next line (empty to go back)',
    validate: (t) => {
      if (t.trim() === '') return true
      try {
        parseExpr(t)
        return true
      } catch (e) {
        if (e instanceof ParseError) return `${e.reason} at position ${e.position}`
        throw e
      }
    },
  })
  if (text.trim() === '') return
  const next = ctx.parse(text, 'the next line')
  let shapes
  try {
    shapes = ctx.shapes([...linesOf(s.d), next])
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    ctx.out(ctx.style.bad(`Not accepted: ${e.message}; the line stays ${print(cur)}`))
    return
  }
  const verdict = await runWhy(ctx, cur, next, 3, { shapes })
  ctx.out(renderWhy(cur, next, verdict, ctx.style, 3).trimEnd())
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
