// npm run bench: the figures the issues ask for, measured in one run on this machine.
//  1. cold start: `derive match "log(x * y)"` as a ratio of `node -e 0` (target: at most 3x);
//  2. `derive why` over ../shared/examples/steps.json (or tests/fixtures/steps.json): median and
//     maximum wall time per item, each as a fresh process (target: max under 1 s).
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const bin = join(root, 'bin', 'derive.js')
const env = { ...process.env, NO_COLOR: '1', DERIVE_HOME: join(root, 'node_modules', '.bench-home') }

const time = (args) => {
  const t = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  return { ms, status: r.status, stdout: r.stdout }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

const runs = 15
const base = []
const cold = []
for (let i = 0; i < runs; i++) {
  base.push(time(['-e', '0']).ms)
  cold.push(time([bin, 'match', 'log(x * y)']).ms)
}
const b = median(base)
const c = median(cold)
console.log(`cold start   node -e 0: ${b.toFixed(0)} ms   derive match "log(x * y)": ${c.toFixed(0)} ms   ratio ${(c / b).toFixed(2)}x (target <= 3x; median of ${runs})`)

const examples = [join(root, '..', 'shared', 'examples', 'steps.json'), join(root, 'tests', 'fixtures', 'steps.json')].find(existsSync)
if (examples) {
  const items = JSON.parse(readFileSync(examples, 'utf8'))
  const times = []
  let worst = { ms: 0, id: '' }
  for (const item of items) {
    const r = time([bin, 'why', item.from, item.to, '--json'])
    const verdict = JSON.parse(r.stdout).verdict
    times.push(r.ms)
    if (r.ms > worst.ms) worst = { ms: r.ms, id: item.id }
    console.log(`  why ${item.id.padEnd(28)} ${verdict.padEnd(18)} ${r.ms.toFixed(0)} ms`)
  }
  console.log(`why over ${items.length} examples: median ${median(times).toFixed(0)} ms, max ${worst.ms.toFixed(0)} ms (${worst.id}); target max < 1000 ms; per item ${(worst.ms / b).toFixed(1)}x node -e 0`)
}

// Long lecture steps with the guided search (no target; reported for the record).
const long = [
  ['logistic-loss gradient, --depth 12', 'diff(y*log(sigmoid(z)) + (1-y)*log(1-sigmoid(z)), z)', 'y - sigmoid(z)', '12'],
  ['Gaussian log-likelihood, --depth 8', 'sum(log(1/(sqrt(2*pi)*sigma)*exp(-(y[i]-theta*x[i])^2/(2*sigma^2))), i, 1, n)', 'n*log(1/(sqrt(2*pi)*sigma)) - 1/(2*sigma^2)*sum((y[i]-theta*x[i])^2, i, 1, n)', '8'],
]
for (const [name, from, to, depth] of long) {
  const r = time([bin, 'why', from, to, '--json', '--depth', depth, '--time-limit', '30'])
  const out = JSON.parse(r.stdout)
  console.log(`long step   ${name.padEnd(36)} ${out.verdict} in ${out.steps?.length ?? '-'} steps, ${r.ms.toFixed(0)} ms`)
}

// Adversarial matching (issue 9): a capped rule cuts only itself; equal terms are tried once.
const product12 = `log(a * b) * ${Array.from({ length: 12 }, (_, i) => `x${i + 1}`).join(' * ')}`
const minus200 = Array.from({ length: 200 }, () => 'x').join(' - ')
for (const [name, expr] of [['log(a * b) * x1 * ... * x12', product12], ['x - x - ... - x (200 terms)', minus200]]) {
  const r = spawnSync(process.execPath, [bin, 'match', '--json', '--', expr], { env, encoding: 'utf8' })
  const t = time([bin, 'match', '--json', '--', expr])
  const fits = JSON.parse(r.stdout)
  const warning = r.stderr.trim() ? ` (${r.stderr.trim()})` : ''
  console.log(`adversarial match ${name.padEnd(30)} ${fits.length} fits${fits.some((f) => f.rule === 'log-product') ? ' incl. log-product' : ''}, ${t.ms.toFixed(0)} ms (target < 1000 ms)${warning}`)
}
