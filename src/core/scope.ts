// Scopes of bound variables (SPEC §1.3): a rule step never captures or frees a variable.
// The matcher binds a rule's binder wildcards (i in sum(f, i, lo, hi)) to the subject's variables;
// `captures` says when instantiating the other side would make a symbol refer to another binder
// than it did in the subject, so that step is refused.
import { boundVar, call, dependsOn, type Expr, freeSymbols, inScopeOf, isCall, type Num, OPS } from './expr.js'
import type { Bindings } from './match.js'
import * as Q from './rational.js'
import { CONSTANTS } from './rule.js'

/** In a rule's template, subst(f, i, j) is f with i replaced by j (sum(delta(i, j) * f, ...) -> f at i = j). */
export const SUBST = 'subst'

/** For each wildcard, the binder wildcards enclosing each of its occurrences (innermost last). */
type Scopes = ReadonlyMap<string, readonly (readonly string[])[]>

const scopesCache = new WeakMap<Expr, Scopes>()

function scopesOf(t: Expr, literals: ReadonlySet<string>): Scopes {
  let out = scopesCache.get(t) as Map<string, string[][]> | undefined
  if (out) return out
  const found = new Map<string, string[][]>()
  const go = (e: Expr, enclosing: readonly string[]): void => {
    if (e.kind === 'sym') {
      if (literals.has(e.name)) return
      const list = found.get(e.name) ?? []
      list.push([...enclosing])
      found.set(e.name, list)
    } else if (e.kind === 'call') {
      // subst(f, i, j) (a template's f with i replaced by j) frees f of i, as a binder of i would
      const v = boundVar(e) ?? (e.head === SUBST && e.args[1]?.kind === 'sym' ? e.args[1] : undefined)
      const inner = v && !literals.has(v.name) ? [...enclosing, v.name] : enclosing
      e.args.forEach((a, i) => go(a, inScopeOf(i) ? inner : enclosing))
    }
  }
  go(t, [])
  scopesCache.set(t, (out = found))
  return out
}

/**
 * Would replacing `pattern` by `template` under bindings b capture or free a variable? True when
 * two distinct binder wildcards bind one variable, or when a value's free symbol that a binder
 * wildcard binds is inside that binder on one side and outside it on the other (leibniz on
 * diff(int(x^2, x, 0, 1), x) would put the outer x inside the integral over x). Binders the
 * template introduces itself are renamed fresh by instantiate.
 */
export function captures(pattern: Expr, template: Expr, b: Bindings, literals: ReadonlySet<string>): boolean {
  const ps = scopesOf(pattern, literals)
  const ts = scopesOf(template, literals)
  // binder wildcard -> the variable it binds, and back
  const binderOf = new Map<string, string>()
  for (const occurrences of ps.values()) {
    for (const enclosing of occurrences) {
      for (const w of enclosing) {
        const v = b.get(w)
        if (v?.kind !== 'sym') continue
        const other = binderOf.get(v.name)
        if (other !== undefined && other !== w) return true
        binderOf.set(v.name, w)
      }
    }
  }
  if (binderOf.size === 0) return false
  // which binder (if any) a free symbol s of a value at one occurrence refers to
  const refersTo = (s: string, enclosing: readonly string[]): string => {
    const w = binderOf.get(s)
    return w !== undefined && enclosing.includes(w) ? w : ''
  }
  for (const [w, occurrences] of ps) {
    const value = b.get(w)
    if (!value) continue
    const inTemplate = ts.get(w) ?? []
    for (const s of freeSymbols(value)) {
      if (!binderOf.has(s)) continue
      const refs = new Set([...occurrences, ...inTemplate].map((enclosing) => refersTo(s, enclosing)))
      if (refs.size > 1) return true
    }
  }
  return false
}

