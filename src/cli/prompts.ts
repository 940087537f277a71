// The questions derive asks on a terminal. Injected through the io (see PromptIO in context.ts) so
// tests can script the answers; a real run uses @inquirer/prompts on the process's terminal.
import type { confirm, input } from '@inquirer/prompts'

export interface InputQuestion {
  readonly message: string
  readonly default?: string
  /** Put the default in the line for editing (rules edit), instead of showing it as a hint. */
  readonly prefill?: boolean
  /** true, or the message shown under the prompt. */
  readonly validate?: (value: string) => true | string
}

export interface ConfirmQuestion {
  readonly message: string
  readonly default?: boolean
}

export interface Prompts {
  readonly input: (q: InputQuestion) => Promise<string>
  readonly confirm: (q: ConfirmQuestion) => Promise<boolean>
}

/** The inquirer prompt functions used (tests pass wrapped ones that draw on a virtual screen). */
export interface InquirerFns {
  readonly input: typeof input
  readonly confirm: typeof confirm
}

/** Prompts drawn by @inquirer/prompts (loaded on the first question: most runs ask none). */
export function inquirerPrompts(given?: InquirerFns): Prompts {
  const fns = async (): Promise<InquirerFns> => given ?? (await import('@inquirer/prompts'))
  return {
    input: async (q) =>
      (await fns()).input({
        message: q.message,
        ...(q.default !== undefined ? { default: q.default } : {}),
        ...(q.prefill ? { prefill: 'editable' as const } : {}),
        ...(q.validate ? { validate: q.validate } : {}),
      }),
    confirm: async (q) => (await fns()).confirm({ message: q.message, ...(q.default !== undefined ? { default: q.default } : {}) }),
  }
}

/** Did the user abandon a prompt (Ctrl+C, closed terminal)? */
export const isPromptExit = (e: unknown): boolean => e instanceof Error && e.name === 'ExitPromptError'
