// Scopes of bound variables (SPEC §1.3): a rule step never captures or frees a variable.
// The matcher binds a rule's binder wildcards (i in sum(f, i, lo, hi)) to the subject's variables;
// `captures` says when instantiating the other side would make a symbol refer to another binder
// than it did in the subject, so that step is refused.
import { boundVar, type Expr, freeSymbols, inScopeOf } from './expr.js'
import type { Bindings } from './match.js'

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
      const v = boundVar(e)
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
