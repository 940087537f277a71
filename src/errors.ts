// Expected failures a user can fix. The one boundary in main.ts turns them into a one-line
// message and exit status 2; anything else is a bug and says so.
import type { ParseError } from './core/parse.js'

/** Bad input or usage: exit status 2 with this one-line message. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** Extra lines shown only on a terminal (e.g. the input with a caret under the position). */
    readonly detail: string[] = [],
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A parse error as a UsageError naming what was being parsed ("expression", "TO", ...). */
export function parseFailure(e: ParseError, what = 'expression'): UsageError {
  const caret = `${' '.repeat(Math.max(0, e.position - 1) + 2)}^`
  // a pasted page of text is not echoed back whole
  const shown = e.input.length > 80 ? `${e.input.slice(0, 77)}...` : e.input
  const detail = e.input.length > 200 ? [] : [`  ${e.input}`, caret]
  return new UsageError(`cannot read ${what} "${shown}": ${e.reason} at position ${e.position}`, detail)
}
