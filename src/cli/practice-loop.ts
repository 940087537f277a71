// derive practice: the drill. Each round shows an expression, asks which rule applies (the card's
// rule among rules that do not fit), shows the answer, grades the card with FSRS and saves at
// once, so quitting or Ctrl+C never loses a review. Questions go through ctx.prompts (tests script
// them); scheduling and card choice are the pure src/session/practice.ts.
import type { SearchOptions } from '../core/rewrite.js'
import type { Rule } from '../core/rule.js'
import { UsageError } from '../errors.js'
import type { Library } from '../library/library.js'
import { isYours, keepRule } from '../library/query.js'
import { renderAnswer, renderQuestion, renderStats, whenDue } from '../render/practice.js'
import { practiceStats } from '../session/practice-stats.js'
import {
  type Answer,
  cardFor,
  type JustifiedStep,
  seededOrder,
  stepCard,
  choicesFor,
  daySeed,
  distractors,
  type Due,
  type Feeling,
  nextDue,
  plan,
  type PracticeCard,
  type PracticeState,
  review,
} from '../session/practice.js'
import { loadPractice, practicePath, savePractice } from '../session/practice-store.js'
import type { Context } from './context.js'
import { isPromptExit } from './prompts.js'

/** The options of `derive practice` (see commands/practice.ts). */
export interface PracticeOptions {
  tag?: string
  pack?: string
  new?: string
  stats?: boolean
  /** Make the cards from the steps of these derivations (saved, text or .tex), checked first. */
  from?: string[]
}

/** The clock: DERIVE_NOW (an ISO date) fixes it, for tests and reproducible demos; else the system's. */
export function clockOf(env: Readonly<Record<string, string | undefined>>): () => Date {
  const fixed = env.DERIVE_NOW
  if (fixed === undefined || fixed === '') return () => new Date()
  const t = Date.parse(fixed)
  if (Number.isNaN(t)) throw new UsageError(`DERIVE_NOW="${fixed}" is not a date; write it as 2025-03-01T09:00:00Z`)
  return () => new Date(t)
}

