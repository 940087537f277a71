// derive explain: an expression read out in words and drawn as a tree (its code is in code.ts).
// Pure: no I/O, no colour here except through the Style the terminal renderer is given.
import { type Call, type Expr, isCall, isReciprocal, neg, num, OPS, pathToString, pow, RELATION_HEADS, variableOf } from '../core/expr.js'
import { formatNumber, isNegativeTerm, print } from '../core/print.js'
import type { Style } from './style.js'

// ---- words ------------------------------------------------------------------------------------

// How tightly a phrase holds together, loosest first. A phrase used where a tighter one is needed
// is introduced by "the quantity", as a speaker would say it aloud.
const LEVEL = { cond: -1, given: 0, or: 1, and: 2, rel: 2.5, sum: 3, product: 4, postfix: 5, atom: 6 } as const

/**
 * A phrase, its level, and whether it ends in an unbounded tail ("... over the quantity b plus
 * c"): words that follow an open phrase need a comma first, or they would be read into the tail.
 */
interface Phrase {
  readonly text: string
  readonly level: number
  readonly open: boolean
}

const phrase = (text: string, level: number, open = false): Phrase => ({ text, level, open })

/** p where at least `min` is needed: as it is, or as "the quantity p". */
function atLeast(p: Phrase, min: number): Phrase {
  return p.level >= min ? p : phrase(`the quantity ${p.text}`, LEVEL.atom, true)
}

/** p followed by `rest`, with the comma that closes an open phrase. */
function then(p: Phrase, rest: string): string {
  return p.open && !rest.startsWith(',') ? `${p.text},${rest}` : `${p.text}${rest}`
}

/** Phrases each after its separator (the first one's is ignored), closing open ones with a comma. */
function chain(parts: readonly (readonly [string, Phrase])[], level: number): Phrase {
  let text = ''
  let open = false
  for (const [sep, p] of parts) {
    text = text === '' ? p.text : `${text}${open ? ',' : ''}${sep}${p.text}`
    open = p.open
  }
  return phrase(text, level, open)
}

/** Phrases joined by one separator. */
const join = (parts: readonly Phrase[], sep: string, level: number): Phrase => chain(parts.map((p) => [sep, p] as const), level)

const NAMED: ReadonlyMap<string, string> = new Map(Object.entries({
  E: 'the expected value',
  Var: 'the variance',
  Cov: 'the covariance',
  P: 'the probability',
  inv: 'the inverse',
  det: 'the determinant',
  trace: 'the trace',
  abs: 'the absolute value',
  delta: 'the Kronecker delta',
  sqrt: 'the square root',
}))

/** Functions whose arguments are events or random variables, read with "given" and "and". */
const LOGICAL_ARGS = new Set(['P', 'E', 'Var', 'Cov'])
const LOGIC_HEADS: ReadonlySet<string> = new Set([OPS.given, OPS.and, OPS.or, OPS.not])

/** A plain-English reading of e, as a student would say it aloud. */
export function words(e: Expr): string {
  return say(e).text
}

function say(e: Expr): Phrase {
  // "x times negative 2" reads fine, but "negative 2 squared" would not say which came first
  if (e.kind === 'num') return e.value < 0 ? phrase(`negative ${formatNumber(-e.value)}`, LEVEL.postfix) : phrase(formatNumber(e.value), LEVEL.atom)
  if (e.kind === 'sym') return phrase(e.name.replace(/_/g, ' sub '), LEVEL.atom)
  return sayCall(e)
}

