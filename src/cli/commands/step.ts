// derive step [EXPR] [--goal EXPR] [--save FILE] [--resume FILE]: interactive stepping. Only the
// options live here; the loop (and the prompts, the matcher, the store) load when the command runs.
import type { Register } from '../main.js'
import type { StepOptions } from '../step-loop.js'

export const registerStep: Register = (program, act) => {
  program
    .command('step')
    .description('interactive stepping: pick a fit, preview, apply, undo, type a line, stop at the goal, save')
    .argument('[expr]', 'the expression to start from')
    .option('--goal <expr>', 'stop when this line is reached (equal up to reordering and arithmetic)')
    .option('--save <file>', 'save the derivation to FILE after every step (JSON; the previous version kept as FILE.bak)')
    .option('--resume <file>', 'continue a saved derivation (and keep saving to it)')
    .action((expr: string | undefined, opts: StepOptions) => act(async (ctx) => (await import('../step-loop.js')).stepCommand(ctx, expr, opts)))
}
