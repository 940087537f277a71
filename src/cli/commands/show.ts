// derive show FILE: a saved derivation as numbered lines with each step's justification.
import type { Context } from '../context.js'
import type { Register } from '../main.js'
import type { DerivationView } from '../../render/derivation.js'

/** A saved derivation, read and checked, with the library's rule names and the goal status. */
export async function viewOf(ctx: Context, file: string): Promise<DerivationView> {
  const [{ loadDerivation }, { atGoal }] = await Promise.all([import('../../session/store.js'), import('../../session/derivation.js')])
  const lib = ctx.library()
  const derivation = loadDerivation(file, { cwd: ctx.io.cwd, matrices: lib.matrices })
  const names = new Map(lib.rules.map((r) => [r.id, r.name]))
  return { derivation, nameOf: (id) => names.get(id), reached: atGoal(derivation, lib.matrices) }
}

export const registerShow: Register = (program, act) => {
  program
    .command('show')
    .description('print a saved derivation (from derive step --save) with the justification of every step')
    .argument('<file>', 'a saved derivation')
    .action((file: string) =>
      act(async (ctx) => {
        const view = await viewOf(ctx, file)
        if (ctx.json) {
          ctx.outJson((await import('../../session/derivation.js')).toJson(view.derivation))
          return 0
        }
        ctx.out((await import('../../render/derivation.js')).renderShow(view, ctx.style))
        return 0
      }),
    )
}
