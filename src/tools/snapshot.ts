// Build step: write dist/shipped-rules.json, the compiled shipped packs (see library/snapshot.ts).
import { writeFileSync } from 'node:fs'
import { buildSnapshot } from '../library/library.js'

const out = process.argv[2]
if (!out) throw new Error('usage: snapshot OUTPUT')
writeFileSync(out, JSON.stringify(buildSnapshot()))
