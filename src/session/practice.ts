// derive practice, the pure part: the FSRS schedule of each rule (state in, state out, the clock
// passed in), which cards a session drills, and what a card shows: an expression the rule fits and
// rules that do not fit it as distractors. No I/O; the loop is src/cli/practice-loop.ts.
import { type Card, createEmptyCard, fsrs, generatorParameters, type Grade, Rating, State } from 'ts-fsrs'
import * as z from 'zod/mini'
import { type Expr, isMatrixName, num, sym, walk } from '../core/expr.js'
import { hashString } from '../core/hash.js'
import { substitute } from '../core/match.js'
import { ParseError, parseExpr } from '../core/parse.js'
import { print } from '../core/print.js'
import { findFits, type Fit, type SearchOptions } from '../core/rewrite.js'
import { type Rule, wildcardsOf } from '../core/rule.js'
import { withVectors } from '../core/shape.js'
import { ID_PATTERN } from '../library/schema.js'

export const PRACTICE_FORMAT = 'derive-practice/2'
/** The first format (cards only, no history): still read, and written back as the current one. */
const PRACTICE_FORMAT_1 = 'derive-practice/1'

/** How an answer went: the right rule picked, another rule picked, or the answer asked for. */
export type Answer = 'right' | 'wrong' | 'shown'

/** One answered card, kept for the statistics (derive practice --stats). */
export interface Review {
  readonly rule: string
  readonly at: Date
  readonly answer: Answer
  readonly feeling: Feeling
}

/**
 * Every rule's FSRS card, by rule id, and the reviews of the last LOG_DAYS days, oldest first.
 * Ids of rules no longer in the library are kept (they may come back).
 */
export interface PracticeState {
  readonly cards: ReadonlyMap<string, Card>
  readonly log: readonly Review[]
}

export const emptyPractice = (): PracticeState => ({ cards: new Map(), log: [] })

/** How long reviews are kept for the statistics: a year and a bit (a review is about 90 bytes). */
export const LOG_DAYS = 400

// ---- the schedule ------------------------------------------------------------------------------

// Whole days, not minutes: a student practises once a day, so FSRS's short-term (minutes) learning
// steps are off; and no fuzz, so the same answers always give the same schedule.
const SCHEDULER = fsrs(generatorParameters({ enable_fuzz: false, enable_short_term: false }))

/** A card counts as due this far ahead of its time, so practising earlier in the day than yesterday still brings it. */
export const LEARN_AHEAD_MS = 6 * 60 * 60 * 1000

export type Feeling = 'again' | 'hard' | 'good' | 'easy'
const RATING: Readonly<Record<Feeling, Grade>> = { again: Rating.Again, hard: Rating.Hard, good: Rating.Good, easy: Rating.Easy }

/** The rule's card in the state, or a new card created now. */
export const cardOf = (s: PracticeState, rule: string, now: Date): Card => s.cards.get(rule) ?? createEmptyCard(now)

/**
 * The state after reviewing the rule's card at `now` with this feeling (the input is not changed);
 * the review joins the log, and reviews older than LOG_DAYS fall out of it.
 */
export function review(s: PracticeState, rule: string, feeling: Feeling, now: Date, answer: Answer = feeling === 'again' ? 'wrong' : 'right'): PracticeState {
  const next = SCHEDULER.next(cardOf(s, rule, now), now, RATING[feeling]).card
  const since = now.getTime() - LOG_DAYS * 86_400_000
  const log = [...s.log.filter((r) => r.at.getTime() >= since), { rule, at: now, answer, feeling }]
  return { cards: new Map(s.cards).set(rule, next), log }
}

export type StateName = 'new' | 'learning' | 'review' | 'relearning'
const STATE_NAMES: Readonly<Record<State, StateName>> = {
  [State.New]: 'new',
  [State.Learning]: 'learning',
  [State.Review]: 'review',
  [State.Relearning]: 'relearning',
}