function sayCall(e: Call): Phrase {
  const a = e.args
  switch (e.head) {
    case OPS.add:
      return sumPhrase(a)
    case OPS.mul:
      return product(a)
    case OPS.pow:
      return isReciprocal(e) ? product([e]) : power(a[0]!, a[1]!)
    case OPS.transpose:
      return postfix(a[0]!, 'transposed')
    case OPS.factorial:
      return postfix(a[0]!, 'factorial')
    case OPS.index:
      return subscript(a[0]!, a.slice(1))
    case OPS.given:
      return join([atLeast(say(a[0]!), LEVEL.or), atLeast(say(a[1]!), LEVEL.or)], ' given ', LEVEL.given)
    case OPS.and:
    case OPS.or:
      return logical(e)
    case OPS.not:
      if (isCall(a[0], undefined) && RELATION_HEADS.has(a[0].head)) return relation(a[0], true)
      return prefixed('not ', atLeast(say(a[0]!), LEVEL.sum), LEVEL.sum)
    case OPS.if:
      return conditional(a[0]!, a[1]!, a[2]!)
    case 'ind':
      // the indicator is an if-else: one where the condition holds, zero elsewhere
      if (a.length === 1) return phrase(`one if ${then(atLeast(say(a[0]!), LEVEL.or), ', otherwise zero')}`, LEVEL.cond, true)
      return application(e)
    default:
      if (RELATION_HEADS.has(e.head) && a.length === 2) return relation(e, false)
      return variableOf(e) ? binder(e) : application(e)
  }
}

const RELATION_WORDS: Readonly<Record<string, readonly [string, string]>> = {
  [OPS.eq]: ['equals', 'does not equal'],
  [OPS.ne]: ['does not equal', 'equals'],
  [OPS.lt]: ['is less than', 'is not less than'],
  [OPS.le]: ['is at most', 'is more than'],
  [OPS.gt]: ['is greater than', 'is not greater than'],
  [OPS.ge]: ['is at least', 'is less than'],
}

/** "y sub i equals k"; negated: "y sub i does not equal k". */
function relation(e: Call, negated: boolean): Phrase {
  const word = RELATION_WORDS[e.head]![negated ? 1 : 0]
  return chain([['', atLeast(say(e.args[0]!), LEVEL.sum)], [` ${word} `, atLeast(say(e.args[1]!), LEVEL.sum)]], LEVEL.rel)
}

/** "a if a is greater than b, otherwise b squared": the value, its condition, the other value. */
function conditional(c: Expr, yes: Expr, no: Expr): Phrase {
  const otherwise = atLeast(say(no), LEVEL.cond)
  return phrase(`${then(atLeast(say(yes), LEVEL.and), ' if ')}${then(atLeast(say(c), LEVEL.or), ', otherwise ')}${otherwise.text}`, LEVEL.cond, true)
}

/** "a plus b minus c": a negative term is read with "minus" and without its sign. */
function sumPhrase(terms: readonly Expr[]): Phrase {
  const parts = terms.map((t, i) =>
    i > 0 && isNegativeTerm(t) ? ([' minus ', atLeast(say(neg(t)), LEVEL.product)] as const) : ([' plus ', atLeast(say(t), LEVEL.product)] as const),
  )
  return chain(parts, LEVEL.sum)
}

/** `word p`, keeping p's open tail. */
const prefixed = (word: string, p: Phrase, level: number = p.level): Phrase => phrase(`${word}${p.text}`, level, p.open)

/** Factors in order, with reciprocal factors read as a denominator: "a times b over c". */
function product(factors: readonly Expr[]): Phrase {
  const [first, ...rest] = factors
  // -1 * x is "negative x" and -2 * x "negative 2 times x" (-1 * 2 keeps its 1, as printed)
  if (first?.kind === 'num' && first.value < 0 && rest.length > 0) {
    const positive = first.value === -1 && rest[0]!.kind !== 'num' ? rest : [num(-first.value), ...rest]
    return prefixed('negative ', product(positive), LEVEL.product)
  }
  const top = factors.filter((f) => !isReciprocal(f))
  const bottom = factors.filter(isReciprocal).map((f) => denominator(f))
  const numerator = top.length === 1 ? atLeast(say(top[0]!), LEVEL.postfix) : times(top)
  if (bottom.length === 0) return numerator
  const under = bottom.length === 1 ? atLeast(say(bottom[0]!), LEVEL.postfix) : atLeast(times(bottom), LEVEL.atom)
  return phrase(`${then(numerator, ' over ')}${under.text}`, LEVEL.product, under.open)
}

