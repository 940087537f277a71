// Run derive in-process against a given DERIVE_HOME, optionally "on a terminal" with scripted
// prompts (the PromptIO of src/cli/context.ts).
import type { PromptIO } from '../../src/cli/context.js'
import { run } from '../../src/cli/main.js'
import type { Prompts } from '../../src/cli/prompts.js'
import type { CliResult } from './cli.js'

export interface RunOptions {
  /** stdin and stdout are terminals (prompts allowed, colour unless NO_COLOR). */
  readonly tty?: boolean
  readonly prompts?: Prompts
  readonly cwd?: string
  readonly env?: Record<string, string>
}

/** derive ARGS with DERIVE_HOME=home, output captured, colour off. */
export async function runIn(home: string, args: string[], o: RunOptions = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const io: PromptIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { DERIVE_HOME: home, NO_COLOR: '1', ...o.env },
    isTTY: o.tty ?? false,
    stdinTTY: o.tty ?? false,
    cwd: o.cwd ?? process.cwd(),
    ...(o.prompts ? { prompts: o.prompts } : {}),
  }
  const status = await run(args, io)
  return { status, stdout, stderr }
}
