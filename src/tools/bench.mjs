// npm run bench: the figures the issues ask for, measured in one run on this machine.
//  1. cold start: `derive match "log(x * y)"` as a ratio of `node -e 0` (target: at most 3x);
//  2. `derive why` over ../shared/examples/steps.json (or tests/fixtures/steps.json): the share of
//     equal steps explained, wrong verdicts, median/p95/max wall time per item, each as a fresh
//     process (targets: p95 at most 1 s, max at most 3 s); two unrelated 200-node lines (time, peak RSS);
//  3. scaling: `derive match "log(x * y)"` with user libraries of 100, 1,000 and 10,000 rules, warm
//     (the compiled cache filled), as ratios to 100 (target: 10,000 at most 1.5x).
// `node src/tools/bench.mjs scaling` runs only the scaling figures.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const bin = join(root, 'bin', 'derive.js')
const env = { ...process.env, NO_COLOR: '1', DERIVE_HOME: join(root, 'node_modules', '.bench-home') }

// wall time, and (where /usr/bin/time exists) the processor time and peak memory of the child:
// on a busy machine the processor time is the figure that does not depend on the other work
const usrTime = existsSync('/usr/bin/time')
const time = (args, childEnv = env) => {
  const t = process.hrtime.bigint()
  const r = usrTime
    ? spawnSync('/usr/bin/time', ['-f', 'CPU %U %S %M', process.execPath, ...args], { env: childEnv, encoding: 'utf8' })
    : spawnSync(process.execPath, args, { env: childEnv, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  const m = /CPU ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? '')
  const cpu = m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined
  return { ms, cpu, rssMB: m ? Number(m[3]) / 1024 : undefined, status: r.status, stdout: r.stdout, stderr: m ? r.stderr.slice(0, m.index) : r.stderr }
}
const cpuText = (r) => (r.cpu === undefined ? '' : `, ${r.cpu.toFixed(0)} ms CPU`)
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

// A user library of n varied rules (log, exp, sin/cos, sums, user functions f1..fn), each an
// identity over the reals, written into a fresh DERIVE_HOME.
const shapes = [
  (f) => [`log(exp(${f}(x)))`, `${f}(x)`],
  (f) => [`exp(${f}(x) + y)`, `exp(${f}(x)) * exp(y)`],
  (f) => [`sin(${f}(x))^2 + cos(${f}(x))^2`, '1'],
  (f) => [`${f}(x) + ${f}(x)`, `2 * ${f}(x)`],
  (f) => [`${f}(x, y) * ${f}(x, y)`, `${f}(x, y)^2`],
]
function userHome(n) {
  const home = mkdtempSync(join(tmpdir(), 'derive-bench-'))
  const rules = Array.from({ length: n }, (_, i) => {
    const [lhs, rhs] = shapes[i % shapes.length](`f${i + 1}`)
    return { id: `gen-${i + 1}`, name: `generated rule ${i + 1}`, lhs, rhs, ...(i % 3 === 0 && i % shapes.length !== 2 ? { reversible: true } : {}) }
  })
  writeFileSync(join(home, 'library.json'), `${JSON.stringify({ format: 'derive-rules/1', name: 'bench', rules }, null, 2)}\n`)
  return home
}

function scaling() {
  const sizes = [100, 1000, 10000]
  const medians = new Map()
  const cpus = new Map()
  for (const n of sizes) {
    const home = userHome(n)
    const homeEnv = { ...env, DERIVE_HOME: home }
    try {
      const first = time([bin, 'match', 'log(x * y)'], homeEnv)
      if (first.status !== 0) throw new Error(`derive match failed with ${n} rules: ${first.stderr}`)
      if (n === 10000) {
        rmSync(join(home, 'cache'), { recursive: true, force: true })
        const cold = time([bin, 'match', 'log(x * y)'], homeEnv)
        console.log(`scaling      10,000 rules, cold (no cache): ${cold.ms.toFixed(0)} ms${cpuText(cold)}`)
      }
      const runs = Array.from({ length: 9 }, () => time([bin, 'match', 'log(x * y)'], homeEnv))
      medians.set(n, median(runs.map((r) => r.ms)))
      if (runs.every((r) => r.cpu !== undefined)) cpus.set(n, median(runs.map((r) => r.cpu)))
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  }
  const base = medians.get(100)
  const ms = (m) => sizes.map((n) => `${n.toLocaleString('en-US')} rules ${m.get(n).toFixed(0)} ms`).join(', ')
  console.log(`scaling      derive match "log(x * y)", warm, median of 9: ${ms(medians)}`)
  // processor time: the figure that does not move with the other work on a shared machine
  if (cpus.size === sizes.length) console.log(`scaling      the same, processor time: ${ms(cpus)}`)
  for (const n of sizes.slice(1)) {
    const cpu = cpus.size === sizes.length ? `; processor time ${(cpus.get(n) / cpus.get(100)).toFixed(2)}x` : ''
    console.log(`scaling      ${n.toLocaleString('en-US')} rules: ${(medians.get(n) / base).toFixed(2)}x of 100${cpu} (target <= 1.5x)`)
  }
}
if (process.argv[2] === 'scaling') {
  scaling()
  process.exit(0)
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
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]
if (examples) {
  const items = JSON.parse(readFileSync(examples, 'utf8'))
  const times = []
  const cpus = []
  let worst = { ms: 0, id: '' }
  let explained = 0
  let wrong = 0
  for (const item of items) {
    const r = time([bin, 'why', item.from, item.to, '--json'])
    const verdict = JSON.parse(r.stdout).verdict
    times.push(r.ms)
    if (r.cpu !== undefined) cpus.push(r.cpu)
    if (item.equal && verdict === 'explained') explained++
    // a wrong verdict: an unequal step passed as equal, or an equal one called unequal
    if (item.equal ? verdict === 'not-equal' : verdict !== 'not-equal') wrong++
    if (r.ms > worst.ms) worst = { ms: r.ms, id: item.id }
    console.log(`  why ${item.id.padEnd(28)} ${verdict.padEnd(18)} ${r.ms.toFixed(0)} ms${cpuText(r)}`)
  }
  const equal = items.filter((i) => i.equal).length
  console.log(`why over ${items.length} examples: explained ${explained}/${equal} equal steps (${((100 * explained) / equal).toFixed(0)}%), ${wrong} wrong verdicts; median ${median(times).toFixed(0)} ms, p95 ${pct(times, 95).toFixed(0)} ms, max ${worst.ms.toFixed(0)} ms (${worst.id})${cpus.length ? `; CPU median ${median(cpus).toFixed(0)} ms, p95 ${pct(cpus, 95).toFixed(0)} ms, max ${Math.max(...cpus).toFixed(0)} ms` : ''}; targets p95 <= 1000 ms, max <= 3000 ms`)
}

// The issue 9 families (each one case of a class), at default settings.
const families = [
  ['exp(a + c)/(exp(a + c) + exp(b + c) + exp(d + c))', 'exp(a)/(exp(a) + exp(b) + exp(d))'],
  ['exp(a + c)*exp(b - c)', 'exp(a)*exp(b)'],
  ['log(exp(log(3 + exp(w))) - 3)', 'w'],
  ['diff((u - m)/sqrt(s + eps), s)', '(u - m)*(-1/2)*(s + eps)^(-3/2)'],
  ['diff(k/sqrt(x + 1), x)', '-k/2*(x + 1)^(-3/2)'],
  ['log(a*b) + log(c)', 'log(a) + log(b*c)'],
]
for (const [from, to] of families) {
  const r = time([bin, 'why', from, to, '--json'])
  const out = JSON.parse(r.stdout)
  console.log(`  family ${`${from} -> ${to}`.padEnd(72)} ${out.verdict.padEnd(18)} ${String(out.steps?.length ?? '-').padStart(2)} steps ${r.ms.toFixed(0)} ms${cpuText(r)}`)
}

// Two long lines far apart (about 200 nodes each, equal everywhere but 20 rule steps away): the
// search must stop within its time limit and say which bound stopped it. Also a pair not equal.
{
  const line = (k, f) => Array.from({ length: k }, (_, i) => f(i + 1)).join(' + ')
  const a = line(20, (i) => `(p${i} + q${i})^2 * exp(a${i} + b${i})`)
  const b = line(20, (i) => `exp(b${i}) * exp(a${i}) * (q${i} + p${i})^2`)
  const r = time([bin, 'why', a, b, '--json'])
  let out = {}
  try {
    out = JSON.parse(r.stdout)
  } catch {}
  const note = out.search?.note ?? out.verdict ?? r.stderr.trim()
  console.log(`two 200-node lines, exp(a + b) rewritten at 20 places: ${out.verdict} in ${r.ms.toFixed(0)} ms${cpuText(r)}, peak RSS ${r.rssMB?.toFixed(0) ?? '?'} MB (${note})`)
  // equal, but through no chain of library rules: the search runs to its bound and says which
  const d = line(20, (i) => `log(cosh(a${i}*z${i}))*exp(b${i})`)
  const e = line(20, (i) => `exp(b${i})*(log(exp(a${i}*z${i}) + exp(-a${i}*z${i})) - log(2))`)
  const q = time([bin, 'why', d, e, '--json'])
  let qo = {}
  try {
    qo = JSON.parse(q.stdout)
  } catch {}
  console.log(`two 200-node lines equal by no chain: ${qo.verdict} in ${q.ms.toFixed(0)} ms${cpuText(q)}, peak RSS ${q.rssMB?.toFixed(0) ?? '?'} MB (${qo.search?.note ?? q.stderr.trim()})`)
  const c = line(20, (i) => `sin(u${i})^2 / (1 + v${i}^${(i % 3) + 2})`)
  const u = time([bin, 'why', a, c, '--json'])
  console.log(`two unrelated 200-node lines: ${JSON.parse(u.stdout).verdict} in ${u.ms.toFixed(0)} ms${cpuText(u)}, peak RSS ${u.rssMB?.toFixed(0) ?? '?'} MB`)
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

scaling()
