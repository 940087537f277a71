// derive why / derive check (issue 5 "done when").
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseExpr } from '../src/core/parse.js'
import { compileRule, type Rule } from '../src/core/rule.js'
import { compareExpressions } from '../src/core/verify.js'
import { why } from '../src/core/why.js'
import { loadLibrary } from '../src/library/library.js'
import { derive, tempHome } from './helpers/cli.js'

interface WhyJson {
  verdict: string
  steps?: { rule: string; kind: string; from: string; to: string }[]
  counterexample?: { values: Record<string, unknown>; from: unknown; to: unknown }
  suggestion?: { command: string }
  disagreement?: { from: string; to: string }
}

async function whyJson(from: string, to: string, extra: string[] = []): Promise<{ status: number; body: WhyJson; stderr: string }> {
  const r = await derive(['why', from, to, '--json', ...extra])
  return { status: r.status, body: JSON.parse(r.stdout) as WhyJson, stderr: r.stderr }
}

const items = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'steps.json'), 'utf8')) as {
  id: string
  from: string
  to: string
  equal: boolean
}[]

describe('why on real lecture steps', () => {
  for (const item of items) {
    it(`${item.id}: ${item.equal ? 'explained' : 'not-equal'}`, async () => {
      const { status, body, stderr } = await whyJson(item.from, item.to)
      expect(stderr).toBe('')
      if (item.equal) {
        expect(body.verdict).toBe('explained')
        expect(body.steps!.some((s) => s.kind === 'rule')).toBe(true)
        expect(status).toBe(0)
      } else {
        expect(body.verdict).toBe('not-equal')
        expect(Object.keys(body.counterexample!.values).length).toBeGreaterThan(0)
        expect(status).toBe(1)
      }
    })
  }
})

describe('why: what counts as the same', () => {
  it('reordering is free: one rule explains log(x * y) = log(y) + log(x)', async () => {
    const { body } = await whyJson('log(x * y)', 'log(y) + log(x)')
    expect(body.verdict).toBe('explained')
    expect(body.steps!.map((s) => s.rule)).toEqual(['log-product'])
  })
  it('renaming a bound variable needs no rule', async () => {
    const { body } = await whyJson('sum(x[i], i, 1, n)', 'sum(x[j], j, 1, n)')
    expect(body).toEqual({ verdict: 'explained', steps: [], assumes: [] })
  })
  it('arithmetic on numbers is free', async () => {
    const { body } = await whyJson('2 * 3 * x', '6 * x')
    expect(body.verdict).toBe('explained')
    expect(body.steps).toEqual([])
  })
  it('algebra steps are labelled as algebra, never as a rule', async () => {
    const { body } = await whyJson('x + x + y', '2 * x + y')
    expect(body.verdict).toBe('explained')
    expect(body.steps!.every((s) => s.kind === 'algebra' && s.rule.startsWith('algebra:'))).toBe(true)
  })
})

