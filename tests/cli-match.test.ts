// derive match / apply through the CLI, on the shipped starter library (issue 2 "done when").
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { key } from '../src/core/equal.js'
import { matrixSymbols } from '../src/core/expr.js'
import { parseExpr } from '../src/core/parse.js'
import { compareExpressions } from '../src/core/verify.js'
import { derive, deriveProcess } from './helpers/cli.js'

interface MatchEntry {
  rule: string
  direction: string
  at: string
  subterm: string
  result: string
  assumes: string[]
}

const canon = (s: string): string => key(parseExpr(s), matrixSymbols(parseExpr(s), 'uppercase'))

async function matchJson(expr: string): Promise<MatchEntry[]> {
  const r = await derive(['match', expr, '--json'])
  expect(r.stderr).toBe('')
  return JSON.parse(r.stdout) as MatchEntry[]
}
const results = async (expr: string): Promise<string[]> => (await matchJson(expr)).map((m) => canon(m.result))

describe('derive match on the starter library', () => {
  it('log(x * y): the log-of-a-product rule with its assumptions', async () => {
    const fits = await matchJson('log(x * y)')
    const hit = fits.find((f) => canon(f.result) === canon('log(x) + log(y)'))
    expect(hit).toBeDefined()
    expect(hit!.rule).toBe('log-product')
    expect(hit!.at).toBe('.')
    expect(hit!.assumes).toEqual(['x > 0', 'y > 0'])
  })
  it('diff(x^3, x): the power rule gives 3 * x ^ 2', async () => {
    const fits = await matchJson('diff(x^3, x)')
    expect(fits.map((f) => f.result)).toContain('3 * x ^ 2')
  })
  it('pulls a constant out of a sum, never the index', async () => {
    expect(await results('sum(c * x[i], i, 1, n)')).toContain(canon('c * sum(x[i], i, 1, n)'))
    const bad = await results('sum(i * x[i], i, 1, n)')
    expect(bad).not.toContain(canon('i * sum(x[i], i, 1, n)'))
    expect(bad.some((r) => /^\*\(i,/.test(r) || r.includes('*(i,sum'))).toBe(false)
  })
  it('inverse and transpose of a product reverse the order', async () => {
    const inv = await results('inv(A * B)')
    expect(inv).toContain(canon('inv(B) * inv(A)'))
    expect(inv).not.toContain(canon('inv(A) * inv(B)'))
    const tr = await results("(A * B)'")
    expect(tr).toContain(canon("B' * A'"))
    expect(tr).not.toContain(canon("A' * B'"))
  })
  it('log(x * y * z): each distinct split once', async () => {
    const fits = (await matchJson('log(x * y * z)')).filter((f) => f.rule === 'log-product')
    const keys = fits.map((f) => canon(f.result))
    expect(new Set(keys).size).toBe(keys.length)
    for (const want of ['log(x) + log(y * z)', 'log(y) + log(x * z)', 'log(z) + log(x * y)']) expect(keys).toContain(canon(want))
  })
  it('no fit is an answer, not an error', async () => {
    const r = await derive(['match', 'q'])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('no rule fits')
  })
})

describe('every one-rule lecture step is offered by match', () => {
  const items = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'steps.json'), 'utf8')) as {
    id: string
    from: string
    to: string
    steps: number
    equal: boolean
  }[]
  for (const item of items.filter((i) => i.equal && i.steps === 1)) {
    it(`${item.id}: ${item.from} -> ${item.to}`, async () => {
      const fits = await matchJson(item.from)
      const target = parseExpr(item.to)
      const found = fits.some(
        (f) => canon(f.result) === canon(item.to) || compareExpressions(parseExpr(f.result), target).verdict === 'equal',
      )
      expect(found, fits.map((f) => `${f.rule}: ${f.result}`).join('\n')).toBe(true)
    })
  }
})

describe('errors: one line, exit 2', () => {
  it('a parse error names the position', async () => {
    const r = await derive(['match', 'log(x *'])
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('position 8')
  })
  it('on a terminal the input is shown with a caret', async () => {
    const r = await derive(['match', 'log(x *'], { tty: true })
    expect(r.stderr).toContain('  log(x *\n         ^')
  })
  it('a long input is not echoed back whole', async () => {
    const r = await derive(['match', `${'x + '.repeat(100)}`], { tty: true })
    expect(r.status).toBe(2)
    expect(r.stderr.length).toBeLessThan(300)
  })
  it('an unknown rule is named', async () => {
    const r = await derive(['apply', 'log(x*y)', 'no-such-rule'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('unknown rule "no-such-rule"')
  })
  it('a mistyped rule id gets a suggestion', async () => {
    const r = await derive(['apply', 'log(x*y)', 'log-prodcut'])
    expect(r.stderr).toContain('did you mean log-product')
  })
  it('an unknown command or option exits 2', async () => {
    expect((await derive(['frobnicate'])).status).toBe(2)
    expect((await derive(['match', 'x', '--bogus'])).status).toBe(2)
  })
  it('--reverse on a rule that is not reversible exits 2 with one line', async () => {
    const r = await derive(['apply', 'diff(x^3, x)', 'diff-power', '--reverse'])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('derive: error: rule "diff-power" is not reversible, so --reverse cannot be used\n')
  })
  it('an expression nested too deeply exits 2 with one line', async () => {
    const r = await derive(['match', `${'exp('.repeat(300)}x${')'.repeat(300)}`])
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('nested too deeply')
  })
  it('a malformed --at exits 2', async () => {
    const r = await derive(['apply', 'log(x*y)', 'log-product', '--at', 'first'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('--at')
  })
})

describe('derive apply', () => {
  it('applies the first fit and prints the new expression', async () => {
    const r = await derive(['apply', 'log(x * y)', 'log-product', '--json'])
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ rule: 'log-product', direction: 'forward', at: '.', from: 'log(x * y)', to: 'log(x) + log(y)', assumes: ['x > 0', 'y > 0'] })
  })
  it('takes a position from match', async () => {
    const fits = await matchJson('exp(log(a)) + log(x * y)')
    const at = fits.find((f) => f.rule === 'log-product')!.at
    const r = await derive(['apply', 'exp(log(a)) + log(x * y)', 'log-product', '--at', at])
    expect(r.stdout.split('\n')[0]).toBe('exp(log(a)) + log(x) + log(y)')
  })
  it('reverse folds the logs back', async () => {
    const r = await derive(['apply', 'log(x) + log(y)', 'log-product', '--reverse', '--json'])
    expect(JSON.parse(r.stdout).to).toBe('log(x * y)')
  })
  it('a rule that does not fit is a negative answer', async () => {
    const r = await derive(['apply', 'log(x + y)', 'log-product'])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('does not fit')
  })
})

describe('the executable', () => {
  it('runs as a process with --version, --help and plain output when piped', async () => {
    const v = await deriveProcess(['--version'])
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
    const h = await deriveProcess(['--help'])
    expect(h.status).toBe(0)
    expect(h.stdout).toContain('match')
    const m = await deriveProcess(['match', 'log(x * y)'], { env: { FORCE_COLOR: '' } })
    expect(m.status).toBe(0)
    expect(m.stdout).not.toContain('\x1b[')
  })
  it('honours --no-color even when colour is forced', async () => {
    const r = await derive(['--no-color', 'match', 'log(x * y)'], { tty: true, env: { FORCE_COLOR: '1' } })
    expect(r.stdout).not.toContain('\x1b[')
    const c = await derive(['match', 'log(x * y)'], { tty: true, env: { FORCE_COLOR: '1' } })
    expect(c.stdout).toContain('\x1b[')
  })
})
