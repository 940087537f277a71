// The assumptions a derivation rests on, as a reader wants them: each reduced to what it says
// about the symbols (`1/sqrt(2*pi*sigma^2) * exp(...) > 0` says sigma != 0; exp(...) > 0 always
// holds, as does sigmoid(t) < 1), and none that holds by form, that another one implies, or that
// is only about the index of a sum. Every reduction is an equivalence on the reals, so nothing
// is assumed that the steps did not need.
import { boundVar, type Expr, freeSymbols, isCall, neg, num, OPS, sub, walk } from '../core/expr.js'
import { evalConstant } from '../core/match.js'
import { type RelOp, parseCondition } from '../core/parse.js'
import { print } from '../core/print.js'
import { signOf } from '../core/sign.js'

/** `e op c`: a condition on one expression against a number. */
interface Atom {
  readonly e: Expr
  readonly op: RelOp
  readonly c: number
}

/** Is e > 0 for every value of its symbols? (signOf, and 1 - sigmoid(t), which is sigmoid(-t)) */
function positive(e: Expr): boolean {
  if (signOf(e) === 'positive') return true
  if (e.kind !== 'call') return false
  if (e.head === OPS.mul) return e.args.every(positive)
  if (e.head === OPS.pow) return positive(e.args[0]!)
  if (e.head !== OPS.add || e.args.length !== 2) return false
  const [a, b] = e.args as [Expr, Expr]
  const sigmoid = (x: Expr): boolean => isCall(neg(x), 'sigmoid')
  return (evalConstant(a) === 1 && sigmoid(b)) || (evalConstant(b) === 1 && sigmoid(a))
}

/** A power with a number exponent: its base and exponent. */
function numberPower(e: Expr): [Expr, number] | undefined {
  if (!isCall(e, OPS.pow)) return undefined
  const k = evalConstant(e.args[1]!)
  return k !== undefined && Number.isInteger(k) && k !== 0 ? [e.args[0]!, k] : undefined
}

/**
 * `e op 0` as the conditions on simpler expressions it amounts to: [] when it always holds, the
 * atom itself when nothing simpler says the same.
 */
function reduce(a: Atom): Atom[] {
  const { e, op, c } = a
  if (c !== 0) return [a]
  if (op === '>' || op === '!=' || op === '>=') {
    if (positive(e)) return []
    if (op === '>=' && signOf(e) === 'nonnegative') return []
  }
  if (op === '>' || op === '!=') {
    // a product: its factors positive by form say nothing; a product is nonzero when each factor is
    if (isCall(e, OPS.mul)) {
      const rest = e.args.filter((f) => !positive(f))
      if (rest.length < e.args.length) return rest.length ? reduce({ e: rest.length === 1 ? rest[0]! : { ...e, args: rest }, op, c }) : []
      if (op === '!=') return e.args.flatMap((f) => reduce({ e: f, op, c }))
    }
    const power = numberPower(e)
    if (power) {
      const [base, k] = power
      const even = k % 2 === 0
      // b^(2m) > 0 and b^k != 0 say b != 0; b^(odd) > 0 says b > 0
      return reduce({ e: base, op: even || op === '!=' ? '!=' : '>', c })
    }
    // sqrt(u) > 0 says u > 0, sqrt(u) != 0 says u != 0 (sqrt(u) is real for u >= 0 only)
    if (isCall(e, 'sqrt')) return reduce({ e: e.args[0]!, op, c })
  }
  return [a]
}

/** An assumption as atoms (undefined when it is not a comparison derive reads). */
function atoms(text: string): Atom[] | undefined {
  let cond
  try {
    cond = parseCondition(text)
  } catch {
    return undefined
  }
  if (cond.kind !== 'rel') return undefined
  const { lhs, rhs, op } = cond
  // a < b holds by form when b - a > 0 does (sigmoid(t) < 1)
  if (((op === '<' || op === '<=') && positive(sub(rhs, lhs))) || ((op === '>' || op === '>=') && positive(sub(lhs, rhs)))) return []
  const r = evalConstant(rhs)
  if (r !== undefined) return reduce({ e: lhs, op, c: r })
  const l = evalConstant(lhs)
  const flip: Readonly<Record<RelOp, RelOp>> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=', '!=': '!=', '==': '==' }
  return l !== undefined ? reduce({ e: rhs, op: flip[op], c: l }) : undefined
}

