// Run an interactive derive command in-process on a pretend terminal whose prompts give scripted
// answers, each checked against the prompt's own validation as a real prompt would.
import type { PromptIO } from '../../src/cli/context.js'
import { run } from '../../src/cli/main.js'
import type { ConfirmQuestion, InputQuestion, Prompts } from '../../src/cli/prompts.js'

/** An answer: fixed, or chosen from what the command has printed so far (e.g. a fit's number). */
export type Answer = string | boolean | ((screen: string) => string)

export interface Session {
  status: number
  stdout: string
  stderr: string
  /** The questions asked, in order. */
  asked: string[]
}

/**
 * derive ARGS on a pretend terminal (DERIVE_HOME = cwd = home, no colour, plus `env`) with prompts
 * that give the scripted answers in order; when they run out the user presses Ctrl+C.
 */
export async function runScripted(home: string, args: string[], answers: Answer[], env: Record<string, string> = {}): Promise<Session> {
  const r: Session = { status: -1, stdout: '', stderr: '', asked: [] }
  const next = (q: InputQuestion | ConfirmQuestion): Answer => {
    r.asked.push(q.message)
    const a = answers.shift()
    if (a === undefined) throw Object.assign(new Error('script ended'), { name: 'ExitPromptError' })
    return a
  }
  const prompts: Prompts = {
    input: async (q) => {
      const a = next(q)
      const text = typeof a === 'function' ? a(r.stdout) : a
      if (typeof text !== 'string') throw new Error(`"${q.message}" wants text, the script has ${String(text)}`)
      const valid = q.validate?.(text) ?? true
      if (valid !== true) throw new Error(`"${q.message}" refuses "${text}": ${valid}`)
      return text
    },
    confirm: async (q) => {
      const a = next(q)
      if (typeof a !== 'boolean') throw new Error(`"${q.message}" wants yes or no, the script has ${String(a)}`)
      return a
    },
  }
  const io: PromptIO = {
    stdout: (t) => void (r.stdout += t),
    stderr: (t) => void (r.stderr += t),
    env: { DERIVE_HOME: home, NO_COLOR: '1', ...env },
    isTTY: true,
    stdinTTY: true,
    cwd: home,
    prompts,
  }
  r.status = await run(args, io)
  return r
}
