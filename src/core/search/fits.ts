// Fits for a search, shared between lines. The lines a search reaches share most of their subtrees
// (a rewrite rebuilds only the path to the place it changed), and what fits at a subterm depends
// on that subterm alone, so each subterm is matched against the rules once: the saving an e-graph
// gets from matching each class once, kept on plain trees, whose steps stay real applications.
import { replaceAt, walk, type Expr } from '../expr.js'
import { Budget } from '../match.js'
import { type Fit, findFits, withEverywhere } from '../rewrite.js'
import type { Rule } from '../rule.js'
import type { SymbolSetting } from '../shape.js'

/** One rule set and one symbol setting: the fits at the top of each subterm seen, kept. */
export interface FitMemo {
  readonly rules: readonly Rule[]
  readonly setting: SymbolSetting
  readonly matrices: ReadonlySet<string>
  readonly perNode: number
  readonly at: WeakMap<Expr, readonly Fit[]>
}

export const fitMemo = (rules: readonly Rule[], setting: SymbolSetting, matrices: ReadonlySet<string>, perNode: number): FitMemo => ({
  rules,
  setting,
  matrices,
  perNode,
  at: new WeakMap(),
})

/**
 * Every fit of the memo's rules anywhere in expr, as findFits lists them (outermost-leftmost, each
 * distinct result of a rule at a place once, then the fits applied at every place a subterm occurs,
 * and with `spread` a rule applied at every place it fits).
 * `time` is set when the deadline cut matching short (those subterms are not kept).
 */
export function fitsIn(expr: Expr, memo: FitMemo, deadline: number, spread = false): { fits: Fit[]; time: boolean } {
  const out: Fit[] = []
  // one work budget for the line, as findFits has; a subterm whose matching it cut is not kept
  const budget = new Budget(20_000, { deadline })
  for (const { node, path } of walk(expr)) {
    let local = memo.at.get(node)
    if (!local) {
      local = findFits(node, memo.rules, { matrices: memo.setting, budget, perNode: memo.perNode, path: [] })
      if (budget.exhausted) break
      memo.at.set(node, local)
    }
    for (const f of local) out.push(path.length ? { ...f, path, result: replaceAt(expr, path, f.result) } : f)
  }
  return { fits: withEverywhere(expr, out, memo.matrices, spread), time: budget.exhausted === 'time' }
}
