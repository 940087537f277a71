import { it } from 'vitest'
import { parseExpr } from '../src/core/parse.js'
it('m', () => {
  for (const s of [Array(5000).fill('a').join(' + '), Array(5000).fill('x').join('/')]) {
  const t = Date.now(); parseExpr(s); console.log('MEASURE', Date.now()-t) }
})