/** An entry of a variable: x[i][j] and x[i, j] are x with indices [i, j]; undefined for anything else. */
export function entryOf(e: Expr): { base: string; indices: readonly Expr[] } | undefined {
  if (!isCall(e, OPS.index)) return undefined
  const [of, ...indices] = e.args as [Expr, ...Expr[]]
  if (of.kind === 'sym') return { base: of.name, indices }
  const inner = entryOf(of)
  return inner && { base: inner.base, indices: [...inner.indices, ...indices] }
}

/** Two index lists that name different entries for sure: some position holds two different numbers. */
const differentEntries = (a: readonly Expr[], b: readonly Expr[]): boolean =>
  a.length === b.length && a.some((x, i) => x.kind === 'num' && b[i]!.kind === 'num' && !Q.equals(x.q, (b[i] as Num).q))

/**
 * May c depend on v? On a symbol: when it is free in c. On an entry x[j] of a variable (SPEC
 * §1.3): whenever c contains x other than as an entry x[m] with m and j different numbers (so
 * sum(x[m], m, 1, 3), x' * y and softmax(x, k, n) all may). On anything else (sigma ^ 2): when
 * c contains one of its symbols.
 */
export function mayDependOn(c: Expr, v: Expr): boolean {
  if (v.kind === 'sym') return dependsOn(c, v.name)
  const entry = entryOf(v)
  if (!entry) return [...freeSymbols(v)].some((s) => !CONSTANTS.has(s) && dependsOn(c, s))
  const go = (e: Expr, bound: ReadonlySet<string>): boolean => {
    if (e.kind === 'sym') return e.name === entry.base && !bound.has(e.name)
    if (e.kind !== 'call') return false
    const here = entryOf(e)
    if (here && here.base === entry.base && !bound.has(here.base) && differentEntries(here.indices, entry.indices)) {
      return here.indices.some((i) => go(i, bound))
    }
    const b = boundVar(e)
    const inner = b ? new Set(bound).add(b.name) : bound
    return e.args.some((a, i) => go(a, b && inScopeOf(i) ? inner : bound))
  }
  return go(c, new Set())
}

// ---- renaming apart -------------------------------------------------------------------------------
// Input is renamed apart: every binder gets a variable of its own, distinct from every other
// binder's and from every free symbol, so no rule step can confuse two of them. A renamed variable
// is `i#2` inside; printing shows it as the user wrote it (`i`) wherever that reads unambiguously.

const INTERNAL = '#'
/** The name a variable is shown with: its name as written. */
const baseOf = (name: string): string => {
  const k = name.indexOf(INTERNAL)
  return k < 0 ? name : name.slice(0, k)
}

/** Every symbol name in e, free or bound. */
export function symbolNames(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'sym') out.add(e.name)
  else if (e.kind === 'call') for (const a of e.args) symbolNames(a, out)
  return out
}

/** e with `from` renamed `to` where it is free (inner binders of the same name shadow it). */
function renameFree(e: Expr, from: string, to: string): Expr {
  if (e.kind === 'sym') return e.name === from ? { kind: 'sym', name: to } : e
  if (e.kind !== 'call') return e
  const v = boundVar(e)
  let changed = false
  const args = e.args.map((a, i) => {
    if (v?.name === from && inScopeOf(i)) return a
    const r = renameFree(a, from, to)
    changed ||= r !== a
    return r
  })
  return changed ? { kind: 'call', head: e.head, args } : e
}

/**
 * e with every binder's variable distinct from every other binder's and from every free symbol
 * and from `avoid` (the first binder of a name that is not free keeps it; the others become
 * `i#2`, ...). The same object when nothing needed renaming.
 */
