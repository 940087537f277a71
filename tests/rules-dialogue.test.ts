// The interactive `derive rules add` / `rules edit`, end to end through @inquirer/testing: real
// inquirer prompts drawing on a virtual screen, answers typed key by key (done when #6); and once
// more through a real pseudo-terminal against the built executable.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { screen, wrapPrompt } from '@inquirer/testing/vitest'
import { describe, expect, it, vi } from 'vitest'
import { inquirerPrompts, type Prompts } from '../src/cli/prompts.js'
import { tempHome } from './helpers/cli.js'
import { hasPty, runOnPty } from './helpers/pty.js'
import { runIn } from './helpers/run-with.js'

async function screenPrompts(): Promise<Prompts> {
  // the originals, wrapped once to draw on the shared virtual screen
  const actual = await vi.importActual<typeof import('@inquirer/prompts')>('@inquirer/prompts')
  return inquirerPrompts({ input: wrapPrompt(actual.input), confirm: wrapPrompt(actual.confirm) })
}

/** Wait for the first prompt: the command loads the library before it asks anything. */
async function firstPrompt(): Promise<string> {
  for (let k = 0; k < 500 && !screen.getScreen(); k++) await new Promise((r) => setTimeout(r, 10))
  return screen.getScreen()
}

/** Type text and press enter (the last answer: nothing more is asked). */
function submit(text: string): void {
  if (text) screen.type(text)
  screen.keypress('enter')
}

/** Type text and press enter; resolves when the screen has changed (an error, or the next prompt). */
async function answer(text: string): Promise<string> {
  submit(text)
  await screen.next()
  return screen.getScreen()
}

async function erase(n: number): Promise<void> {
  for (let k = 0; k < n; k++) screen.keypress('backspace')
}

const libraryRules = (home: string): Record<string, unknown>[] => JSON.parse(readFileSync(join(home, 'library.json'), 'utf8')).rules

