// Built-in algebra steps for `why`: routine algebra a lecture folds into one line. Each step is a
// whole-expression rewrite with a label ("algebra: collect like terms"), never a library rule.
import { key } from './equal.js'
import { add, call, type Expr, isCall, isDefined, mul, NodeMemo, num, type Num, numQ, OPS, reuse, size } from './expr.js'
import * as Q from './rational.js'
import { isMatrixish } from './shape.js'
import { signOf } from './sign.js'
import { foldNumbers, tidy } from './rewrite.js'
import { print } from './print.js'

export { foldNumbers } from './rewrite.js'

/** Split a term into numeric coefficient and the rest: 3 * x * y -> [3, x * y]. */
function coefficient(t: Expr): [Num, Expr] {
  if (t.kind === 'num') return [t, num(1)]
  if (isCall(t, OPS.mul) && t.args[0]?.kind === 'num') return [t.args[0], mul(t.args.slice(1))]
  return [num(1), t]
}

/** Split a factor into base and exponent: x ^ 2 -> [x, 2], x -> [x, 1]. */
const baseExp = (f: Expr): [Expr, Expr] => (isCall(f, OPS.pow) ? [f.args[0]!, f.args[1]!] : [f, num(1)])

/**
 * Powers of one base whose exponents may be added without changing where the product is
 * defined share a class: any powers of a positive base, else integer powers of one sign
 * (x * x ^ -1 is not 1 at x = 0, so those two stay apart). Undefined: merge with nothing.
 */
function mergeClass(b: Expr, x: Expr): string | undefined {
  if (signOf(b) === 'positive') return ''
  if (x.kind !== 'num' || !Q.isInteger(x.q)) return undefined
  return x.q.n < 0n ? '<0' : '>=0'
}

/**
 * Collect like terms (2x + 3x -> 5x) and equal bases (x * x ^ 2 -> x ^ 3) everywhere, bottom-up.
 * Products with matrix factors keep their factors as they are.
 */
export function collect(e: Expr, matrices: ReadonlySet<string>): Expr {
  if (e.kind !== 'call') return e
  return collected.get(matrices, e, () => reuse(e, collectCall(e, matrices)))
}

// the lines of a search share subtrees: each is collected and expanded once
const collected = new NodeMemo<ReadonlySet<string>, Expr>()
const expanded = new NodeMemo<ReadonlySet<string>, Expr | undefined>()

function collectCall(e: Expr & { kind: 'call' }, matrices: ReadonlySet<string>): Expr {
  const args = e.args.map((a) => collect(a, matrices))
  if (e.head === OPS.add) {
    const groups = new Map<string, { c: Num; t: Expr }>()
    for (const a of args) {
      const [c, t] = coefficient(a)
      const k = key(t, matrices)
      const g = groups.get(k)
      if (g) g.c = numQ(Q.add(g.c.q, c.q), g.c.decimal || c.decimal)
      else groups.set(k, { c, t })
    }
    // x - x is 0 only where x is defined: log(x) - log(x) keeps its term as 0 * log(x)
    const terms = [...groups.values()].filter((g) => !Q.isZero(g.c.q) || !isDefined(g.t)).map((g) => tidy(OPS.mul, [g.c, g.t]))
    return tidy(OPS.add, terms)
  }
  if (e.head === OPS.mul && !args.some((a) => isMatrixish(a, matrices))) {
    const groups = new Map<string, { b: Expr; xs: Expr[] }>()
    for (const a of args) {
      const [b, x] = baseExp(a)
      if (b.kind === 'num') {
        groups.set(`#${groups.size}`, { b: a, xs: [num(1)] })
        continue
      }
      const k = `${key(b, matrices)}${mergeClass(b, x) ?? `#${groups.size}`}`
      const g = groups.get(k)
      if (g) g.xs.push(x)
      else groups.set(k, { b, xs: [x] })
    }
    const factors = [...groups.values()].map((g) => tidy(OPS.pow, [g.b, tidy(OPS.add, g.xs)]))
    return tidy(OPS.mul, factors)
  }
  return tidy(e.head, args)
}

const MAX_EXPANDED = 400

/** Multiply out products of sums and small integer powers of sums; undefined if it would blow up. */
export function expand(e: Expr, matrices: ReadonlySet<string>): Expr | undefined {
  if (e.kind !== 'call') return e
  return expanded.get(matrices, e, () => {
    const x = expandCall(e, matrices)
    return x && reuse(e, x)
  })
}

function expandCall(e: Expr & { kind: 'call' }, matrices: ReadonlySet<string>): Expr | undefined {
  const args: Expr[] = []
  for (const a of e.args) {
    const x = expand(a, matrices)
    if (!x) return undefined
    args.push(x)
  }
  const node = call(e.head, args)
  let out: Expr = node
  if (isCall(node, OPS.pow) && isCall(node.args[0], OPS.add)) {
    const n = node.args[1]
    if (n?.kind === 'num' && Q.isInteger(n.q) && n.q.n >= 2n && n.q.n <= 4n) {
      out = distribute(new Array<Expr>(Number(n.q.n)).fill(node.args[0]!), matrices) ?? node
    }
  } else if (isCall(node, OPS.mul) && node.args.some((a) => isCall(a, OPS.add))) {
    out = distribute(node.args, matrices) ?? node
  }
  return size(out) > MAX_EXPANDED ? undefined : out
}

