// Equality "as a mathematician reads it": up to reordering of + and * (never of matrix factors)
// and renaming of bound variables. Implemented as a canonical string key.
import { boundVar, type Expr, inScopeOf, OPS } from './expr.js'
import { conventionOf, isOrderedProduct, shapeOf } from './shape.js'

const NO_MATRICES: ReadonlySet<string> = new Set()

// Expressions are immutable and share subtrees, and `why` asks for the keys of thousands of them:
// a subtree's key outside any binder is computed once per matrix convention.
const cache = new Map<string, WeakMap<Expr, string>>()

/** A canonical key: equal keys mean equal up to commutativity/associativity and bound renaming. */
export function key(e: Expr, matrices: ReadonlySet<string> = NO_MATRICES): string {
  const convention = matrices.size ? conventionOf(matrices) : ''
  let known = cache.get(convention)
  if (!known) cache.set(convention, (known = new WeakMap()))
  return keyIn(e, matrices, new Map(), known)
}

function keyIn(e: Expr, matrices: ReadonlySet<string>, renames: ReadonlyMap<string, string>, known: WeakMap<Expr, string>): string {
  if (e.kind !== 'call' || renames.size > 0) return keyOf(e, matrices, renames, known)
  let k = known.get(e)
  if (k === undefined) known.set(e, (k = keyOf(e, matrices, renames, known)))
  return k
}

function keyOf(e: Expr, matrices: ReadonlySet<string>, renames: ReadonlyMap<string, string>, known: WeakMap<Expr, string>): string {
  switch (e.kind) {
    case 'num':
      return `#${e.value}`
    case 'sym':
      return renames.get(e.name) ?? e.name
    case 'call': {
      const v = boundVar(e)
      if (v) {
        // a name above every one in use: fresh even when v shadows an outer variable
        let fresh = 0
        for (const r of renames.values()) fresh = Math.max(fresh, Number(r.slice(1)) + 1)
        const inner = new Map(renames)
        inner.set(v.name, `$${fresh}`)
        const parts = e.args.map((a, i) => keyIn(a, matrices, inScopeOf(i) ? inner : renames, known))
        return `${e.head}(${parts.join(',')})`
      }
      // a 1×1 product is a scalar, and a scalar's transpose is itself: (y' * X * t)' is y' * X * t
      if (e.head === OPS.transpose && shapeOf(e.args[0]!, matrices) === 'scalar') return keyIn(e.args[0]!, matrices, renames, known)
      const parts = e.args.map((a) => keyIn(a, matrices, renames, known))
      if ((e.head === OPS.add || e.head === OPS.mul) && !isOrderedProduct(e, matrices)) parts.sort()
      return `${e.head}(${parts.join(',')})`
    }
  }
}

/** Equal up to reordering of + and * and renaming of bound variables. */
export const equal = (a: Expr, b: Expr, matrices: ReadonlySet<string> = NO_MATRICES): boolean =>
  a === b || key(a, matrices) === key(b, matrices)
