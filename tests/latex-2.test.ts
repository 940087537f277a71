// Held-out style LaTeX (SPEC §1.2): a second corpus of real lines from ML notes (d2l, CS229, Bishop,
// Goodfellow, MML, Murphy, the Matrix Cookbook), each read as the expression it means, or refused
// with a message that names what to write; a reading that is a choice is told.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ParseError, parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import { sameLine } from '../src/session/derivation.js'
import { expOf, read } from './helpers/latex.js'

interface Item {
  id: string
  source: string
  latex: string
  expect?: string
  refused?: boolean
  says?: string
  ambiguous: boolean
  note: string
}

const corpus: Item[] = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'latex-2.json'), 'utf8'))

describe('the second LaTeX corpus (latex-2.json)', () => {
  it('has at least 50 items, each with a source and either an expected reading or a refusal', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(50)
    expect(new Set(corpus.map((x) => x.id)).size).toBe(corpus.length)
    for (const x of corpus) {
      expect(x.source, x.id).not.toBe('')
      expect(x.refused === true ? x.says : x.expect, x.id).toBeTruthy()
    }
  })

  it.each(corpus.filter((x) => !x.refused).map((x) => [x.id, x] as const))('%s reads as its expect', (_id, x) => {
    const { e, readings } = read(x.latex)
    const want = parseExpr(x.expect!)
    expect(sameLine(expOf(e), expOf(want)), `${print(e)} vs ${x.expect}`).toBe(true)
    if (x.ambiguous) expect(readings.length, `${x.id} tells its reading`).toBeGreaterThan(0)
  })

  it.each(corpus.filter((x) => x.refused).map((x) => [x.id, x] as const))('%s is refused with what to write, at a position in it', (_id, x) => {
    try {
      read(x.latex)
      expect.unreachable(`${x.id} should be refused`)
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError)
      const err = e as ParseError
      expect(err.reason).toContain(x.says!)
      expect(err.reason).not.toMatch(/\n/)
      expect(err.position).toBeGreaterThanOrEqual(1)
      expect(err.position).toBeLessThanOrEqual(x.latex.length)
    }
  })
})