/** The base of a reciprocal factor b ^ -k: b, or b ^ k. */
const denominator = (f: Call): Expr => {
  const k = -(f.args[1] as { value: number }).value
  return k === 1 ? f.args[0]! : pow(f.args[0]!, num(k))
}

/** Factors joined by "times"; no factors is 1. */
function times(factors: readonly Expr[]): Phrase {
  if (factors.length === 0) return phrase('1', LEVEL.atom)
  if (factors.length === 1) return say(factors[0]!)
  return join(
    factors.map((f) => atLeast(say(f), LEVEL.postfix)),
    ' times ',
    LEVEL.product,
  )
}

function power(base: Expr, exponent: Expr): Phrase {
  const b = atLeast(say(base), LEVEL.atom)
  if (exponent.kind === 'num' && exponent.value === 2) return phrase(then(b, ' squared'), LEVEL.postfix)
  if (exponent.kind === 'num' && exponent.value === 3) return phrase(then(b, ' cubed'), LEVEL.postfix)
  const x = atLeast(say(exponent), LEVEL.product)
  // the exponent runs to the end of the phrase, so what follows must be set off by a comma
  return phrase(`${then(b, ' to the power ')}${x.text}`, LEVEL.postfix, true)
}

const postfix = (base: Expr, word: string): Phrase => phrase(then(atLeast(say(base), LEVEL.atom), ` ${word}`), LEVEL.postfix)

/** "x sub i": atomic subscripts keep it an atom; a compound one leaves it open. */
function subscript(base: Expr, indices: readonly Expr[]): Phrase {
  const simple = indices.every((i) => i.kind !== 'call')
  // x[i, j] is said "x sub i j"; compound subscripts need a word between them
  const subs = join(
    indices.map((i) => atLeast(say(i), LEVEL.sum)),
    simple ? ' ' : ' comma ',
    LEVEL.sum,
  )
  return phrase(`${then(atLeast(say(base), LEVEL.atom), ' sub ')}${subs.text}`, simple ? LEVEL.atom : LEVEL.postfix, !simple)
}

function logical(e: Call): Phrase {
  const level = e.head === OPS.and ? LEVEL.and : LEVEL.or
  // a chain of the same operator reads without grouping ("A and B and C")
  const parts = e.args.map((x) => (isCall(x, e.head) ? say(x) : atLeast(say(x), Math.min(level + 1, LEVEL.rel))))
  return join(parts, e.head === OPS.and ? ' and ' : ' or ', level)
}

/** "the sum, for i from 1 to n, of body"; "the derivative of f with respect to x". */
function binder(e: Call): Phrase {
  const [body, v, lo, hi] = e.args
  const b = say(body!)
  const name = say(v!).text
  const what = { sum: 'the sum', prod: 'the product', diff: 'the derivative', int: 'the integral' }[e.head] ?? e.head
  if (lo !== undefined && hi !== undefined && e.args.length === 4) {
    const range = `${then(say(lo), ' to ')}${say(hi).text}`
    // the body runs to the end: what follows the sum must be set off ("of x sub i, plus 1")
    return phrase(`${what}, for ${name} from ${range}, of ${b.text}`, LEVEL.postfix, true)
  }
  if (e.args.length !== 2) return application(e)
  if (e.head === 'sum' || e.head === 'prod') return phrase(`${what} over ${name} of ${b.text}`, LEVEL.postfix, true)
  // a short body reads naturally first; a long one goes last so "with respect to" cannot split it
  if (b.level >= LEVEL.postfix) return phrase(`${what} of ${then(b, ` with respect to ${name}`)}`, LEVEL.postfix)
  return phrase(`${what} with respect to ${name} of ${b.text}`, LEVEL.postfix, true)
}

