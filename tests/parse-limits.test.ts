// Input that could drive a recursive parser or tree walk past the stack is refused before any
// expensive work, with one clear error (exit status 2), never "Maximum call stack size exceeded".
import { describe, expect, it } from 'vitest'
import { parseMathjs } from '../src/core/mathjs.js'
import { MAX_DEPTH, MAX_LENGTH, parseExpr } from '../src/core/parse.js'
import { derive } from './helpers/cli.js'

const chains: [string, (n: number) => string][] = [
  ['a sum of many terms', (n) => Array(n).fill('a').join(' + ')],
  ['a chain of transposes', (n) => `x${"'".repeat(n)}`],
  ['a chain of indices', (n) => `x${'[i]'.repeat(n)}`],
  ['a run of minus signs', (n) => `${'-'.repeat(n)}x`],
  ['a chain of divisions', (n) => Array(n).fill('x').join('/')],
  ['a tower of powers', (n) => Array(n).fill('x').join('^')],
  ['nested parentheses', (n) => `${'('.repeat(n)}x${')'.repeat(n)}`],
  ['nested calls', (n) => `${'f('.repeat(n)}x${')'.repeat(n)}`],
  ['nested LaTeX braces', (n) => `\\sqrt${'{'.repeat(n)}x${'}'.repeat(n)}`],
  ['nested LaTeX commands without braces', (n) => `${'\\sqrt '.repeat(n)}x`],
  ['a LaTeX run of signs', (n) => `\\alpha ${'-'.repeat(n)}x`],
]

describe('huge and deeply nested input', () => {
  it.each(chains)('%s (5,000 deep) gives a clear error or a result, never a stack overflow', (_name, make) => {
    const text = make(5000)
    try {
      parseExpr(text)
    } catch (e) {
      expect((e as Error).name).toBe('ParseError')
      expect((e as Error).message).not.toMatch(/call stack/)
    }
  })

  it('a sum of 5,000 terms is one flat sum, read in full', () => {
    const e = parseExpr(Array(5000).fill('a').join(' + '))
    expect(e.kind === 'call' && e.args.length).toBe(5000)
  })

  it.each([
    ['x' + "'".repeat(MAX_DEPTH + 1)],
    ['-'.repeat(MAX_DEPTH + 1) + 'x'],
    ['x' + '[i]'.repeat(MAX_DEPTH + 1)],
    [Array(MAX_DEPTH + 2).fill('x').join('^')],
  ])('just past the nesting limit is refused: %#', (text) => {
    expect(() => parseExpr(text)).toThrow(/nested too deeply/)
  })

  it('at the nesting limit of each kind, mathjs itself still has stack to spare', () => {
    // what the text estimate lets through must parse without a RangeError (mathjs recurses)
    // (a bracket counts 2 levels: mathjs spends far more stack on it than on a sign or a power)
    const brackets = MAX_DEPTH / 2
    for (const text of [`${'('.repeat(brackets)}x${')'.repeat(brackets)}`, `${'f('.repeat(brackets)}x${')'.repeat(brackets)}`, `${'-'.repeat(MAX_DEPTH)}x`, Array(MAX_DEPTH + 1).fill('x').join('^')]) {
      expect(() => parseExpr(text)).not.toThrow()
      expect(() => parseMathjs(text)).not.toThrow()
    }
    expect(() => parseExpr(`${'('.repeat(brackets + 1)}x${')'.repeat(brackets + 1)}`)).toThrow(/nested too deeply/)
    // and mathjs survives twice that (measured: 260-350 nested brackets in a vitest worker)
    expect(() => parseMathjs(`${'f('.repeat(2 * brackets)}x${')'.repeat(2 * brackets)}`)).not.toThrow()
  })

  it('an expression longer than the size limit is refused before parsing', () => {
    expect(() => parseExpr('x + '.repeat(MAX_LENGTH / 4) + 'x')).toThrow(/too long/)
    expect(() => parseExpr('\\alpha + '.repeat(MAX_LENGTH / 8) + 'x')).toThrow(/too long/)
  })

  it.each([
    ['explain', Array(5000).fill('a').join(' + ')],
    ['match', `x${"'".repeat(5000)}`],
    ['match', `x${'[i]'.repeat(5000)}`],
    ['match', `${'-'.repeat(5000)}x`],
    ['explain', Array(5000).fill('x').join('/')],
    ['match', Array(5000).fill('x').join('^')],
    ['explain', `x${'[i]'.repeat(5000)}`],
  ])('derive %s on a 5-60 KB chain ends with exit 0, 1 or 2 and no internal error (%#)', async (cmd, text) => {
    const r = await derive([cmd, text])
    expect(r.stderr).not.toContain('internal error')
    expect([0, 1, 2]).toContain(r.status)
    if (r.status === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})
