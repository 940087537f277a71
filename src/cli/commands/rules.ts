// derive rules ...: the command group. Only the options live here; each command's body is loaded
// on demand (rules-view, rules-add, rules-import, rules-check), so `derive match` never loads
// the prompts, the lock or the numeric verifier.
import type { Command } from 'commander'
import type { RuleFilter } from '../../library/query.js'
import type { Register } from '../main.js'
import type { RuleFlags } from './rules-add.js'
import type { ImportFlags } from './rules-import.js'

const view = () => import('./rules-view.js')
const change = () => import('./rules-add.js')

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** The options shared by add and edit. */
function ruleOptions(cmd: Command): Command {
  return cmd
    .option('--name <text>', 'a short name, e.g. "log of a product"')
    .option('--lhs <expr>', 'the pattern, e.g. "log(a * b)"')
    .option('--rhs <expr>', 'what it becomes, e.g. "log(a) + log(b)"')
    .option('--where <condition>', 'a condition such as "a > 0" or "free(c, i)" (repeat for more; "" for none)', collect)
    .option('--reversible', 'the rule may also be applied right to left')
    .option('--no-reversible', 'only left to right')
    .option('--kind <kind>', '"rule" (default) or "definition"')
    .option('--idea <text>', 'the idea behind the rule, in words')
    .option('--source <text>', 'where you saw it, e.g. "Lecture 3, slide 12"')
    .option('--tag <tag>', 'a tag (repeat for more)', collect)
    .option('--example <expr>', 'an expression the rule applies to (repeat for more)', collect)
    .option('--literal <name>', 'a symbol of the left side that is not a wildcard (repeat for more)', collect)
    .option('--force', 'save even if the numeric check refutes the rule or cannot verify it (it is marked unverified)')
}

export const registerRules: Register = (program, act) => {
  const rules = program.command('rules').description('your rule library: list, show, add, edit, remove, check, import, export')
  rules
    .command('list')
    .description('one line per rule (id, name, lhs → rhs), grouped by pack')
    .option('--tag <tag>', 'only rules with this tag')
    .option('--pack <name>', 'only this pack ("yours" is your own library)')
    .option('--search <text>', 'only rules whose id, name, sides, idea, source or tags contain this text')
    .action((opts: RuleFilter) => act(async (ctx) => (await view()).listRules(ctx, opts)))
  rules
    .command('show')
    .description('everything about a rule, and which stored examples it fits')
    .argument('<id>', 'a rule id')
    .action((id: string) => act(async (ctx) => (await view()).showRule(ctx, id)))
  ruleOptions(rules.command('add').description('add a rule to your library (asks on a terminal when no flags are given)'))
    .option('--id <id>', 'the rule id (default: made from the name)')
    .action((f: RuleFlags) => act(async (ctx) => (await change()).addCommand(ctx, f)))
  ruleOptions(rules.command('edit').description('change one of your rules (a shipped rule is copied into your library)'))
    .argument('<id>', 'the rule to change')
    .action((id: string, f: RuleFlags) => act(async (ctx) => (await change()).editCommand(ctx, id, f)))
  rules
    .command('remove')
    .description('remove one of your rules')
    .argument('<id>', 'the rule to remove')
    .option('-y, --yes', 'do not ask for confirmation')
    .action((id: string, o: { yes?: boolean }) => act(async (ctx) => (await change()).removeCommand(ctx, id, o.yes === true)))
  rules
    .command('check')
    .description('verify rules numerically: verified, refuted (with a counterexample) or unverifiable')
    .argument('[ids...]', 'only these rules (default: all)')
    .option('--pack <name>', 'only the rules of this pack')
    .action((ids: string[], o: { pack?: string }) => act(async (ctx) => (await import('./rules-check.js')).checkCommand(ctx, ids, o.pack)))
  rules
    .command('import')
    .description("add a pack of rules (e.g. a classmate's) to your library; nothing is written unless the whole file is fine")
    .argument('<file>', 'a rule file (derive-rules/1)')
    .option('--skip', 'keep your rule when an id clashes')
    .option('--replace', "take the pack's rule when an id clashes")
    .option('--rename', "keep both: the pack's rule gets a new id (id-2, ...)")
    .option('--force', 'import rules the numeric check refutes or cannot verify, marked unverified')
    .action((file: string, f: ImportFlags) => act(async (ctx) => (await import('./rules-import.js')).importCommand(ctx, file, f)))
  rules
    .command('export')
    .description('your own rules as a pack file to share (stdout unless -o)')
    .option('--tag <tag>', 'only rules with this tag')
    .option('-o, --output <file>', 'write the pack to this file')
    .action((opts: { tag?: string; output?: string }) => act(async (ctx) => (await view()).exportRules(ctx, opts)))
  // main.ts routes top-level commands' errors through its boundary; do the same one level down
  for (const sub of rules.commands) sub.exitOverride().configureOutput(program.configureOutput())
  rules.exitOverride().configureOutput(program.configureOutput())
}