/** f(x, y) as "f of x and y"; named ones as "the inverse of A"; log(x, b) as "log base b of x". */
function application(e: Call): Phrase {
  const logicOk = LOGICAL_ARGS.has(e.head)
  const args = e.args.map((x) => {
    const p = say(x)
    // "the probability of A and B": events read naturally, but keep a trailing comma after them
    return logicOk && isCall(x) && LOGIC_HEADS.has(x.head) ? phrase(p.text, LEVEL.atom, true) : atLeast(p, LEVEL.postfix)
  })
  if (e.head === 'log' && args.length === 2) return prefixed(`log base ${then(args[1]!, ' of ')}`, args[0]!, LEVEL.postfix)
  const list = join(args, ' and ', LEVEL.postfix)
  return prefixed(`${NAMED.get(e.head) ?? e.head} of `, list, LEVEL.postfix)
}

// ---- tree -------------------------------------------------------------------------------------

/** One line of the tree: a node's position (as `derive match` reports it), depth and label. */
export interface TreeLine {
  readonly at: string
  readonly depth: number
  readonly label: string
}

const OP_LABELS: ReadonlyMap<string, string> = new Map(Object.entries({
  [OPS.transpose]: "' (transpose)",
  [OPS.index]: '[] (index)',
  [OPS.given]: '| (given)',
  [OPS.factorial]: '! (factorial)',
  [OPS.and]: '&',
  [OPS.if]: '? : (if, then, otherwise)',
  ind: 'ind (1 if the condition holds, else 0)',
}))

/** The tree of e, outermost first, one line per node shown. */
export function treeLines(e: Expr): TreeLine[] {
  const out: TreeLine[] = []
  const visit = (node: Expr, path: readonly number[]): void => {
    out.push({ at: pathToString(path), depth: path.length, label: label(node) })
    for (const i of shownChildren(node)) visit((node as Call).args[i]!, [...path, i])
  }
  visit(e, [])
  return out
}

const isLeaf = (e: Expr): boolean => e.kind !== 'call'
/** x[i] with plain subscripts is shown as one node; students apply rules to it, not inside it. */
const isSimpleIndex = (e: Expr): boolean => isCall(e, OPS.index) && e.args.every(isLeaf)
/** A binder with its variable (and plain limits) in its label: sum (i from 1 to n). */
const isLabelledBinder = (e: Expr): e is Call => isCall(e) && variableOf(e) !== undefined

function label(e: Expr): string {
  if (e.kind !== 'call' || isSimpleIndex(e)) return print(e)
  if (isLabelledBinder(e)) {
    const [, v, lo, hi] = e.args.map((x) => print(x))
    if (e.args.length === 4) return `${e.head} (${v} from ${lo} to ${hi})`
    if (e.args.length === 2) return `${e.head} (${e.head === 'sum' || e.head === 'prod' ? 'over' : 'with respect to'} ${v})`
  }
  return OP_LABELS.get(e.head) ?? e.head
}

/** Argument indices drawn below a node: all, except what its label already says. */
function shownChildren(e: Expr): number[] {
  if (e.kind !== 'call' || isSimpleIndex(e)) return []
  const all = e.args.map((_, i) => i)
  if (!isLabelledBinder(e) || (e.args.length !== 4 && e.args.length !== 2)) return all
  return all.filter((i) => i === 0 || (i > 1 && !isLeaf(e.args[i]!)))
}

/** The tree as plain text: the position, then the node indented two spaces per level. */
export function tree(e: Expr, style?: Style): string {
  const lines = treeLines(e)
  const width = Math.max(...lines.map((l) => l.at.length))
  return lines
    .map((l) => {
      const pos = l.at.padEnd(width)
      return `${style ? style.dim(pos) : pos}  ${'  '.repeat(l.depth)}${l.label}`
    })
    .join('\n')
}