function newLimit(text: string | undefined): number {
  if (text === undefined) return 10
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--new takes a whole number of new cards (0 or more), not "${text}"`)
  return Number(text)
}

/** The rules to drill: those passing --tag/--pack, your own first (they are what you chose to learn). */
function chosenRules(lib: Library, o: PracticeOptions): Rule[] {
  const kept = lib.rules.filter((r) => keepRule(r, { ...(o.tag !== undefined ? { tag: o.tag } : {}), ...(o.pack !== undefined ? { pack: o.pack } : {}) }))
  if (kept.length === 0 && (o.tag !== undefined || o.pack !== undefined)) {
    const what = [o.tag !== undefined ? `the tag "${o.tag}"` : '', o.pack !== undefined ? `the pack "${o.pack}"` : ''].filter(Boolean).join(' and ')
    throw new UsageError(`no rule has ${what}; see derive rules list for the tags and packs there are`)
  }
  return [...kept.filter((r) => isYours(lib, r)), ...kept.filter((r) => !isYours(lib, r))]
}

/** The card of every rule that has an expression it fits, by rule id, in the rules' order. */
function cardsOf(rules: readonly Rule[], o: SearchOptions, now: Date): Map<string, PracticeCard> {
  const out = new Map<string, PracticeCard>()
  for (const r of rules) {
    const card = cardFor(r, o, daySeed(r.id, now))
    if (card) out.set(r.id, card)
  }
  return out
}

/** derive practice: the due list as JSON, or (on a terminal) a session over it. */
export async function practiceCommand(ctx: Context, o: PracticeOptions): Promise<number> {
  const limit = newLimit(o.new)
  const clock = clockOf(ctx.io.env)
  if (o.stats) return stats(ctx, o, clock())
  if (!ctx.json && !ctx.interactive) {
    throw new UsageError('derive practice asks questions, so it needs a terminal; in a script use derive practice --json for the list of due cards')
  }
  const lib = ctx.library()
  const file = practicePath(ctx.libraryPath)
  const state = loadPractice(file)
  const now = clock()
  const search: SearchOptions = { matrices: lib.matrices }
  const cards = o.from ? await stepCards(ctx, o.from, chosenRules(lib, o), search, now) : cardsOf(chosenRules(lib, o), search, now)
  if (o.from && cards.size === 0) {
    throw new UsageError(`no step of ${o.from.join(', ')} is justified by one rule of your library${o.tag !== undefined || o.pack !== undefined ? ' (with that --tag/--pack)' : ''}; derive check shows what each step was found to use`)
  }
  const queue = plan(state, [...cards.keys()], now, limit)
  if (ctx.json) {
    ctx.outJson(queue.map((d) => ({ rule: d.rule, due: d.due.toISOString(), state: d.state })))
    return 0
  }
  return drill(ctx, { file, state, clock, cards, queue, rules: lib.rules, search })
}

/**
 * The cards of your own steps: each file is checked as derive check does, and a step that one rule
 * (among `rules`) justifies becomes a card of that rule, "which rule justifies this step?". A rule
 * used in several steps gets one card a day, its step chosen by the day's seed.
 */
async function stepCards(ctx: Context, files: readonly string[], rules: readonly Rule[], o: SearchOptions, now: Date): Promise<Map<string, PracticeCard>> {
  const [{ checkFile }, { parseDepth }] = await Promise.all([import('./commands/check.js'), import('./commands/why.js')])
  const chosen = new Set(rules.map((r) => r.id))
  const byRule = new Map<string, JustifiedStep[]>()
  for (const file of files) {
    for (const { part, reports } of await checkFile(ctx, file, parseDepth(undefined))) {
      const lines = new Map(part.lines.map((l) => [l.line, l]))
      for (const r of reports) {
        if (r.result.verdict !== 'explained') continue
        const used = r.result.steps.filter((x) => x.kind === 'rule')
        const rule = used[0]?.rule
        const to = lines.get(r.line)?.expr
        const from = part.lines.filter((l) => l.line < r.line && l.problem === undefined).at(-1)
        const start = r.from !== undefined ? lines.get(r.from)?.expr : from?.expr
        if (used.length !== 1 || !rule || !chosen.has(rule.id) || !to || !start) continue
        const step = { rule, from: start, to, ruleFrom: used[0]!.from, ruleTo: used[0]!.to, source: `${file} line ${r.line}` }
        byRule.set(rule.id, [...(byRule.get(rule.id) ?? []), step])
      }
    }
  }
  const out = new Map<string, PracticeCard>()
  for (const r of rules) {
    const steps = byRule.get(r.id)
    if (!steps) continue
    for (const st of seededOrder(steps, (x) => x.source, daySeed(r.id, now))) {
      const card = stepCard(st, o)
      if (card) {
        out.set(r.id, card)
        break
      }
    }
  }
  return out
}

/** derive practice --stats: progress, from the practice file, for the rules --tag/--pack choose. */
function stats(ctx: Context, o: PracticeOptions, now: Date): number {
  const lib = ctx.library()
  const state = loadPractice(practicePath(ctx.libraryPath))
  const st = practiceStats(state, chosenRules(lib, o).map((r) => r.id), now)
  const names = new Map(lib.rules.map((r) => [r.id, r.name]))
  if (ctx.json) ctx.outJson({ ...st, missed: st.missed.map((m) => ({ ...m, name: names.get(m.rule) ?? null })) })
  else ctx.out(renderStats(st, (id) => names.get(id), ctx.style))
  return 0
}

/** What a session carries from one card to the next. */
interface Session {
  readonly file: string
  state: PracticeState
  readonly clock: () => Date
  readonly cards: ReadonlyMap<string, PracticeCard>
  readonly queue: readonly Due[]
  /** Every rule of the library: distractors come from all of them. */
  readonly rules: readonly Rule[]
  readonly search: SearchOptions
}

async function drill(ctx: Context, s: Session): Promise<number> {
  if (s.queue.length === 0) {
    ctx.out(`Nothing to practise now. ${nextLine(s)}`)
    return 0
  }
  const newCards = s.queue.filter((d) => d.state === 'new').length
  ctx.out(`${s.queue.length} card${plural(s.queue.length)} to practise (${newCards} new). Answers are saved as you go; q quits.`)
  ctx.out(ctx.style.dim(`progress: ${s.file}`))
  let right = 0
  let done = 0
  try {
    for (const [i, d] of s.queue.entries()) {
      const outcome = await round(ctx, s, s.cards.get(d.rule)!, i + 1)
      if (outcome === 'quit') break
      if (outcome.answer === 'right') right++
      await grade(ctx, s, d.rule, outcome)
      done++
    }
  } catch (e) {
    if (!isPromptExit(e)) throw e
    ctx.io.stderr(`\nderive: stopped; the ${done} card${plural(done)} answered so far are saved\n`)
    return 0
  }
  ctx.out(`\nPractised ${done} card${plural(done)}, ${right} right. ${nextLine(s)}`)
  return 0
}

const plural = (n: number): string => (n === 1 ? '' : 's')

/** When the next card of this session's rules is due. */
function nextLine(s: Session): string {
  const next = nextDue(s.state, [...s.cards.keys()])
  const now = s.clock()
  return next ? `The next card is due ${whenDue(next, now)} (${next.toISOString().slice(0, 10)}).` : `${s.cards.size} rules have cards; none practised yet.`
}

type Outcome = 'quit' | { answer: Answer; feeling: Feeling }

/** One card: the question, the answer, and how it felt. */
async function round(ctx: Context, s: Session, card: PracticeCard, n: number): Promise<Outcome> {
  const seed = daySeed(card.rule.id, s.clock())
  const choices = choicesFor(card, distractors(card, s.rules, s.search, seed), seed)
  ctx.out(`\n${renderQuestion(card, choices, n, s.queue.length, ctx.style)}`)
  const answer = await ask(ctx, choices.length, card.step !== undefined)
  if (answer === 'quit') return 'quit'
  const picked = answer === 'show' ? undefined : choices[answer]
  ctx.out(renderAnswer(card, picked, ctx.style))
  if (picked !== card.rule) {
    // a miss or a peek is "again" whatever it felt like: the card must come back soon
    ctx.out(ctx.style.dim('Counted as "again".'))
    return { answer: picked === undefined ? 'shown' : 'wrong', feeling: 'again' }
  }
  const feeling = await askFeeling(ctx)
  return feeling === 'quit' ? 'quit' : { answer: 'right', feeling }
}

/** A choice's index (0-based), 'show' or 'quit'; undefined if the answer is none of these. */
export function parseAnswer(text: string, choices: number): number | 'show' | 'quit' | undefined {
  const a = text.trim().toLowerCase()
  if (a === 's' || a === 'show') return 'show'
  if (a === 'q' || a === 'quit') return 'quit'
  const k = /^\d+$/.test(a) ? Number(a) : NaN
  return k >= 1 && k <= choices ? k - 1 : undefined
}

async function ask(ctx: Context, choices: number, step: boolean): Promise<number | 'show' | 'quit'> {
  const answer = await ctx.prompts.input({
    message: `${step ? 'Which rule justifies this step?' : 'Which rule applies?'} 1-${choices}, s show me, q quit`,
    validate: (a) => (parseAnswer(a, choices) !== undefined ? true : `type a number from 1 to ${choices}, s or q`),
  })
  // a scripted or non-validating prompt may hand back anything: ask again
  return parseAnswer(answer, choices) ?? ask(ctx, choices, step)
}

const FEELINGS: ReadonlyMap<string, Feeling | 'quit'> = new Map(Object.entries({ h: 'hard', hard: 'hard', g: 'good', good: 'good', e: 'easy', easy: 'easy', q: 'quit', quit: 'quit' }))

async function askFeeling(ctx: Context): Promise<Feeling | 'quit'> {
  const answer = await ctx.prompts.input({
    message: 'How did it feel? h hard, g good, e easy, q quit',
    default: 'g',
    validate: (a) => (FEELINGS.get(a.trim().toLowerCase()) ? true : 'type h, g, e or q'),
  })
  return FEELINGS.get(answer.trim().toLowerCase()) ?? askFeeling(ctx)
}

/** Schedule the card, save at once, and say when it comes back. */
async function grade(ctx: Context, s: Session, rule: string, o: { answer: Answer; feeling: Feeling }): Promise<void> {
  const now = s.clock()
  s.state = review(s.state, rule, o.feeling, now, o.answer)
  await savePractice(s.file, s.state)
  const due = s.state.cards.get(rule)!.due
  ctx.out(ctx.style.dim(`Next time: ${whenDue(due, now)}.`))
}
