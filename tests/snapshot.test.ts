// The build's snapshot of the shipped packs must give exactly the rules the slow path compiles.
import { describe, expect, it } from 'vitest'
import { buildSnapshot, readShippedPacks } from '../src/library/library.js'
import { restorePack } from '../src/library/snapshot.js'

const view = (packs: ReturnType<typeof readShippedPacks>): unknown =>
  packs.map((p) => ({
    name: p.name,
    rules: p.rules.map((r) => ({ ...r, literals: [...r.literals].sort(), scalarWildcards: [...r.scalarWildcards].sort() })),
  }))

describe('snapshot of the shipped packs', () => {
  it('restores the same rules as checking and compiling the files', () => {
    const slow = readShippedPacks({ snapshot: false })
    const snapshot = buildSnapshot()
    const restored = slow.map((p, i) => ({ ...p, rules: restorePack(snapshot, snapshot.digest, snapshot.packs[i]!.file, p.file)! }))
    expect(restored.every((p) => p.rules !== undefined)).toBe(true)
    expect(view(restored)).toEqual(view(slow))
  })
  it('is ignored when the rule files changed (another digest)', () => {
    const snapshot = buildSnapshot()
    const [pack] = readShippedPacks({ snapshot: false })
    expect(restorePack(snapshot, 'another digest', snapshot.packs[0]!.file, pack!.file)).toBeUndefined()
    expect(restorePack(snapshot, snapshot.digest, 'no-such-pack.json', pack!.file)).toBeUndefined()
  })
  it('the normal load (with the build snapshot, if any) equals the slow one', () => {
    expect(view(readShippedPacks())).toEqual(view(readShippedPacks({ snapshot: false })))
  })
})