describe('interactive rules add', () => {
  it('asks each field, shows parse errors under the prompt, previews the rule and its fits, saves it', async () => {
    const home = tempHome()
    const running = runIn(home, ['rules', 'add'], { tty: true, prompts: await screenPrompts() })
    expect(await firstPrompt()).toContain('Name of the rule')

    expect(await answer('')).toContain('please enter a name')
    expect(await answer('My log rule')).toContain('Id (lowercase letters, digits and -) (my-log-rule)')
    expect(await answer('')).toContain('Left side (the pattern')

    // a parse error, with its position, then corrected
    const parseError = await answer('log(a / b')
    expect(parseError).toMatch(/Left side.*log\(a \/ b/)
    expect(parseError).toMatch(/> .*at position \d+/)
    expect(await answer(')')).toContain('Right side (what it becomes)')

    // a wildcard the left side never binds is refused, then corrected
    expect(await answer('log(a) - log(c)')).toContain('wildcard "c" is not bound by the left side (lhs uses: a, b)')
    await erase(2)
    expect(await answer('b)')).toContain('Conditions, ";" between them')

    // a bad condition: named, with its position in the whole line
    expect(await answer('a > 0; b >')).toMatch(/in "b >": .* at position \d+/)
    expect(await answer(' 0')).toContain('Reversible')
    expect(await answer('n')).toContain('The idea behind it')
    expect(await answer('A log turns division into subtraction')).toContain('Where you saw it')
    expect(await answer('Lecture 3, slide 12')).toContain('Tags')
    expect(await answer('logs, mine')).toContain('Save this rule?')
    submit('')

    const r = await running
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    // the preview: the rule as derive reads it, and the stored examples it fits
    expect(r.stdout).toContain('This is how derive will read and match the rule:')
    expect(r.stdout).toContain('log(a / b)  →  log(a) - log(b)')
    expect(r.stdout).toContain('wildcards   a, b')
    expect(r.stdout).toContain('where       a > 0, b > 0')
    expect(r.stdout).toMatch(/It fits \d+ of the \d+ examples in your library and the shipped packs:/)
    expect(r.stdout).toContain('log(x / y)  →  log(x) - log(y)  (example of log-quotient)')
    expect(r.stdout).toContain('Added my-log-rule (My log rule): log(a / b) → log(a) - log(b)')
    expect(libraryRules(home)).toEqual([
      {
        id: 'my-log-rule',
        name: 'My log rule',
        lhs: 'log(a / b)',
        rhs: 'log(a) - log(b)',
        where: ['a > 0', 'b > 0'],
        idea: 'A log turns division into subtraction',
        source: 'Lecture 3, slide 12',
        tags: ['logs', 'mine'],
      },
    ])
  })

  it('declining at the end saves nothing (exit 1)', async () => {
    const home = tempHome()
    const running = runIn(home, ['rules', 'add'], { tty: true, prompts: await screenPrompts() })
    await firstPrompt()
    for (const text of ['exp rule', '', 'exp(a + b)', 'exp(a) * exp(b)', '', 'y', '', '', '']) await answer(text)
    expect(screen.getScreen()).toContain('Save this rule?')
    submit('n')
    const r = await running
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('reversible (also applies right to left)')
    expect(r.stdout).toContain('Not saved.')
    expect(() => libraryRules(home)).toThrow()
  })

  it('a refuted rule: the counterexample is shown and saving it needs a yes', async () => {
    const home = tempHome()
    const running = runIn(home, ['rules', 'add'], { tty: true, prompts: await screenPrompts() })
    await firstPrompt()
    for (const text of ['log of a sum', '', 'log(a + b)', 'log(a) + log(b)', '', 'n', '', '', '', '']) await answer(text)
    expect(screen.getScreen()).toContain('Save it anyway, marked unverified?')
    submit('y')
    const r = await running
    expect(r.stdout).toMatch(/✗ the numeric check refutes rule "log-of-a-sum": at a = .*left side .*right side/)
    expect(r.status).toBe(0)
    expect(libraryRules(home)[0]).toMatchObject({ id: 'log-of-a-sum', unverified: true })
  })
})

describe('interactive rules edit', () => {
  it('prefills every answer with the current value', async () => {
    const home = tempHome()
    await runIn(home, ['rules', 'add', '--id', 'mine', '--name', 'mine', '--lhs', 'log(a * b)', '--rhs', 'log(a) + log(b)', '--where', 'a > 0', '--where', 'b > 0', '--tag', 'logs', '--idea', 'old idea'])
    const running = runIn(home, ['rules', 'edit', 'mine'], { tty: true, prompts: await screenPrompts() })
    expect(await firstPrompt()).toContain('Name of the rule mine')
    expect(await answer('')).toContain('log(a * b)')
    expect(await answer('')).toContain('log(a) + log(b)')
    expect(await answer('')).toContain('a > 0; b > 0')
    await answer('')
    const idea = await answer('')
    expect(idea).toContain('old idea')
    await erase('old idea'.length)
    await answer('new idea')
    expect(await answer('')).toContain('logs')
    expect(await answer('')).toContain('Save the changed rule?')
    submit('')
    const r = await running
    expect(r.status).toBe(0)
    expect(libraryRules(home)).toEqual([
      { id: 'mine', name: 'mine', lhs: 'log(a * b)', rhs: 'log(a) + log(b)', where: ['a > 0', 'b > 0'], tags: ['logs'], idea: 'new idea' },
    ])
  })
})

describe('interactive rules add on a real pseudo-terminal (the built bin/derive.js)', () => {
  it.skipIf(!hasPty)('types the answers, sees the parse error under the prompt, corrects it, and the rule is saved', async () => {
    const home = tempHome()
    const script = [
      ['Name of the rule', 'my log rule\r'],
      ['(my-log-rule)', '\r'],
      ['Left side', 'log(a / b\r'],
      ['expected at position 10', ')\r'],
      ['Right side', 'log(a) - log(b)\r'],
      ['Conditions', 'a > 0; b > 0\r'],
      ['Reversible', 'n\r'],
      ['idea', 'A log turns division into subtraction\r'],
      ['Where you saw it', '\r'],
      ['Tags', 'logs\r'],
      ['Save this rule?', '\r'],
    ]
    const r = await runOnPty(script as [string, string][], ['rules', 'add'], { DERIVE_HOME: home })
    expect(r.out).toContain('> parenthesis ) expected at position 10')
    expect(r.out).toContain('This is how derive will read and match the rule:')
    expect(r.out).toContain('log(x / y)  →  log(x) - log(y)  (example of log-quotient)')
    expect(r.status).toBe(0)
    expect(libraryRules(home)).toEqual([
      { id: 'my-log-rule', name: 'my log rule', lhs: 'log(a / b)', rhs: 'log(a) - log(b)', where: ['a > 0', 'b > 0'], idea: 'A log turns division into subtraction', tags: ['logs'] },
    ])
  }, 30_000)
})
