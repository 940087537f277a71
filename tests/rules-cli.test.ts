// derive rules ... through the CLI (issue 3 "done when", and the add/import guard of issue 4).
// In-process runs for speed; real processes where exit codes and concurrency are the point.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { emptyLibrary, FORMAT, packText } from '../src/library/schema.js'
import { deriveProcess, tempHome } from './helpers/cli.js'
import { runIn } from './helpers/run-with.js'

const MY_LOG = ['rules', 'add', '--id', 'my-log', '--name', 'my log rule', '--lhs', 'log(a / b)', '--rhs', 'log(a) - log(b)', '--where', 'a > 0', '--where', 'b > 0']

const libraryOf = (home: string): string => join(home, 'library.json')
const readLib = (home: string): { rules: Record<string, unknown>[]; [k: string]: unknown } => JSON.parse(readFileSync(libraryOf(home), 'utf8'))
const idsIn = (home: string): string[] => readLib(home).rules.map((r) => r.id as string)

/** A home whose library holds these rules (written directly, as a user or classmate would). */
function homeWith(rules: Record<string, unknown>[], extra: Record<string, unknown> = {}): string {
  const home = tempHome()
  writeFileSync(libraryOf(home), packText({ ...emptyLibrary(), ...extra, rules } as never))
  return home
}

// the conditions matter: without them log(a * b) -> log(a) + log(b) leaves its domain and is refuted
const rule = (id: string, lhs = 'log(a * b)', rhs = 'log(a) + log(b)'): Record<string, unknown> => ({
  id,
  name: `rule ${id}`,
  lhs,
  rhs,
  ...(lhs.includes('log(a') ? { where: ['a > 0', 'b > 0'] } : {}),
})

describe('rules add, then match (done when #1)', () => {
  it('a rule added with flags under DERIVE_HOME is found by derive match (real processes)', async () => {
    const home = tempHome()
    const env = { DERIVE_HOME: home }
    const added = await deriveProcess(MY_LOG, { env })
    expect(added.stderr).toBe('')
    expect(added.status).toBe(0)
    expect(added.stdout).toContain('Added my-log (my log rule): log(a / b) → log(a) - log(b)')
    const matched = await deriveProcess(['match', 'log(p / q)', '--json'], { env })
    expect(matched.status).toBe(0)
    const fits = JSON.parse(matched.stdout) as { rule: string; result: string; assumes: string[] }[]
    expect(fits.find((f) => f.rule === 'my-log')).toMatchObject({ result: 'log(p) - log(q)', assumes: ['p > 0', 'q > 0'] })
  })

  it('creates the library on first add with the documented header', async () => {
    const home = tempHome()
    expect(existsSync(libraryOf(home))).toBe(false)
    expect((await runIn(home, MY_LOG)).status).toBe(0)
    expect(readLib(home)).toMatchObject({ format: FORMAT, name: 'yours', matrices: 'uppercase' })
    expect(readLib(home).rules).toEqual([
      { id: 'my-log', name: 'my log rule', lhs: 'log(a / b)', rhs: 'log(a) - log(b)', where: ['a > 0', 'b > 0'] },
    ])
  })

  it('--library PATH overrides DERIVE_HOME', async () => {
    const home = tempHome()
    const other = join(tempHome(), 'sub', 'mine.json')
    expect((await runIn(home, [...MY_LOG, '--library', other])).status).toBe(0)
    expect(existsSync(libraryOf(home))).toBe(false)
    expect(JSON.parse(readFileSync(other, 'utf8')).rules[0].id).toBe('my-log')
  })

  it('suggests an id from the name, avoiding ids in use', async () => {
    const home = homeWith([rule('log-of-a-product')])
    const r = await runIn(home, ['rules', 'add', '--name', 'Log of a product!', '--lhs', 'log(a * b)', '--rhs', 'log(b) + log(a)', '--where', 'a > 0', '--where', 'b > 0', '--json'])
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ added: 'log-of-a-product-2', verdict: 'verified' })
  })

  it('stores every flag: kind, reversible, tags, idea, source, examples', async () => {
    const home = tempHome()
    const r = await runIn(home, [
      'rules', 'add', '--id', 'exp-sum', '--name', 'exp of a sum', '--lhs', 'exp(a + b)', '--rhs', 'exp(a) * exp(b)', '--reversible',
      '--kind', 'rule', '--tag', 'exp', '--tag', 'mine', '--idea', 'exp turns + into *', '--source', 'Lecture 2', '--example', 'exp(x + 1)',
    ])
    expect(r.status).toBe(0)
    expect(readLib(home).rules[0]).toEqual({
      id: 'exp-sum', name: 'exp of a sum', kind: 'rule', lhs: 'exp(a + b)', rhs: 'exp(a) * exp(b)', reversible: true,
      tags: ['exp', 'mine'], idea: 'exp turns + into *', source: 'Lecture 2', examples: ['exp(x + 1)'],
    })
  })

  it.each([
    [['rules', 'add', '--name', 'x'], /needs --name, --lhs and --rhs \(missing --lhs, --rhs\)/],
    [['rules', 'add'], /needs --name, --lhs and --rhs when it cannot ask/],
    [['rules', 'add', '--id', 'Bad Id', '--name', 'x', '--lhs', 'f(a)', '--rhs', 'g(a)'], /--id "Bad Id": use only lowercase/],
    [['rules', 'add', '--name', 'x', '--lhs', 'log(a * ', '--rhs', 'g(a)'], /--lhs "log\(a \*": unexpected end of expression at position 8$/m],
    [['rules', 'add', '--name', 'x', '--lhs', 'f(a)', '--rhs', 'g(a)', '--where', 'c > 0'], /--where "c > 0": "c" is not a wildcard/],
    [['rules', 'add', '--name', 'x', '--lhs', 'f(a)', '--rhs', 'g(a)', '--kind', 'law'], /--kind must be "rule" or "definition"/],
    [['rules', 'add', '--id', 'my-log', '--name', 'x', '--lhs', 'f(a)', '--rhs', 'g(a)'], /already in your library; change it with: derive rules edit my-log/],
  ])('refuses %j with exit 2 and a one-line reason', async (args, message) => {
    const home = homeWith([rule('my-log')])
    const before = readFileSync(libraryOf(home))
    const r = await runIn(home, args)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(readFileSync(libraryOf(home))).toEqual(before)
  })
})