describe('why: not equal', () => {
  it('diff(x^2, x) is not 2 * x + 1: counterexample, exit 1', async () => {
    const r = await derive(['why', 'diff(x^2, x)', '2 * x + 1'])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('not equal')
    expect(r.stdout).toMatch(/x = -?\d/)
    const { body } = await whyJson('diff(x^2, x)', '2 * x + 1')
    expect(body.verdict).toBe('not-equal')
    expect(body.counterexample!.values).toHaveProperty('x')
  })
  it('points at the innermost subterm that differs', async () => {
    const { body } = await whyJson('exp(a) * log(x * y) + c', 'exp(a) * log(x + y) + c')
    expect(body.verdict).toBe('not-equal')
    expect(body.disagreement).toEqual({ from: 'x * y', to: 'x + y' })
  })
  it('bad input exits 2 naming which line', async () => {
    const r = await derive(['why', 'log(x)', 'log(x'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('TO')
  })
})

describe('why: equal but unexplained', () => {
  it('suggests the rules add command that records the step', async () => {
    const { status, body } = await whyJson('sqrt(x^2 + 2*x + 1)', 'abs(x + 1)', ['--depth', '1'])
    expect(status).toBe(0)
    expect(body.verdict).toBe('equal-unexplained')
    expect(body.suggestion!.command).toContain('derive rules add')
  })
})

// The logistic-loss searches run the whole shipped library through a deep search in a child
// process: seconds of work that grows with the packs, so they get more than the default 5 s.
const LONG_SEARCH = 60_000

describe('why: generalising a suggested rule soundly', () => {
  it('keeps the differentiation variable a symbol and the rest free of it, and the rule verifies', async () => {
    const from = 'diff(y*log(sigmoid(z)) + (1-y)*log(1-sigmoid(z)), z)'
    // a short search, so that no chain is found and a rule is suggested
    const { body } = await whyJson(from, 'y - sigmoid(z)', ['--depth', '2'])
    expect(body.verdict).toBe('equal-unexplained')
    expect(body.suggestion!.command).toContain("--where 'symbol(z)' --where 'free(y, z)'")
    expect(body.suggestion!.command).not.toContain('--literal')
  }, LONG_SEARCH)
})

describe('why: a suggested rule is short', () => {
  it('a sum\'s index needs no symbol(i), and a list indexed by it no free(w, i)', async () => {
    const from = 'sum(sin(w[i])^4 - cos(w[i])^4, i, 1, n)'
    const { body } = await whyJson(from, 'sum(sin(w[i])^2 - cos(w[i])^2, i, 1, n)', ['--depth', '1'])
    expect(body.verdict).toBe('equal-unexplained')
    const command = body.suggestion!.command
    for (const needless of ['symbol(i)', 'free(w, i)', 'free(n, i)']) expect(command).not.toContain(needless)
  })
  it('a derivative inside a sum keeps symbol(x) for its variable only', async () => {
    const { body } = await whyJson('sum(diff(x^2*w[i], x), i, 1, n)', 'sum(2*x*w[i], i, 1, n)', ['--depth', '0'])
    expect(body.verdict).toBe('equal-unexplained')
    const command = body.suggestion!.command
    expect(command).toContain("symbol(x)")
    for (const needless of ['symbol(i)', 'free(w, i)', 'free(i, x)', 'free(n, x)']) expect(command).not.toContain(needless)
  })
})

describe('why: a suggested rule is accepted by rules add', () => {
  it.each([
    ['sqrt(x^2 + 2*x + 1)', 'abs(x + 1)'],
    ['sum(log(1/(sqrt(2*pi)*sigma)*exp(-(y[i]-theta*x[i])^2/(2*sigma^2))), i, 1, n)', 'n*log(1/(sqrt(2*pi)*sigma)) - 1/(2*sigma^2)*sum((y[i]-theta*x[i])^2, i, 1, n)'],
    ['sum(sin(w[i])^4 - cos(w[i])^4, i, 1, n)', 'sum(sin(w[i])^2 - cos(w[i])^2, i, 1, n)'],
    ['sum(diff(x^2*w[i], x), i, 1, n)', 'sum(2*x*w[i], i, 1, n)'],
  ])('%s = %s', async (from, to) => {
    const { body } = await whyJson(from, to, ['--depth', '1'])
    expect(body.verdict).toBe('equal-unexplained')
    const s = body.suggestion as unknown as { id: string; name: string; lhs: string; rhs: string; where?: string[]; literals?: string[]; unverified?: boolean }
    expect(s.unverified).toBeUndefined()
    const args = ['rules', 'add', '--id', s.id, '--name', s.name, '--lhs', s.lhs, '--rhs', s.rhs]
    for (const w of s.where ?? []) args.push('--where', w)
    for (const l of s.literals ?? []) args.push('--literal', l)
    const home = tempHome()
    const added = await derive(args, { env: { DERIVE_HOME: home } })
    expect(added.stderr).toBe('')
    expect(added.status).toBe(0)
    // and the step is now explained by it
    const again = await derive(['why', from, to, '--json'], { env: { DERIVE_HOME: home } })
    expect(JSON.parse(again.stdout).verdict).toBe('explained')
  })
})

describe('why: long lecture steps with a larger --depth (guided search)', () => {
  it('the gradient of the logistic loss, step by step with library rules', async () => {
    const { status, body } = await whyJson('diff(y*log(sigmoid(z)) + (1-y)*log(1-sigmoid(z)), z)', 'y - sigmoid(z)', ['--depth', '12', '--time-limit', '30'])
    expect(status).toBe(0)
    expect(body.verdict).toBe('explained')
    const rules = body.steps!.filter((s) => s.kind === 'rule').map((s) => s.rule)
    expect(rules.length).toBeGreaterThan(3)
    expect(rules).toContain('diff-sum')
    // each step starts where the one before ended
    body.steps!.forEach((s, i) => i > 0 && expect(s.from).toBe(body.steps![i - 1]!.to))
  }, LONG_SEARCH)
  it('a search that stops short of the chain says how to look further', async () => {
    const r = await derive(['why', 'diff(y*log(sigmoid(z)) + (1-y)*log(1-sigmoid(z)), z)', 'y - sigmoid(z)', '--depth', '2'])
    expect(r.stdout).toContain('--depth 16')
  }, LONG_SEARCH)
  it('a depth out of range is refused', async () => {
    const r = await derive(['why', 'x', 'x', '--depth', '99'])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('derive: error: --depth must be a whole number from 0 to 20, got "99"\n')
  })
})

describe('why: a rule applied at several places at once', () => {
  it('names the first place and counts the others', async () => {
    const r = await derive(['why', 'exp(a + c)/(exp(a + c) + exp(b + c) + exp(d + c) + exp(f + c))', 'exp(a)/(exp(a) + exp(b) + exp(d) + exp(f))'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('1. exp of a sum [exp-of-sum] on exp(a + c) and 4 more places\n')
    expect(r.stdout).toContain('2. algebra: factor out and cancel\n')
  })
})

describe('why: routine algebra alone', () => {
  it('(x + y)^2 = x^2 + 2xy + y^2 is one labelled algebra step', async () => {
    const { body } = await whyJson('(x + y)^2', 'x^2 + 2*x*y + y^2')
    expect(body.verdict).toBe('explained')
    expect(body.steps!.map((s) => [s.kind, s.rule])).toEqual([['algebra', 'algebra: expand and collect']])
  })
})

describe('why: the search is bounded', () => {
  it('an unreachable target with a large library stops within its budget', () => {
    const lib = loadLibrary()
    const extra: Rule[] = Array.from({ length: 400 }, (_, k) =>
      compileRule({ id: `noise-${k}`, name: `noise ${k}`, lhs: `f${k}(a * b)`, rhs: `f${k}(b) * f${k}(a)`, reversible: true }, { pack: 'noise', matrices: 'uppercase' }),
    )
    const rules = [...lib.rules, ...extra]
    const from = parseExpr('log(x * y * z) + exp(a + b + c) * sum(u[i] * v[i], i, 1, n)')
    const to = parseExpr('sin(q) + 1')
    const result = why(from, to, rules, { depth: 4, maxNodes: 150, compare: (a, b) => compareExpressions(a, b) })
    expect(['not-equal', 'equal-unexplained']).toContain(result.verdict)
    expect(result.explored).toBeLessThanOrEqual(150)
  })
})

describe('derive check', () => {
  const file = (text: string): string => {
    const p = join(tempHome(), 'derivation.txt')
    writeFileSync(p, text)
    return p
  }
  it('reports exactly the wrong step of a five-line derivation, exit 1', async () => {
    const p = file(['# homework 2, question 1', 'log(x^2 * y)', '= log(x^2) + log(y)   # by log-product', '= 2 * log(x) + log(y)', '= log(y) + 2 * log(x)', '= log(y) + 3 * log(x)', ''].join('\n'))
    const r = await derive(['check', p, '--json'])
    expect(r.status).toBe(1)
    const steps = JSON.parse(r.stdout) as (WhyJson & { line: number })[]
    expect(steps.map((s) => s.verdict)).toEqual(['explained', 'explained', 'explained', 'not-equal'])
    expect(steps[3]!.line).toBe(6)
    const text = await derive(['check', p])
    expect(text.stdout).toMatch(/6\s+not-equal/)
    expect(text.stdout).toContain('1 wrong step')
  })
  it('a step that could not be checked is not "every step holds": exit 1, and the summary counts it', async () => {
    const p = file('log(x^2)\n2*log(x)\n0/0\n')
    const r = await derive(['check', p])
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/3\s+unknown/)
    expect(r.stdout).toContain('1 step could not be checked')
    expect(r.stdout).not.toContain('every step holds')
    const both = await derive(['check', file('x + x\n3*x\n0/0\n')])
    expect(both.stdout).toContain('1 wrong step, 1 step could not be checked')
  })
  it('every verdict shows the conditions it needs in plain output', async () => {
    const r = await derive(['check', file('log(x^2) + y\n2*log(x) + y\n')])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/2\s+explained\s+log-power, provided x > 0/)
    const w = await derive(['why', 'log(x^2)', '2*log(x)'])
    expect(w.stdout).toContain('holds provided x > 0')
  })
  it('why exits 1 when it cannot tell (SPEC §4)', async () => {
    const r = await derive(['why', '0/0', '0'])
    expect(r.stdout).toContain('cannot tell')
    expect(r.status).toBe(1)
  })
  it('a claimed rule that does not give the step is reported', async () => {
    const p = file('log(x * y)\nlog(x) + log(y)   # by log-quotient\n')
    const r = await derive(['check', p, '--json'])
    const [step] = JSON.parse(r.stdout) as { claimed: { rule: string; holds: boolean } }[]
    expect(step!.claimed).toEqual({ rule: 'log-quotient', holds: false })
  })
  it('checks a saved derivation, with algebra and by-hand steps that are not rule claims', async () => {
    const p = join(tempHome(), 'saved.json')
    const step = (rule: string, from: string, to: string) => ({ rule, direction: 'forward', at: '.', from, to, assumes: [] })
    writeFileSync(
      p,
      JSON.stringify({
        format: 'derive-derivation/1',
        start: 'log(x * y)',
        steps: [step('log-product', 'log(x * y)', 'log(x) + log(y)'), step('algebra: collect like terms', 'log(x) + log(y)', 'log(y) + log(x)'), step('by hand (numerically checked)', 'log(y) + log(x)', 'log(y) + log(x) + 0')],
      }),
    )
    const r = await derive(['check', p, '--json'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect((JSON.parse(r.stdout) as WhyJson[]).map((s) => s.verdict)).toEqual(['explained', 'explained', 'explained'])
  })
  it('a line that does not parse is reported in its row, and the rest is still checked (exit 1)', async () => {
    const p = file('log(x * y)\nlog(x) + \nlog(y) + log(x)\n')
    const r = await derive(['check', p])
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/2\s+unreadable\s+cannot read "log\(x\) \+": .* at position \d+/)
    expect(r.stdout).toMatch(/3\s+explained\s+log-product.*\(from line 1\)/)
    expect(r.stdout).toContain('1 line could not be read')
  })
  it('a file with a single line exits 2: there is no step to check', async () => {
    const p = file('log(x * y)\n')
    const r = await derive(['check', p])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(`derive: error: ${p}: a derivation needs at least two lines to check\n`)
  })
  it('a missing file exits 2', async () => {
    const r = await derive(['check', '/nonexistent/derivation.txt'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('no such file')
  })
})

describe('why never decides a condition on floats', () => {
  it.each([
    ['sin(pi)/sin(pi)', '1'],
    ['(x + cos(pi/2))/(x + cos(pi/2)) * tan(pi)/tan(pi)', '1'],
  ])('%s vs %s is not explained', async (from, to) => {
    const { body } = await whyJson(from, to)
    expect(body.verdict).not.toBe('explained')
  })
  it('the everywhere fit of a rule with a coefficient is explained, not an internal error', async () => {
    const { status, body } = await whyJson('(x + log(y^2)) * log(y^2)', '2*(x + 2*log(y))*log(y)')
    expect(body.verdict).toBe('explained')
    expect(status).toBe(0)
  })
})