export function renameApart(e: Expr, avoid: ReadonlySet<string> = new Set()): Expr {
  const taken = new Set([...freeSymbols(e), ...avoid])
  const all = symbolNames(e, new Set(avoid))
  const go = (x: Expr): Expr => {
    if (x.kind !== 'call') return x
    const v = boundVar(x)
    let args = x.args
    if (v) {
      if (taken.has(v.name)) {
        let fresh = v.name
        for (let k = 2; taken.has(fresh) || all.has(fresh); k++) fresh = `${baseOf(v.name)}${INTERNAL}${k}`
        args = args.map((a, i) => (inScopeOf(i) ? renameFree(a, v.name, fresh) : a))
        taken.add(fresh)
      } else taken.add(v.name)
    }
    const out = args.map(go)
    return out.some((a, i) => a !== x.args[i]) ? { kind: 'call', head: x.head, args: out } : x
  }
  return go(e)
}

/** Does e have a variable renamed apart? */
const hasInternal = (e: Expr): boolean =>
  e.kind === 'sym' ? e.name.includes(INTERNAL) : e.kind === 'call' && e.args.some(hasInternal)

/**
 * e with its variables named as the user wrote them (`i#2` is `i`), except where that would make
 * a symbol refer to another binder: then the variable is shown as `i2` (a name e does not use).
 * Structure and paths are unchanged.
 */
export function displayNames(e: Expr): Expr {
  if (!hasInternal(e)) return e
  const used = new Set([...symbolNames(e)].map(baseOf))
  const go = (x: Expr, names: ReadonlyMap<string, string>): Expr => {
    if (x.kind === 'sym') return { kind: 'sym', name: names.get(x.name) ?? baseOf(x.name) }
    if (x.kind !== 'call') return x
    const v = boundVar(x)
    if (!v) return { kind: 'call', head: x.head, args: x.args.map((a) => go(a, names)) }
    // the names its scope shows for the symbols it does not bind
    const others = new Set<string>()
    x.args.forEach((a, i) => {
      if (inScopeOf(i)) for (const s of freeSymbols(a)) if (s !== v.name) others.add(names.get(s) ?? baseOf(s))
    })
    let shown = baseOf(v.name)
    for (let k = 2; others.has(shown); k++) {
      shown = `${baseOf(v.name)}${k}`
      while (used.has(shown)) shown = `${baseOf(v.name)}${++k}`
    }
    used.add(shown)
    const inner = new Map(names).set(v.name, shown)
    return { kind: 'call', head: x.head, args: x.args.map((a, i) => go(a, inScopeOf(i) ? inner : names)) }
  }
  return go(e, new Map())
}

/**
 * e with the free `name` replaced by `value`, renaming an inner binder that would capture one of
 * value's symbols. Rebuilt through the normalising constructors (a sum put in a sum is flattened).
 */
export function substituteFree(e: Expr, name: string, value: Expr): Expr {
  const risky = freeSymbols(value)
  const go = (x: Expr): Expr => {
    if (x.kind === 'sym') return x.name === name ? value : x
    if (x.kind !== 'call' || !dependsOn(x, name)) return x
    let args = x.args
    const v = boundVar(x)
    if (v && risky.has(v.name)) {
      let fresh = v.name
      const used = new Set([...symbolNames(x), ...risky])
      for (let k = 2; used.has(fresh); k++) fresh = `${baseOf(v.name)}${INTERNAL}${k}`
      args = args.map((a, i) => (inScopeOf(i) ? renameFree(a, v.name, fresh) : a))
    }
    return call(x.head, args.map(go))
  }
  return go(e)
}

/**
 * The binder s with its variable renamed `to` (an alpha-renaming: the same value), or undefined
 * when `to` is free in its scope (renaming would capture it).
 */
export function renameBound(s: Expr, to: string): Expr | undefined {
  const v = boundVar(s)
  if (!v || s.kind !== 'call') return undefined
  if (v.name === to) return s
  if (s.args.some((a, i) => inScopeOf(i) && dependsOn(a, to))) return undefined
  return { kind: 'call', head: s.head, args: s.args.map((a, i) => (inScopeOf(i) ? renameFree(a, v.name, to) : a)) }
}
