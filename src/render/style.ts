// Colour for the terminal. The level is decided once by the CLI (--no-color, NO_COLOR, a pipe)
// and passed in: nothing below reads the environment.
import { Chalk, type ChalkInstance } from 'chalk'

export interface Style {
  readonly color: boolean
  readonly rule: (s: string) => string
  readonly id: (s: string) => string
  readonly hit: (s: string) => string
  readonly result: (s: string) => string
  readonly dim: (s: string) => string
  readonly warn: (s: string) => string
  readonly bad: (s: string) => string
  readonly good: (s: string) => string
}

/** A Style at a chalk level (0 = plain text). */
export function makeStyle(level: 0 | 1 | 2 | 3): Style {
  const c: ChalkInstance = new Chalk({ level })
  return {
    color: level > 0,
    rule: c.bold,
    id: c.cyan,
    hit: c.bgYellow.black,
    result: c.green,
    dim: c.dim,
    warn: c.yellow,
    bad: c.red.bold,
    good: c.green.bold,
  }
}
