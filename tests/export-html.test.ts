// The HTML export in a real browser (headless Chromium, offline): every formula typeset by KaTeX
// with its own fonts, in display style with stretchy delimiters, nothing wider than the page,
// no two formulas overlapping, no console error; on screen at 1000 px and printed on A4. Each
// page is saved as a screenshot in test-output/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { derive } from './helpers/cli.js'
import { need } from './helpers/tools.js'

const FIXTURES = join(import.meta.dirname, 'fixtures')
const OUTPUT = join(import.meta.dirname, '..', 'test-output')
const CHROMIUM = '/usr/bin/chromium'
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** What the page shows, measured in the browser. */
interface Measured {
  readonly scrollWidth: number
  readonly width: number
  readonly errors: number
  readonly formulas: number
  readonly displayStyleSums: number
  readonly stretchy: number
  readonly fonts: string[]
  readonly widest: number
  readonly overlaps: string[]
}

/** The measures of a page in the browser; it runs in the page, so it uses nothing from outside. */
function measure(): Measured {
  const boxes = [...document.querySelectorAll('.katex-html')].map((e) => e.getBoundingClientRect())
  const overlaps: string[] = []
  boxes.forEach((a, i) =>
    boxes.slice(i + 1).forEach((b, k) => {
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left)
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
      if (x > 1 && y > 1) overlaps.push(`formula ${i} and ${i + k + 1}`)
    }),
  )
  // what shows: not KaTeX's MathML copy for screen readers (clipped to nothing), nor the paths
  // inside an <svg> (a root sign's path is long, its svg box cuts it)
  const shown = [...document.querySelectorAll('body *')].filter((e) => !e.closest('.katex-mathml') && !e.parentElement?.closest('svg'))
  return {
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    errors: document.querySelectorAll('.katex-error').length,
    formulas: document.querySelectorAll('.katex').length,
    displayStyleSums: document.querySelectorAll('.op-limits').length,
    stretchy: document.querySelectorAll('.delimsizing, .delimsizinginner').length,
    fonts: [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family),
    widest: Math.max(...shown.map((e) => e.getBoundingClientRect().right)),
    overlaps,
  }
}

interface Shown {
  readonly measured: Measured
  readonly console: string[]
  readonly requests: string[]
}

/**
 * Pages opened in one headless Chromium (flags as in the brief of .ci/run, an empty profile),
 * offline: any request but the page itself is refused and noted. Each view is measured and
 * saved as a screenshot under test-output/.
 */
async function inChromium(page: string, views: readonly { name: string; width: number; media: 'screen' | 'print' }[]): Promise<Shown[]> {
  const { chromium } = await import('playwright-core')
  const dir = mkdtempSync(join(tmpdir(), 'derive-chromium-'))
  const file = join(dir, 'page.html')
  writeFileSync(file, page)
  const profile = join(dir, 'profile')
  mkdirSync(profile)
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS })
  try {
    const out: Shown[] = []
    for (const v of views) {
      const console: string[] = []
      const requests: string[] = []
      await context.unrouteAll()
      await context.route('**/*', (route) => {
        const url = route.request().url()
        if (url === `file://${file}`) return route.continue()
        requests.push(url)
        return route.abort()
      })
      const tab = await context.newPage()
      tab.on('console', (m) => void (m.type() === 'error' && console.push(m.text())))
      tab.on('pageerror', (e) => void console.push(e.message))
      await tab.setViewportSize({ width: v.width, height: 900 })
      await tab.emulateMedia({ media: v.media })
      await tab.goto(`file://${file}`)
      await tab.evaluate(() => document.fonts.ready)
      const measured = await tab.evaluate(measure)
      mkdirSync(OUTPUT, { recursive: true })
      await tab.screenshot({ path: join(OUTPUT, `${v.name}.png`), fullPage: true })
      await tab.close()
      out.push({ measured, console, requests })
    }
    return out
  } finally {
    await context.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

const CHROMIUM_MISSING = 'apt-get install chromium'

describe('the HTML export in headless Chromium', () => {
  it.for([
    ['homework/gauss-mle.txt', 'gauss-mle'],
    ['export/lecture.txt', 'lecture'],
  ] as const)('%s: on screen at 1000 px and printed on A4 (643 px between the margins)', { timeout: 240_000 }, async ([fixture, name], ctx) => {
    if (!need('chromium', ctx, CHROMIUM_MISSING)) return
    const r = await derive(['export', join(FIXTURES, fixture), '--format', 'html', '--verdicts'])
    expect(r.stderr).toBe('')
    const views = await inChromium(r.stdout, [
      { name, width: 1000, media: 'screen' },
      { name: `${name}.print`, width: 643, media: 'print' },
    ])
    for (const { measured: m, console, requests } of views) {
      expect(console).toEqual([])
      expect(requests).toEqual([])
      expect(m.errors).toBe(0)
      expect(m.formulas).toBeGreaterThan(10)
      // KaTeX's own fonts, loaded from the page itself
      expect(m.fonts).toEqual(expect.arrayContaining(['KaTeX_Main', 'KaTeX_Math', 'KaTeX_Size2']))
      // display style: sums with their limits under and over; parentheses that grow
      expect(m.displayStyleSums).toBeGreaterThan(3)
      expect(m.stretchy).toBeGreaterThan(3)
      expect(m.scrollWidth).toBeLessThanOrEqual(m.width)
      expect(m.widest).toBeLessThanOrEqual(m.width)
      expect(m.overlaps).toEqual([])
    }
  })

  it('the measures see a formula wider than the page, formulas on top of each other, a KaTeX error, a request', { timeout: 120_000 }, async (ctx) => {
    if (!need('chromium', ctx, CHROMIUM_MISSING)) return
    const katex = (await import('katex')).default
    const f = (tex: string): string => katex.renderToString(tex, { throwOnError: false })
    const wide = Array.from({ length: 80 }, (_, i) => `x_{${i}}`).join(' + ')
    const page = `<!DOCTYPE html><html><head><link rel="stylesheet" href="http://localhost:9/katex.css"></head><body>
<div style="position: absolute; top: 10px">${f('a + b')}</div><div style="position: absolute; top: 12px">${f('c + d')}</div>
<div style="margin-top: 80px; white-space: nowrap">${f(wide)}</div>${f('\\frac{1}{')}</body></html>`
    const [{ measured: m, requests }] = (await inChromium(page, [{ name: 'control', width: 1000, media: 'screen' }])) as [Shown]
    expect(m.overlaps).toEqual(['formula 0 and 1'])
    expect(m.widest).toBeGreaterThan(1000)
    expect(m.scrollWidth).toBeGreaterThan(1000)
    expect(m.errors).toBe(1)
    expect(requests).toEqual(['http://localhost:9/katex.css'])
  })
})