/** One card a session drills (the `--json` due list entry, with the date as a Date). */
export interface Due {
  readonly rule: string
  readonly due: Date
  readonly state: StateName
}

/**
 * What a session at `now` drills, in order: the cards that are due (earliest first), then at most
 * `newLimit` rules never practised, in the order given (`rules` lists the practicable rule ids).
 */
export function plan(s: PracticeState, rules: readonly string[], now: Date, newLimit: number): Due[] {
  const order = new Map(rules.map((r, i) => [r, i]))
  const due: Due[] = []
  const fresh: Due[] = []
  for (const rule of rules) {
    const card = s.cards.get(rule)
    if (!card || card.state === State.New) fresh.push({ rule, due: now, state: 'new' })
    else if (card.due.getTime() <= now.getTime() + LEARN_AHEAD_MS) due.push({ rule, due: card.due, state: STATE_NAMES[card.state] })
  }
  due.sort((a, b) => a.due.getTime() - b.due.getTime() || order.get(a.rule)! - order.get(b.rule)!)
  return [...due, ...fresh.slice(0, newLimit)]
}

/** When the earliest of these rules' practised cards is due next (undefined if none was practised). */
export function nextDue(s: PracticeState, rules: readonly string[]): Date | undefined {
  const times = rules.flatMap((r) => {
    const c = s.cards.get(r)
    return c && c.state !== State.New ? [c.due.getTime()] : []
  })
  return times.length ? new Date(Math.min(...times)) : undefined
}

// ---- the file ----------------------------------------------------------------------------------

// zod/mini, as in library/schema.ts: full zod would add 400 KB to every command's start
const iso = z.iso.datetime({ offset: true })
const nonnegative = z.number().check(z.gte(0))
const count = z.int().check(z.gte(0))
const CardJson = z.object({
  due: iso,
  stability: nonnegative,
  difficulty: nonnegative,
  // deprecated by ts-fsrs (gone in its 6.0): read if present, never required
  elapsed_days: z.optional(nonnegative),
  scheduled_days: nonnegative,
  learning_steps: count,
  reps: count,
  lapses: count,
  state: z.union([z.literal(State.New), z.literal(State.Learning), z.literal(State.Review), z.literal(State.Relearning)]),
  last_review: z.optional(iso),
})
const RuleId = z.string().check(z.regex(ID_PATTERN, { error: 'a rule id ([a-z0-9-]+)' }))
const ReviewJson = z.object({
  rule: RuleId,
  at: iso,
  answer: z.union([z.literal('right'), z.literal('wrong'), z.literal('shown')]),
  feeling: z.union([z.literal('again'), z.literal('hard'), z.literal('good'), z.literal('easy')]),
})
const PracticeJson = z.object({
  format: z.union([z.literal(PRACTICE_FORMAT), z.literal(PRACTICE_FORMAT_1)]),
  cards: z.record(RuleId, CardJson),
  log: z.optional(z.array(ReviewJson)),
})
type CardFile = z.infer<typeof CardJson>

const cardToJson = (c: Card): CardFile => ({
  due: c.due.toISOString(),
  stability: c.stability,
  difficulty: c.difficulty,
  elapsed_days: c.elapsed_days,
  scheduled_days: c.scheduled_days,
  learning_steps: c.learning_steps,
  reps: c.reps,
  lapses: c.lapses,
  state: c.state,
  ...(c.last_review ? { last_review: c.last_review.toISOString() } : {}),
})

function cardFromJson(c: CardFile): Card {
  const { last_review, ...rest } = c
  return { ...rest, elapsed_days: c.elapsed_days ?? 0, due: new Date(c.due), ...(last_review !== undefined ? { last_review: new Date(last_review) } : {}) }
}

