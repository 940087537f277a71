// Equality "as a mathematician reads it": up to reordering of + and * (never of matrix factors)
// and renaming of bound variables. Implemented as a canonical string key.
import { BINDERS, type Expr, isOrderedProduct, OPS } from './expr.js'

/** A canonical key: equal keys mean equal up to commutativity/associativity and bound renaming. */
export function key(e: Expr, matrices: ReadonlySet<string> = new Set()): string {
  return keyIn(e, matrices, new Map())
}

function keyIn(e: Expr, matrices: ReadonlySet<string>, renames: ReadonlyMap<string, string>): string {
  switch (e.kind) {
    case 'num':
      return `#${e.value}`
    case 'sym':
      return renames.get(e.name) ?? e.name
    case 'call': {
      const binder = BINDERS[e.head]
      const v = binder ? e.args[binder.varIndex] : undefined
      if (binder && v?.kind === 'sym') {
        const inner = new Map(renames)
        inner.set(v.name, `$${renames.size}`)
        const parts = e.args.map((a, i) => keyIn(a, matrices, i === 0 || i === binder.varIndex ? inner : renames))
        return `${e.head}(${parts.join(',')})`
      }
      const parts = e.args.map((a) => keyIn(a, matrices, renames))
      if ((e.head === OPS.add || e.head === OPS.mul) && !isOrderedProduct(e, matrices)) parts.sort()
      return `${e.head}(${parts.join(',')})`
    }
  }
}

/** Equal up to reordering of + and * and renaming of bound variables. */
export const equal = (a: Expr, b: Expr, matrices: ReadonlySet<string> = new Set()): boolean =>
  a === b || key(a, matrices) === key(b, matrices)
