// Build step: write dist/shipped-rules.json, the compiled shipped packs (see library/snapshot.ts).
import { writeFileSync } from 'node:fs'
import { buildSnapshot } from '../library/library.js'

const [out, build] = process.argv.slice(2)
if (!out || !build) throw new Error('usage: snapshot OUTPUT BUILD-DIGEST')
writeFileSync(out, JSON.stringify({ ...buildSnapshot(), build }))