/** The practice file's text: `{ format, cards, log }`, cards sorted by rule id so the file diffs well, one review per line. */
export function practiceText(s: PracticeState): string {
  const ids = [...s.cards.keys()].sort()
  const cards = Object.fromEntries(ids.map((id) => [id, cardToJson(s.cards.get(id)!)]))
  const head = JSON.stringify({ format: PRACTICE_FORMAT, cards }, null, 2).slice(0, -2)
  const log = s.log.map((r) => `    ${JSON.stringify({ rule: r.rule, at: r.at.toISOString(), answer: r.answer, feeling: r.feeling })}`)
  return `${head},\n  "log": [${log.length ? `\n${log.join(',\n')}\n  ` : ''}]\n}\n`
}

/** The state in a practice file's text, or what is wrong with it (in words, with the place). */
export function readPractice(text: string): PracticeState | { problem: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` }
  }
  const r = PracticeJson.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]!
    const where = issue.path.length ? `at ${issue.path.map(String).join('.')}: ` : ''
    return { problem: `${where}${issue.message}` }
  }
  // an object's own keys only: a key such as "__proto__" never reaches the Map as anything else
  const cards = new Map(Object.entries(r.data.cards).map(([id, c]) => [id, cardFromJson(c)]))
  const log = (r.data.log ?? []).map((x) => ({ ...x, at: new Date(x.at) })).sort((a, b) => a.at.getTime() - b.at.getTime())
  return { cards, log }
}

// ---- what a card shows -------------------------------------------------------------------------

/** A card's question: an expression its rule fits, and the fit shown after the answer. */
export interface PracticeCard {
  readonly rule: Rule
  readonly prompt: Expr
  readonly fit: Fit
  /** A card made from a step of your own derivation: the next line, and where the step is. */
  readonly step?: { readonly to: Expr; readonly source: string }
}

/** A step of a checked derivation that one rule justifies: the lines it joins and the rule's own step inside it. */
export interface JustifiedStep {
  readonly rule: Rule
  /** The two lines as written. */
  readonly from: Expr
  readonly to: Expr
  /** The rule's application (on the lines as the search saw them). */
  readonly ruleFrom: Expr
  readonly ruleTo: Expr
  /** "homework.txt line 4". */
  readonly source: string
}

/**
 * The card of a step of your derivation: "which rule justifies FROM = TO?", with the rule's fit
 * that makes the step; undefined when the rule has no such fit (then the step makes no card).
 */
export function stepCard(st: JustifiedStep, o: SearchOptions): PracticeCard | undefined {
  const target = print(st.ruleTo)
  const fit = findFits(st.ruleFrom, [st.rule], o).find((f) => print(f.result) === target)
  return fit ? { rule: st.rule, prompt: st.from, fit, step: { to: st.to, source: st.source } } : undefined
}


/** The seed of a card's layout on a day: the same all that day, another the next. */
export const daySeed = (rule: string, now: Date): string => `${rule}@${Math.floor(now.getTime() / 86_400_000)}`

/** The items in an order fixed by the seed (a shuffle that tests can predict). */
export const seededOrder = <T>(items: readonly T[], key: (t: T) => string, seed: string): T[] =>
  items.map((t) => ({ t, k: hashString(`${seed}|${key(t)}`) })).sort((a, b) => a.k - b.k).map((x) => x.t)

/** The fit to show for a rule on an expression: forward if there is one (the rule as written), else the first. */
function fitOf(expr: Expr, rule: Rule, o: SearchOptions): Fit | undefined {
  const fits = findFits(expr, [rule], o)
  return fits.find((f) => f.direction === 'forward') ?? fits[0]
}

const parsed = (text: string): Expr | undefined => {
  try {
    return parseExpr(text)
  } catch (e) {
    if (e instanceof ParseError) return undefined
    throw e
  }
}

const LOWER = ['x', 'y', 'z', 't', 'u', 'v', 'w', 's', 'r', 'q', 'p', 'k']
const UPPER = ['A', 'B', 'C', 'M', 'N', 'X', 'Y', 'Z', 'W', 'V']
const NUMERIC = new Set(['number', 'integer', 'constant'])

/**
 * The rule's lhs with its wildcards renamed to concrete-looking symbols (a, b -> x, y; A -> B) and
 * numbers where a condition asks for one; never a wildcard's own name, so the text differs from the lhs.
 */
export const concreteLhs = (rule: Rule): Expr => concreteInstance(rule).expr

/** The concrete lhs, and the names in it that stand for the rule's vector wildcards (they are read as vectors). */
function concreteInstance(rule: Rule): { expr: Expr; vectors: string[] } {
  const wild = wildcardsOf(rule.lhs, rule.literals)
  const used = new Set<string>()
  for (const { node } of walk(rule.lhs)) if (node.kind === 'sym' && !wild.has(node.name)) used.add(node.name)
  const numeric = new Set(rule.where.flatMap((c) => (c.kind === 'pred' && NUMERIC.has(c.name) && c.args[0]?.kind === 'sym' ? [c.args[0].name] : [])))
  const names = new Map<string, Expr>()
  let n = 2
  for (const w of wild) {
    if (numeric.has(w)) {
      names.set(w, num(n++))
      continue
    }
    const pool = isMatrixName(w, 'uppercase') ? UPPER : LOWER
    const name = pool.find((p) => p !== w && !used.has(p)) ?? `${w}1`
    used.add(name)
    names.set(w, sym(name))
  }
  const vectors = [...names].flatMap(([w, e]) => (rule.typed[w] === 'vector' && e.kind === 'sym' ? [e.name] : []))
  return { expr: substitute(rule.lhs, names), vectors }
}

/**
 * The card of a rule: one of its examples the rule fits (chosen by the seed; never one that reads as
 * the lhs itself), else its lhs made concrete if the rule fits that; undefined if nothing fits.
 */
export function cardFor(rule: Rule, o: SearchOptions, seed: string): PracticeCard | undefined {
  const lhsText = print(rule.lhs)
  const examples = (rule.spec.examples ?? []).flatMap((t) => {
    const e = parsed(t)
    return e && print(e) !== lhsText ? [e] : []
  })
  for (const prompt of seededOrder(examples, print, seed)) {
    const fit = fitOf(prompt, rule, o)
    if (fit) return { rule, prompt, fit }
  }
  // the rule's own form, with its vector wildcards' stand-ins read as vectors
  const { expr, vectors } = concreteInstance(rule)
  const fit = fitOf(expr, rule, { ...o, matrices: withVectors(o.matrices ?? 'uppercase', vectors) })
  return fit ? { rule, prompt: expr, fit } : undefined
}

/** How close another rule is to a card's: the same pack and a shared tag first, unrelated rules last. */
function kinship(a: Rule, b: Rule): number {
  const tags = new Set(a.spec.tags ?? [])
  const shared = (b.spec.tags ?? []).some((t) => tags.has(t))
  return (a.pack === b.pack ? 0 : 2) + (shared ? 0 : 1)
}

/**
 * Up to `count` other rules that do not fit the card's expression anywhere (checked with findFits),
 * the closest relatives first, ties broken by the seed; never one named like the card's rule.
 */
export function distractors(card: PracticeCard, rules: readonly Rule[], o: SearchOptions, seed: string, count = 3): Rule[] {
  const others = rules.filter((r) => r.id !== card.rule.id && r.name !== card.rule.name)
  const ranked = seededOrder(others, (r) => r.id, seed).sort((a, b) => kinship(card.rule, a) - kinship(card.rule, b))
  const out: Rule[] = []
  for (const r of ranked) {
    if (out.length >= count) break
    if (out.some((d) => d.name === r.name)) continue
    if (findFits(card.prompt, [r], { ...o, perNode: 1 }).length === 0) out.push(r)
  }
  return out
}

/** The choices shown for a card: its rule among the distractors, in an order fixed by the seed. */
export const choicesFor = (card: PracticeCard, wrong: readonly Rule[], seed: string): Rule[] => seededOrder([card.rule, ...wrong], (r) => r.id, `${seed}/choices`)
