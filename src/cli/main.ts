// The command line: global options, one registration per command, and the one error boundary
// that maps failures to exit codes (0 ok, 1 a negative answer, 2 bad input or usage).
import { EventEmitter } from 'node:events'
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

// Commander takes every argument that starts with "-" for an option, but negative log-likelihoods
// and gradients start with "-": "-log(p)" and "-x^2" are values. A real option keeps its shape
// (--name, --name=value, or a short flag a command declares), so anything else that starts with
// "-" is hidden from commander's option scanner behind a mark and handed back unmarked.
const MARK = '\u0000'

/** Is this argument an expression that merely starts with "-" (not an option)? */
export function isDashValue(arg: string, shortFlags: ReadonlySet<string>): boolean {
  if (arg.length < 2 || arg[0] !== '-' || arg === '--') return false
  if (/^--[A-Za-z][\w-]*(=.*)?$/s.test(arg)) return false
  return !shortFlags.has(arg)
}

const unmark = (a: unknown): unknown => (typeof a === 'string' && a.startsWith(MARK) ? a.slice(MARK.length) : a)

/** A commander Command that reads "-log(p)" as a value wherever it stands. */
class DeriveCommand extends Command {
  override createCommand(name?: string): Command {
    return new DeriveCommand(name)
  }
  override parseOptions(argv: string[]): { operands: string[]; unknown: string[] } {
    const shorts = new Set<string>(['-h']) // the help flag is not among `options`
    for (let c: Command | null = this; c; c = c.parent) for (const o of c.options) if (o.short) shorts.add(o.short)
    const r = super.parseOptions(argv.map((a) => (isDashValue(a, shorts) ? MARK + a : a)))
    return { operands: r.operands.map((a) => unmark(a) as string), unknown: r.unknown.map((a) => unmark(a) as string) }
  }
  // option values (`--goal -x`) reach the command through these events
  // (commander's Command is an EventEmitter, though its typings do not say so)
  emit(event: string | symbol, ...args: unknown[]): boolean {
    return EventEmitter.prototype.emit.call(this, event, ...args.map(unmark))
  }
}

/** The hint after commander's "too many arguments": an unquoted expression was split by the shell. */
function quoteHint(argv: readonly string[], expected: number): string {
  const i = argv.findIndex((a) => !a.startsWith('-'))
  const rest = argv.slice(i + 1).filter((a) => !a.startsWith('--'))
  const example = expected === 1 && rest.length ? `"${rest.join(' ')}"` : '"x + y"'
  return `; quote each expression that has spaces, as in: derive ${argv[i] ?? 'match'} ${example}`
}

/** Commander's error text, with the quoting hint after "too many arguments". */
function tooMany(text: string, argv: readonly string[]): string {
  const m = /too many arguments.*Expected (\d+)/.exec(text)
  return m ? `${text.trimEnd().replace(/\.$/, '')}${quoteHint(argv, Number(m[1]))}\n` : text
}

/** Run derive with these arguments; resolves to the exit status. Never throws. */
export async function run(argv: readonly string[], io: IO): Promise<number> {
  let status = 0
  const program = new DeriveCommand('derive')
    .description('A notebook of math rules and a pattern matcher for derivations, one step at a time.')
    .version(pkg.version, '-V, --version')
    .option('--library <path>', 'your rule library file (default: $DERIVE_HOME/library.json)')
    .option('--json', 'machine-readable output on stdout')
    .option('--no-color', 'plain text (also honours NO_COLOR)')
    .option('--vector <names>', 'these lowercase symbols are (column) vectors, e.g. --vector theta,y', (v: string, all: string[] = []) => [...all, v])
    .option('--latex', 'print answers (apply, match, why) as LaTeX')
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
      outputError: (t, write) => write(`derive: ${tooMany(t, argv)}`),
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