/** The set of numbers an atom allows, as an interval or all numbers but one. */
type Allowed = { lo: number; loOpen: boolean; hi: number; hiOpen: boolean } | { except: number }

function allowed(op: RelOp, c: number): Allowed {
  switch (op) {
    case '>':
      return { lo: c, loOpen: true, hi: Infinity, hiOpen: true }
    case '>=':
      return { lo: c, loOpen: false, hi: Infinity, hiOpen: true }
    case '<':
      return { lo: -Infinity, loOpen: true, hi: c, hiOpen: true }
    case '<=':
      return { lo: -Infinity, loOpen: true, hi: c, hiOpen: false }
    case '==':
      return { lo: c, loOpen: false, hi: c, hiOpen: false }
    case '!=':
      return { except: c }
  }
}

/** Does every value a allows satisfy b? (the same expression) */
function within(a: Allowed, b: Allowed): boolean {
  if ('except' in b) return 'except' in a ? a.except === b.except : !(a.lo < b.except || (a.lo === b.except && !a.loOpen)) || !(b.except < a.hi || (b.except === a.hi && !a.hiOpen))
  if ('except' in a) return b.lo === -Infinity && b.hi === Infinity
  const lower = a.lo > b.lo || (a.lo === b.lo && (a.loOpen || !b.loOpen))
  const upper = a.hi < b.hi || (a.hi === b.hi && (a.hiOpen || !b.hiOpen))
  return lower && upper
}

const implies = (a: Atom, b: Atom): boolean => print(a.e) === print(b.e) && within(allowed(a.op, a.c), allowed(b.op, b.c))

/** Do the atoms imply b? One of them alone, or for a product > 0 (>= 0, != 0) its factors each so. */
function impliedBy(atoms: readonly Atom[], b: Atom): boolean {
  if (atoms.some((a) => implies(a, b))) return true
  const { e, op, c } = b
  if (!isCall(e, OPS.mul) || c !== 0 || !(op === '>' || op === '>=' || op === '!=')) return false
  return e.args.every((f) => atoms.some((a) => implies(a, { e: f, op, c })))
}

const atomText = (a: Atom): string => `${print(a.e)} ${a.op} ${print(num(a.c))}`

/** Variables bound somewhere in these expressions (sum and product indices, integration variables). */
export function boundIn(exprs: readonly Expr[]): Set<string> {
  const out = new Set<string>()
  for (const e of exprs) for (const { node } of walk(e)) {
    const v = boundVar(node)
    if (v) out.add(v.name)
  }
  return out
}

/**
 * A derivation's step assumptions, simplified: each reduced to what it says, without those that
 * hold by form, repeat another, are implied by another or by one `given` (the derivation's own
 * `# assume:` lines, not repeated here), or only constrain a `bound` index.
 */
export function simplifyAssumptions(steps: readonly string[], o: { readonly given?: readonly string[]; readonly bound?: ReadonlySet<string> } = {}): string[] {
  const given = (o.given ?? []).flatMap((g) => atoms(g) ?? [])
  const seen = new Set(o.given ?? [])
  const kept: { text: string; atom?: Atom }[] = []
  const add = (text: string, atom?: Atom): void => {
    if (seen.has(text)) return
    seen.add(text)
    kept.push({ text, ...(atom ? { atom } : {}) })
  }
  for (const s of steps) {
    const as = atoms(s)
    if (!as) add(s)
    else for (const a of as) if ([...freeSymbols(a.e)].some((n) => !o.bound?.has(n))) add(atomText(a), a)
  }
  const others = (i: number): Atom[] => [...given, ...kept.flatMap((k, j) => (j !== i && k.atom ? [k.atom] : []))]
  return kept.filter((k, i) => !k.atom || !impliedBy(others(i), k.atom)).map((k) => k.text)
}