/** The sum of all products choosing one term from each factor (order of factors kept). */
function distribute(factors: readonly Expr[], matrices: ReadonlySet<string>): Expr | undefined {
  let products: Expr[][] = [[]]
  for (const f of factors) {
    const terms = isCall(f, OPS.add) ? f.args : [f]
    products = products.flatMap((p) => terms.map((t) => [...p, t]))
    if (products.length > 64) return undefined
  }
  return collect(add(products.map((p) => mul(p))), matrices)
}

const factored = new NodeMemo<ReadonlySet<string>, Expr>()

/**
 * Pull the factors every term of a sum shares out in front (exp(a) * exp(c) + exp(b) * exp(c) ->
 * exp(c) * (exp(a) + exp(b))), and spread an integer power over a product ((u * v) ^ -1 ->
 * u ^ -1 * v ^ -1), everywhere, bottom-up; scalars only. Both are exact; what then cancels is
 * collect's to decide (it merges u * u ^ -1 only where that is 1 everywhere: u positive).
 */
export function factorOut(e: Expr, matrices: ReadonlySet<string>): Expr {
  if (e.kind !== 'call') return e
  return factored.get(matrices, e, () => {
    const args = e.args.map((a) => factorOut(a, matrices))
    if (args.some((a) => isMatrixish(a, matrices))) return reuse(e, call(e.head, args))
    if (e.head === OPS.add) return reuse(e, commonFactors(args, matrices))
    const [base, n] = args
    if (e.head === OPS.pow && isCall(base, OPS.mul) && n?.kind === 'num' && Q.isInteger(n.q)) return mul(base.args.map((f) => call(OPS.pow, [f, n])))
    return reuse(e, call(e.head, args))
  })
}

/** terms summed, with the factors (not numbers) that all of them share pulled out in front. */
function commonFactors(terms: readonly Expr[], matrices: ReadonlySet<string>): Expr {
  const factorsOf = (t: Expr): readonly Expr[] => (isCall(t, OPS.mul) ? t.args : [t])
  // the first term's factors, kept while every other term has one with the same key
  let shared = factorsOf(terms[0]!).filter((f) => f.kind !== 'num')
  const rests = terms.map((t) => [...factorsOf(t)])
  shared = shared.filter((f) => {
    const k = key(f, matrices)
    const at = rests.map((r) => r.findIndex((x) => key(x, matrices) === k))
    if (at.some((i) => i < 0)) return false
    rests.forEach((r, j) => r.splice(at[j]!, 1))
    return true
  })
  if (!shared.length) return add(terms)
  return mul([...shared, add(rests.map((r) => mul(r)))])
}

/**
 * What must hold for u to be defined, as conditions (log(p): p > 0; 1 / q: q != 0); undefined
 * when some part of u is partial in a way no such condition says (an unknown function, E(...)).
 */
function domainOf(u: Expr): string[] | undefined {
  if (u.kind !== 'call') return []
  const inner = u.args.map(domainOf)
  if (inner.some((d) => d === undefined)) return undefined
  const out = inner.flat() as string[]
  const [a, k] = u.args
  if (u.head === 'log' && u.args.length === 1) out.push(`${print(a!)} > 0`)
  else if (u.head === 'sqrt') out.push(`${print(a!)} >= 0`)
  else if (u.head === OPS.pow && !isDefined(u)) {
    if (k?.kind !== 'num') return undefined
    out.push(Q.isInteger(k.q) ? `${print(a!)} != 0` : `${print(a!)} ${k.q.n < 0n ? '>' : '>='} 0`)
  } else if (u.head !== OPS.pow && !isDefined(call(u.head, u.args.map(() => num(1))))) return undefined
  return out
}

/**
 * e with its terms 0 * u left out of every sum, and the conditions under which those u are
 * defined (p * log(q) + 0 * log(p) is p * log(q) where p > 0); undefined when there is no such
 * term, or the domain of one cannot be said.
 */
export function dropZeroTerms(e: Expr): { result: Expr; assumes: string[] } | undefined {
  const assumes: string[] = []
  let ok = true
  const zero = (t: Expr): boolean => isCall(t, OPS.mul) && t.args.some((a) => a.kind === 'num' && Q.isZero(a.q))
  const go = (x: Expr): Expr => {
    if (x.kind !== 'call') return x
    const args = x.args.map(go)
    if (x.head !== OPS.add) return reuse(x, call(x.head, args))
    const kept = args.filter((t) => {
      if (!zero(t)) return true
      const d = domainOf(t)
      if (d === undefined) ok = false
      else assumes.push(...d)
      return false
    })
    return kept.length === args.length ? reuse(x, call(x.head, args)) : kept.length ? add(kept) : num(0)
  }
  const result = go(e)
  return ok && result !== e ? { result, assumes: [...new Set(assumes)] } : undefined
}

/** The labelled algebra steps that change e. */
export function algebraSteps(e: Expr, matrices: ReadonlySet<string>): { label: string; result: Expr }[] {
  const out: { label: string; result: Expr }[] = []
  const k = key(e, matrices)
  const seen = new Set([k])
  const offer = (label: string, r: Expr | undefined): void => {
    if (!r) return
    const rk = key(r, matrices)
    if (seen.has(rk)) return
    seen.add(rk)
    out.push({ label, result: r })
  }
  offer('algebra: arithmetic on numbers', foldNumbers(e))
  offer('algebra: collect like terms', collect(e, matrices))
  offer('algebra: expand', expand(e, matrices))
  return out
}

/** A canonical key for `why`: equal up to reordering, regrouping, bound renaming and arithmetic. */
export const sameKey = (e: Expr, matrices: ReadonlySet<string>): string => key(foldNumbers(e), matrices)