describe('an rhs wildcard the lhs never binds (done when #2)', () => {
  it('is refused with exit 2, naming the wildcard, and the library is unchanged', async () => {
    const home = homeWith([rule('kept')])
    const before = readFileSync(libraryOf(home))
    const r = await deriveProcess(['rules', 'add', '--id', 'bad', '--name', 'bad', '--lhs', 'f(a)', '--rhs', 'g(b)'], { env: { DERIVE_HOME: home } })
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('derive: error: cannot save rule "bad": --rhs "g(b)": wildcard "b" is not bound by the left side (lhs uses: a)\n')
    expect(readFileSync(libraryOf(home))).toEqual(before)
    expect(existsSync(`${libraryOf(home)}.bak`)).toBe(false)
  })

  it('is refused when the library does not exist yet, and none is created', async () => {
    const home = tempHome()
    expect((await runIn(home, ['rules', 'add', '--name', 'bad', '--lhs', 'f(a)', '--rhs', 'g(b)'])).status).toBe(2)
    expect(existsSync(libraryOf(home))).toBe(false)
  })
})

describe('a library with truncated JSON (done when #3)', () => {
  const full = packText({ ...emptyLibrary(), rules: [rule('my-log', 'log(a / b)', 'log(a) - log(b)') as never] })
  const cut = full.indexOf('"lhs"')
  const truncated = full.slice(0, cut)
  const line = truncated.split('\n').length
  const column = cut - truncated.lastIndexOf('\n')
  const where = `at line ${line}, column ${column} (position ${cut})`

  const pack = join(tempHome(), 'pack.json')
  writeFileSync(pack, packText({ ...emptyLibrary(), name: 'pack', rules: [rule('other')] as never }))
  const steps = join(tempHome(), 'steps.txt')
  writeFileSync(steps, 'log(x * y)\nlog(x) + log(y)\n')

  it.each([
    ['match', 'log(x * y)'],
    ['apply', 'log(x * y)', 'log-product'],
    ['why', 'log(x * y)', 'log(x) + log(y)'],
    ['check', steps],
    ['rules', 'list'],
    ['rules', 'show', 'log-product'],
    ['rules', 'add', '--id', 'z', '--name', 'z', '--lhs', 'f(a)', '--rhs', 'g(a)'],
    ['rules', 'edit', 'my-log', '--name', 'renamed'],
    ['rules', 'remove', 'my-log', '--yes'],
    ['rules', 'import', pack, '--replace'],
    ['rules', 'export'],
    ['rules', 'check'],
  ])('derive %s ... exits 2 naming the file and position; the bytes are unchanged', async (...args) => {
    const home = tempHome()
    writeFileSync(libraryOf(home), truncated)
    const r = await runIn(home, args)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`derive: error: ${libraryOf(home)}: not valid JSON: `)
    expect(r.stderr).toContain(where)
    expect(r.stderr).toContain('derive has not changed library.json')
    expect(r.stdout).toBe('')
    expect(readFileSync(libraryOf(home), 'utf8')).toBe(truncated)
  })

  it('as a real process too, with the way back from the .bak', async () => {
    const home = tempHome()
    writeFileSync(libraryOf(home), truncated)
    writeFileSync(`${libraryOf(home)}.bak`, full)
    const r = await deriveProcess(['rules', 'add', '--id', 'z', '--name', 'z', '--lhs', 'f(a)', '--rhs', 'g(a)'], { env: { DERIVE_HOME: home } })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(where)
    expect(r.stderr).toContain(`cp "${libraryOf(home)}.bak" "${libraryOf(home)}"`)
    expect(readFileSync(libraryOf(home), 'utf8')).toBe(truncated)
    expect(readFileSync(`${libraryOf(home)}.bak`, 'utf8')).toBe(full)
  })

  it('a library that parses but breaks the schema lists every problem, one line each', async () => {
    const home = homeWith([{ id: 'Bad', name: 'x', lhs: 'f(a)', rhs: 'g(a)' }, rule('y', 'f(a)', 'g(b)'), { id: 'z', name: 'z', lhs: 'f(a)' }])
    const r = await runIn(home, ['rules', 'list'])
    expect(r.status).toBe(2)
    const lib = libraryOf(home)
    expect(r.stderr).toContain(`derive: error: 3 problems in your library ${lib}:`)
    expect(r.stderr).toContain(`  ${lib}: rule at index 0, field "id": expected lowercase letters, digits and "-"`)
    expect(r.stderr).toContain(`  ${lib}: rule "z", field "rhs": expected string, got nothing`)
    expect(r.stderr).toContain(`  ${lib}: rule "y", field "rhs": wildcard "b" is not bound`)
  })
})

