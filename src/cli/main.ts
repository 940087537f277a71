// The command line: global options, one registration per command, and the one error boundary
// that maps failures to exit codes (0 ok, 1 a negative answer, 2 bad input or usage).
import { Command, CommanderError } from 'commander'
import pkg from '../../package.json' with { type: 'json' }
import { UsageError } from '../errors.js'
import { registerApply } from './commands/apply.js'
import { registerCheck } from './commands/check.js'
import { registerExport } from './commands/export.js'
import { registerExplain } from './commands/explain.js'
import { registerMatch } from './commands/match.js'
import { registerPractice } from './commands/practice.js'
import { registerRules } from './commands/rules.js'
import { registerShow } from './commands/show.js'
import { registerStep } from './commands/step.js'
import { registerWhy } from './commands/why.js'
import { type Context, type GlobalOptions, makeContext } from './context.js'
import type { IO } from './io.js'

/** A command body: returns its exit status. */
export type Action = (ctx: Context) => Promise<number> | number

/** Registers commands on the program; `act` runs a command body and records its exit status. */
export type Register = (program: Command, act: (action: Action) => Promise<void>) => void

const REGISTRY: Register[] = [registerMatch, registerApply, registerRules, registerWhy, registerCheck, registerExplain, registerStep, registerShow, registerExport, registerPractice]

/** Run derive with these arguments; resolves to the exit status. Never throws. */
export async function run(argv: readonly string[], io: IO): Promise<number> {
  let status = 0
  const program = new Command('derive')
    .description('A notebook of math rules and a pattern matcher for derivations, one step at a time.')
    .version(pkg.version, '-V, --version')
    .option('--library <path>', 'your rule library file (default: $DERIVE_HOME/library.json)')
    .option('--json', 'machine-readable output on stdout')
    .option('--no-color', 'plain text (also honours NO_COLOR)')
    .option('--vector <names>', 'these lowercase symbols are (column) vectors, e.g. --vector theta,y', (v: string, all: string[] = []) => [...all, v])
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  derive match "log(x * y)"                     every rule that fits, and what it gives',
        '  derive apply "log(x * y)" log-product         one step',
        '  derive why "diff(x^2, x)" "2 * x + 1"         which rule connects two lines, or a counterexample',
        '  derive check homework.txt                     every step of a derivation',
        '  derive rules add                              record a rule you met in a lecture',
        '',
        'Exit status: 0 ok, 1 a negative answer (no fit, not equal, a wrong step), 2 bad input.',
      ].join('\n'),
    )
    .exitOverride()
    .configureOutput({
      writeOut: (t) => io.stdout(t),
      writeErr: (t) => io.stderr(t),
      outputError: (t, write) => write(`derive: ${t.replace(/^error: /, 'error: ')}`),
    })
  const act = async (action: Action): Promise<void> => {
    status = await action(makeContext(io, program.opts<GlobalOptions>()))
  }
  for (const register of REGISTRY) register(program, act)
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput())
  try {
    await program.parseAsync(argv, { from: 'user' })
    return status
  } catch (e) {
    return report(e, io)
  }
}

function report(e: unknown, io: IO): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0
    return 2
  }
  if (e instanceof UsageError) {
    io.stderr(`derive: error: ${e.message}\n`)
    if (io.isTTY && e.detail.length) io.stderr(`${e.detail.join('\n')}\n`)
    return 2
  }
  const err = e as Error
  io.stderr(`derive: internal error: ${err?.message ?? String(e)} (this is a bug in derive; set DERIVE_DEBUG=1 for details)\n`)
  if (io.env.DERIVE_DEBUG) io.stderr(`${err?.stack ?? ''}\n`)
  return 2
}
