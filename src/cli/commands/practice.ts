// derive practice [--tag T] [--pack P] [--new N] [--stats]: the spaced-repetition drill and its progress. Only the options live
// here; the loop (with ts-fsrs, the prompts and the matcher) loads when the command runs.
import type { Register } from '../main.js'
import type { PracticeOptions } from '../practice-loop.js'

export const registerPractice: Register = (program, act) => {
  program
    .command('practice')
    .description('spaced-repetition drill on your rules: which rule applies to this expression? (--json: the due list)')
    .option('--tag <tag>', 'only rules with this tag')
    .option('--pack <pack>', 'only rules of this pack')
    .option('--new <n>', 'at most N cards never practised in this session (default 10)')
    .option('--from <files...>', 'cards from the steps of your own derivations (saved, text or .tex): which rule justifies this step?')
    .option('--stats', 'your progress: cards due today and this week, retention, the rules you miss most, reviews per day')
    .action((opts: PracticeOptions) => act(async (ctx) => (await import('../practice-loop.js')).practiceCommand(ctx, opts)))
}