describe('concurrent writers (done when #4)', () => {
  it('20 derive rules add processes started at once all land, and the file is valid JSON', async () => {
    const home = tempHome()
    const env = { DERIVE_HOME: home }
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        deriveProcess(['rules', 'add', '--id', `rule-${i}`, '--name', `rule ${i}`, '--lhs', `f${i}(a) * g(b)`, '--rhs', `g(b) * f${i}(a)`], { env }),
      ),
    )
    // a process that waited long for its turn says so, and nothing else
    for (const r of results) expect(r.stderr).toMatch(/^(derive: waiting for another derive to finish writing library\.json\n)?$/)
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(0))
    const text = readFileSync(libraryOf(home), 'utf8')
    expect(() => JSON.parse(text)).not.toThrow()
    expect(idsIn(home).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `rule-${i}`).sort())
    expect(existsSync(`${libraryOf(home)}.bak`)).toBe(true)
    expect(existsSync(`${libraryOf(home)}.lock`)).toBe(false)
  }, 60_000)
})

describe('rules import (done when #5)', () => {
  const mine = [rule('log-sum-mine'), rule('chain', 'diff(exp(u), x)', 'exp(u) * diff(u, x)')]
  const classmate = {
    format: FORMAT,
    name: 'classmate',
    rules: [
      { ...rule('log-sum-mine'), rhs: 'log(b) + log(a)' },
      { id: 'chain', name: 'chain rule for sin', lhs: 'diff(sin(u), x)', rhs: 'cos(u) * diff(u, x)' },
      rule('broken', 'f(a)', 'g(q)'),
      rule('fresh', 'exp(a + b)', 'exp(a) * exp(b)'),
    ],
  }

  it('of a pack with two clashing ids and one invalid rule writes nothing and lists all three problems', async () => {
    const home = homeWith(mine)
    const file = join(tempHome(), 'classmate.json')
    writeFileSync(file, JSON.stringify(classmate))
    const before = readFileSync(libraryOf(home))
    const r = await runIn(home, ['rules', 'import', file])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`cannot import ${file}; nothing was written. 3 problems:`)
    expect(r.stderr).toContain(`${file}: rule "log-sum-mine", field "id": clashes with your rule "log-sum-mine"`)
    expect(r.stderr).toContain(`${file}: rule "chain", field "id": clashes with your rule "chain"`)
    expect(r.stderr).toContain(`${file}: rule "broken", field "rhs": wildcard "q" is not bound`)
    expect(readFileSync(libraryOf(home))).toEqual(before)
  })

  it('an invalid rule blocks the import even with a resolution flag', async () => {
    const home = homeWith(mine)
    const file = join(tempHome(), 'classmate.json')
    writeFileSync(file, JSON.stringify(classmate))
    const r = await runIn(home, ['rules', 'import', file, '--skip'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('1 problem:')
    expect(idsIn(home)).toEqual(['log-sum-mine', 'chain'])
  })

  const valid = { ...classmate, rules: classmate.rules.filter((r) => r.id !== 'broken') }
  it.each([
    ['--skip', ['log-sum-mine', 'chain', 'fresh'], 'log(a) + log(b)'],
    ['--replace', ['log-sum-mine', 'chain', 'fresh'], 'log(b) + log(a)'],
    ['--rename', ['log-sum-mine', 'chain', 'log-sum-mine-2', 'chain-2', 'fresh'], 'log(a) + log(b)'],
  ])('%s resolves the clashes', async (flag, ids, rhs) => {
    const home = homeWith(mine)
    const file = join(tempHome(), 'classmate.json')
    writeFileSync(file, JSON.stringify(valid))
    const r = await runIn(home, ['rules', 'import', file, flag])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(idsIn(home)).toEqual(ids)
    expect(readLib(home).rules[0]!.rhs).toBe(rhs)
  })

  it('refuses two resolution flags, and a pack that is not JSON', async () => {
    const home = tempHome()
    const file = join(tempHome(), 'bad.json')
    writeFileSync(file, '{ "format": ')
    expect((await runIn(home, ['rules', 'import', file, '--skip', '--rename'])).stderr).toMatch(/choose one of --skip, --replace, --rename/)
    const r = await runIn(home, ['rules', 'import', file])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`${file}: not valid JSON`)
  })

  it('export then import round-trips a tagged selection into another library', async () => {
    const home = homeWith([{ ...rule('a'), tags: ['share'] }, rule('b')])
    const out = join(tempHome(), 'shared', 'pack.json')
    const exported = await runIn(home, ['rules', 'export', '--tag', 'share', '-o', out])
    expect(exported.status).toBe(0)
    expect(exported.stdout).toContain(`wrote 1 rule to ${out}`)
    const other = tempHome()
    expect((await runIn(other, ['rules', 'import', out])).status).toBe(0)
    expect(readLib(other).rules).toEqual([{ ...rule('a'), tags: ['share'] }])
    const stdout = await runIn(home, ['rules', 'export'])
    expect(JSON.parse(stdout.stdout).rules.map((r: { id: string }) => r.id)).toEqual(['a', 'b'])
  })
})

