// What every command gets: the io, the global options, the colour style, and the library.
import { existsSync } from 'node:fs'
import { ParseError, parseExpr, valueNames } from '../core/parse.js'
import type { Expr } from '../core/expr.js'
import { inferShapes, type ShapeSetting } from '../core/shape.js'
import { parseFailure, UsageError } from '../errors.js'
import { defaultLibraryPath } from '../library/paths.js'
import { type Library, loadLibrary } from '../library/library.js'
import { makeStyle, type Style } from '../render/style.js'
import type { IO } from './io.js'
import { inquirerPrompts, type Prompts } from './prompts.js'

/** An io that may bring its own prompts (tests script the answers); otherwise inquirer's are used. */
export interface PromptIO extends IO {
  readonly prompts?: Prompts
}

export interface GlobalOptions {
  library?: string
  json?: boolean
  color?: boolean
  /** --vector theta,y (the option may be repeated) */
  vector?: string[]
  latex?: boolean
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/

/** The names of --vector values ("theta,y" or "theta, y"); a bad name is a usage error. */
export function parseVectorOption(values: readonly string[]): string[] {
  const names = values.flatMap((v) => v.split(',')).map((n) => n.trim()).filter((n) => n !== '')
  for (const n of names) if (!NAME.test(n)) throw new UsageError(`--vector expects symbol names separated by commas (--vector theta,y), got "${n}"`)
  return [...new Set(names)]
}

export interface Context {
  readonly io: IO
  readonly json: boolean
  /** --latex: answers printed as LaTeX (apply, match, why); --json wins over it. */
  readonly latex: boolean
  readonly style: Style
  /** The user's own library file (may not exist yet). */
  readonly libraryPath: string
  /**
   * Loaded on first use. A --library file that does not exist is noted on stderr, except by the
   * commands that are about to create it (`writing`).
   */
  library(options?: { writing?: boolean }): Library
  /** Can we ask questions (stdin and stdout are terminals)? */
  readonly interactive: boolean
  readonly prompts: Prompts
  /**
   * What the symbols of these lines are (one derivation, or the two sides of a step): matrices by
   * the library, vectors declared (--vector, the library, `extra`) or inferred. Each inference is
   * announced once on stderr; shapes that do not fit are a usage error (exit 2).
   */
  shapes(lines: readonly Expr[], extra?: readonly string[]): ShapeSetting
  /**
   * Parse an argument, turning a parse error into a usage error naming the argument; readings are
   * announced. `others`: the lines read with it (the other side of a step), whose plain values are
   * values here too (p in "p - p^2" makes p(1 - p) a product).
   */
  parse(text: string, what?: string, others?: readonly string[]): Expr
  /**
   * Tell the user, once per run, how derive read something that is a choice ("reading σ(z) as
   * sigmoid(z)", "x' makes x a vector"): on stderr, or with --json in the output's "readings".
   */
  announce(reading: string): void
  /** What was announced so far, in order. */
  readonly readings: readonly string[]
  out(text: string): void
  /** A one-line remark on stderr ("derive: waiting for ..."), never on stdout. */
  note(message: string): void
  /** JSON on stdout, nothing else there. */
  outJson(value: unknown): void
}

/** Build the context from the global options. */
export function makeContext(io: PromptIO, g: GlobalOptions): Context {
  const noColor = g.color === false || (io.env.NO_COLOR ?? '') !== '' || g.json === true
  const forced = io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0'
  const level = noColor ? 0 : forced || io.isTTY ? 1 : 0
  const libraryPath = g.library ?? defaultLibraryPath(io.env)
  let library: Library | undefined
  const declared = parseVectorOption(g.vector ?? [])
  const announced = new Set<string>()
  const readings: string[] = []
  const announce = (reading: string): void => {
    if (readings.includes(reading)) return
    readings.push(reading)
    if (g.json !== true) io.stderr(`derive: ${reading}\n`)
  }
  const ctx: Context = {
    io,
    json: g.json === true,
    latex: g.latex === true && g.json !== true,
    style: makeStyle(level),
    libraryPath,
    library(options = {}) {
      if (library) return library
      if (g.library !== undefined && !options.writing && !existsSync(libraryPath)) {
        io.stderr(`derive: note: ${g.library} does not exist yet (the first \`derive rules add\` creates it); using the shipped rules only\n`)
      }
      // editing commands check the library in full (and write no cache inside their write phase)
      return (library = loadLibrary({ userLibrary: libraryPath, cache: options.writing !== true, env: io.env }))
    },
    shapes(lines, extra = []) {
      const lib = ctx.library()
      const r = inferShapes(lines, { matrices: lib.matrices, vectors: [...declared, ...lib.vectors, ...extra] })
      if (!r.ok) throw new UsageError(r.message)
      for (const reading of r.readings) {
        if (announced.has(reading.symbol)) continue
        announced.add(reading.symbol)
        io.stderr(`derive: ${reading.text}\n`)
      }
      return r.setting
    },
    interactive: io.stdinTTY && io.isTTY,
    get prompts() {
      return io.prompts ?? inquirerPrompts()
    },
    parse(text, what = 'expression', others = []) {
      try {
        return parseExpr(text, { announce, values: valueNames(others) })
      } catch (e) {
        if (e instanceof ParseError) throw parseFailure(e, what)
        throw e
      }
    },
    announce,
    readings,
    out: (t) => io.stdout(t.endsWith('\n') ? t : `${t}\n`),
    note: (m) => io.stderr(`derive: ${m}\n`),
    outJson: (v) => io.stdout(`${JSON.stringify(withReadings(v, readings, io), null, 2)}\n`),
  }
  return ctx
}

/**
 * A JSON result with the readings announced: an object gets a "readings" field; an array (whose
 * shape SPEC fixes) keeps it, and the readings go to stderr as one JSON line instead.
 */
function withReadings(value: unknown, readings: readonly string[], io: IO): unknown {
  if (readings.length === 0) return value
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { ...value, readings }
  io.stderr(`${JSON.stringify({ readings })}\n`)
  return value
}