describe('the numeric guard on add, edit and import (issue 4 item 3)', () => {
  const wrong = ['rules', 'add', '--id', 'log-sum', '--name', 'log of a sum', '--lhs', 'log(a + b)', '--rhs', 'log(a) + log(b)']

  it('a refuted rule is refused with its counterexample; the library is unchanged', async () => {
    const home = homeWith([rule('kept')])
    const before = readFileSync(libraryOf(home))
    const r = await runIn(home, wrong)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/the numeric check refutes rule "log-sum": at a = [-\d.e]+, b = [-\d.e]+: left side [-\d.e]+, right side [-\d.e]+; nothing was saved/)
    expect(r.stderr).toContain('--force')
    expect(readFileSync(libraryOf(home))).toEqual(before)
  })

  it('with --force it is saved flagged unverified, and matching warns', async () => {
    const home = tempHome()
    const r = await runIn(home, [...wrong, '--force'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('refuted by the numeric check')
    expect(readLib(home).rules[0]).toMatchObject({ id: 'log-sum', unverified: true })
    expect((await runIn(home, ['match', 'log(x + y)'])).stdout).toContain('⚠ unverified rule')
    expect((await runIn(home, ['rules', 'list', '--pack', 'yours'])).stdout).toContain('⚠ unverified')
  })

  it('editing a flagged rule into a true one drops the flag', async () => {
    const home = tempHome()
    await runIn(home, [...wrong, '--force'])
    const r = await runIn(home, ['rules', 'edit', 'log-sum', '--lhs', 'log(a * b)', '--where', 'a > 0', '--where', 'b > 0'])
    expect(r.status).toBe(0)
    expect(readLib(home).rules[0]).not.toHaveProperty('unverified')
  })

  it('an edit that makes a rule wrong is refused', async () => {
    const home = homeWith([rule('mine', 'log(a * b)', 'log(a) + log(b)')])
    const r = await runIn(home, ['rules', 'edit', 'mine', '--rhs', 'log(a) * log(b)'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('refutes rule "mine"')
  })

  it('import lists refuted rules with the other problems; --force imports them flagged', async () => {
    const home = tempHome()
    const file = join(tempHome(), 'p.json')
    writeFileSync(file, JSON.stringify({ format: FORMAT, name: 'p', rules: [rule('log-sum', 'log(a + b)'), rule('ok')] }))
    const r = await runIn(home, ['rules', 'import', file])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`${file}: rule "log-sum": refuted by the numeric check: at a = `)
    expect(existsSync(libraryOf(home))).toBe(false)
    expect((await runIn(home, ['rules', 'import', file, '--force'])).status).toBe(0)
    expect(readLib(home).rules.map((x) => [x.id, x.unverified])).toEqual([['log-sum', true], ['ok', undefined]])
  })
})

describe('rules list, show, edit, remove', () => {
  it('list: one line per rule with counts per pack; a personal override is marked (yours)', async () => {
    const home = homeWith([{ ...rule('log-product'), where: ['a > 0', 'b > 0'] }, rule('mine')])
    const r = await runIn(home, ['rules', 'list'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^logs {2}\d+ rules · shipped$/m)
    expect(r.stdout).toMatch(/^yours {2}2 rules · .*library\.json$/m)
    expect(r.stdout).toMatch(/^ {2}log-product \(yours\) +rule log-product +log\(a \* b\) → log\(a\) \+ log\(b\)$/m)
    // the shipped rule it overrides is not listed a second time
    expect(r.stdout.match(/^ {2}log-product\b/gm)).toHaveLength(1)
    expect(r.stdout).toMatch(/^\d+ rules in \d+ packs$/m)
  })

  it('list filters by --tag, --pack and --search, and prints JSON', async () => {
    const home = homeWith([{ ...rule('mine'), tags: ['exam'], idea: 'Remember the softplus trick' }])
    const tagged = await runIn(home, ['rules', 'list', '--tag', 'exam', '--json'])
    expect(JSON.parse(tagged.stdout)).toEqual([expect.objectContaining({ id: 'mine', pack: 'yours', yours: true, overrides: false })])
    const logs = JSON.parse((await runIn(home, ['rules', 'list', '--pack', 'logs', '--json'])).stdout) as { pack: string }[]
    expect(logs.length).toBeGreaterThan(5)
    expect(new Set(logs.map((x) => x.pack))).toEqual(new Set(['logs']))
    expect((await runIn(home, ['rules', 'list', '--search', 'SOFTPLUS TRICK'])).stdout).toMatch(/^ {2}mine /m)
    expect((await runIn(home, ['rules', 'list', '--pack', 'nope'])).stderr).toMatch(/no pack named "nope"; packs: .*yours/)
    const none = await runIn(home, ['rules', 'list', '--tag', 'no-such-tag'])
    expect([none.status, none.stdout]).toEqual([1, 'no rule matches\n'])
  })

  it('show: everything about a rule and the stored examples it fits', async () => {
    const home = homeWith([{ ...rule('my-quot', 'log(a / b)', 'log(a) - log(b)'), where: ['a > 0'], idea: 'division to subtraction', source: 'Lecture 3', tags: ['logs'], examples: ['log(3 / z)'] }])
    const r = await runIn(home, ['rules', 'show', 'my-quot'])
    expect(r.status).toBe(0)
    for (const text of ['my-quot  rule my-quot  (yours)', 'log(a / b)  →  log(a) - log(b)', 'wildcards   a, b', 'where       a > 0', 'idea        division to subtraction', 'source      Lecture 3', 'tags        logs', 'examples    log(3 / z)']) {
      expect(r.stdout).toContain(text)
    }
    expect(r.stdout).toContain('log(3 / z)  →  log(3) - log(z)  (example of my-quot)')
    expect(r.stdout).toContain('log(x / y)  →  log(x) - log(y)  (example of log-quotient)')
    const json = JSON.parse((await runIn(home, ['rules', 'show', 'my-quot', '--json'])).stdout) as { fits: { example: string; of: string }[] }
    expect(json.fits).toContainEqual(expect.objectContaining({ example: 'log(x / y)', of: 'log-quotient', result: 'log(x) - log(y)' }))
    expect((await runIn(home, ['rules', 'show', 'my-qout'])).stderr).toMatch(/unknown rule "my-qout"; did you mean my-quot/)
  })

  it('edit changes only the given fields; editing a shipped rule makes a personal override', async () => {
    const home = homeWith([{ ...rule('mine'), idea: 'old' }])
    expect((await runIn(home, ['rules', 'edit', 'mine', '--idea', 'new', '--tag', 't'])).status).toBe(0)
    expect(readLib(home).rules[0]).toEqual({ ...rule('mine'), idea: 'new', tags: ['t'] })
    const shipped = await runIn(home, ['rules', 'edit', 'log-product', '--source', 'my notes'])
    expect(shipped.status).toBe(0)
    expect(shipped.stderr).toContain('"log-product" is a shipped rule; your changed copy goes into your library and overrides it')
    expect(readLib(home).rules[1]).toMatchObject({ id: 'log-product', source: 'my notes', lhs: 'log(a * b)' })
    expect((await runIn(home, ['rules', 'edit', 'mine'])).stderr).toMatch(/say what to change/)
  })

  it('remove: only your rules; --yes or no terminal needs no confirmation; a shipped rule applies again', async () => {
    const home = homeWith([rule('mine'), rule('log-product')])
    expect((await runIn(home, ['rules', 'remove', 'log-quotient'])).stderr).toMatch(/is shipped \(pack logs\), not in your library/)
    expect((await runIn(home, ['rules', 'remove', 'mien'])).stderr).toMatch(/unknown rule "mien"; did you mean mine/)
    const r = await runIn(home, ['rules', 'remove', 'log-product', '--yes'])
    expect(r.stdout).toContain('the shipped rule "log-product" applies again')
    expect(idsIn(home)).toEqual(['mine'])
  })

  it('remove asks on a terminal, and keeps the rule when the answer is no', async () => {
    const home = homeWith([rule('mine')])
    const asked: string[] = []
    const prompts = {
      input: () => Promise.reject(new Error('not expected')),
      confirm: (q: { message: string }) => (asked.push(q.message), Promise.resolve(false)),
    }
    const r = await runIn(home, ['rules', 'remove', 'mine'], { tty: true, prompts })
    expect(asked).toEqual(['Remove "mine" (rule mine) from your library?'])
    expect(r.status).toBe(1)
    expect(idsIn(home)).toEqual(['mine'])
  })
})

describe('safety of the file', () => {
  it('a library that cannot be written (its folder is a file) is a one-line error, exit 2', async () => {
    const home = tempHome()
    writeFileSync(join(home, 'afile'), '')
    const library = join(home, 'afile', 'library.json')
    const r = await runIn(home, [...MY_LOG, '--library', library])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe(`derive: error: cannot write ${library}: a part of the path is a file, not a folder\n`)
  })
  it('unknown fields, at the top and in rules, survive add, edit and remove', async () => {
    const home = homeWith([{ ...rule('a'), difficulty: 3, seen: { lecture: 4 } }, { ...rule('b'), mnemonic: 'split the log' }], { owner: 'Ana' })
    await runIn(home, [...MY_LOG])
    await runIn(home, ['rules', 'edit', 'a', '--idea', 'logs split products'])
    await runIn(home, ['rules', 'remove', 'my-log', '--yes'])
    const lib = readLib(home)
    expect(lib.owner).toBe('Ana')
    expect(lib.rules).toEqual([
      { ...rule('a'), difficulty: 3, seen: { lecture: 4 }, idea: 'logs split products' },
      { ...rule('b'), mnemonic: 'split the log' },
    ])
  })

  it('keeps the previous version as library.json.bak', async () => {
    const home = homeWith([rule('a')])
    const before = readFileSync(libraryOf(home), 'utf8')
    expect((await runIn(home, MY_LOG)).status).toBe(0)
    expect(readFileSync(`${libraryOf(home)}.bak`, 'utf8')).toBe(before)
    const afterAdd = readFileSync(libraryOf(home), 'utf8')
    expect((await runIn(home, ['rules', 'remove', 'a', '--yes'])).status).toBe(0)
    expect(readFileSync(`${libraryOf(home)}.bak`, 'utf8')).toBe(afterAdd)
  })
})

describe('rules check (issue 4 item 1)', () => {
  it('prints a verdict per rule and a summary; exit 1 when any is refuted', async () => {
    const home = homeWith([rule('good', 'exp(a + b)', 'exp(a) * exp(b)'), { ...rule('bad', 'log(a + b)'), unverified: true }])
    const r = await runIn(home, ['rules', 'check', 'good', 'bad'])
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/^✓ good {2}verified at \d+ points$/m)
    expect(r.stdout).toMatch(/^✗ bad {2}refuted: at a = .*left side .*right side/m)
    expect(r.stdout).toMatch(/^verified 1, refuted 1, unverifiable 0$/m)
    expect((await runIn(home, ['rules', 'check', 'good'])).status).toBe(0)
  })

  it('--json prints one object per rule: { id, verdict, points?, counterexample?, reason? }', async () => {
    const home = homeWith([rule('good', 'exp(a + b)', 'exp(a) * exp(b)'), { ...rule('bad', 'log(a + b)'), unverified: true }])
    const r = await runIn(home, ['rules', 'check', '--pack', 'yours', '--json'])
    const out = JSON.parse(r.stdout) as Record<string, unknown>[]
    expect(out).toHaveLength(2)
    expect(out[0]).toEqual({ id: 'good', verdict: 'verified', points: expect.any(Number) })
    expect(out[1]).toMatchObject({ id: 'bad', verdict: 'refuted', counterexample: { values: expect.any(Object) } })
    for (const o of out) expect(Object.keys(o).every((k) => ['id', 'verdict', 'points', 'counterexample', 'reason'].includes(k))).toBe(true)
  })

  it('the shipped library is clean: 0 refuted, at least 95% verified, every unverifiable rule with a reason', async () => {
    const r = await runIn(tempHome(), ['rules', 'check', '--json'])
    const out = JSON.parse(r.stdout) as { id: string; verdict: string; reason?: string }[]
    expect(out.length).toBeGreaterThan(100)
    expect(out.filter((o) => o.verdict === 'refuted')).toEqual([])
    expect(out.filter((o) => o.verdict === 'verified').length / out.length).toBeGreaterThanOrEqual(0.95)
    for (const o of out.filter((x) => x.verdict === 'unverifiable')) expect(o.reason, o.id).toBeTruthy()
    expect(r.status).toBe(0)
  }, 180_000)

  it('shows progress on stderr on a terminal when checking many rules, not in a pipe', async () => {
    const home = tempHome()
    const tty = await runIn(home, ['rules', 'check', '--pack', 'logs'], { tty: true })
    expect(tty.stderr).toMatch(/checking \d+\/\d+ /)
    const pipe = await runIn(home, ['rules', 'check', '--pack', 'logs'])
    expect(pipe.stderr).toBe('')
  })
})
