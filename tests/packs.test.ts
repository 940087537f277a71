// The shipped packs as a toolkit (issue 9 item 4): every rule has the fields a student reads (idea,
// source, examples), fits each of its examples, and each family an ML course needs is present.
// (Truth of every rule is `derive rules check`, tested in rules-cli.test.ts.)
import { describe, expect, it } from 'vitest'
import { parseExpr } from '../src/core/parse.js'
import { findFits } from '../src/core/rewrite.js'
import { compileRule } from '../src/core/rule.js'
import { verifyRule } from '../src/core/verify.js'
import { loadLibrary } from '../src/library/library.js'

const lib = loadLibrary()
const shipped = lib.rules.filter((r) => r.pack !== 'yours')
const byId = new Map(shipped.map((r) => [r.id, r]))

describe('shipped packs', () => {
  it('hold at least 400 rules, each with an idea, a source and examples', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(400)
    for (const r of shipped) {
      expect(r.spec.idea?.trim(), r.id).toBeTruthy()
      expect(r.spec.source?.trim(), r.id).toBeTruthy()
      expect(r.spec.examples?.length ?? 0, r.id).toBeGreaterThan(0)
    }
  })

  it('every rule fits each of its examples (forward)', () => {
    const misses: string[] = []
    for (const r of shipped) {
      for (const text of r.spec.examples ?? []) {
        if (findFits(parseExpr(text), [r], { matrices: lib.matrices, direction: 'forward' }).length === 0) misses.push(`${r.id}: ${text}`)
      }
    }
    expect(misses).toEqual([])
  })

  // Each family of issue 9 item 4, by a few of its rules: present, and fitting the named expression.
  const families: Record<string, [id: string, example: string][]> = {
    'sums: reindex, reverse, peel, double sums, swaps, series': [
      ['sum-reindex-power-reverse', 'sum(r ^ (m - k), k, 1, m)'],
      ['sum-reverse-order', 'sum(a[k], k, 1, n)'],
      ['sum-peel-last-power', 'sum(q ^ k, k, 0, n)'],
      ['square-of-sum-double', 'sum(x[i], i, 1, n) ^ 2'],
      ['swap-sums-triangular', 'sum(sum(a[i] * b[j], j, i, n), i, 1, n)'],
      ['geometric-series-from-one', 'sum(q ^ k, k, 1, n)'],
      ['arithmetic-series', 'sum(a + k * d, k, 0, n)'],
    ],
    'probability: total expectation/variance, sums, affine maps, covariance': [
      ['variance-of-sum-both-covariances', 'Var(U + V)'],
      ['covariance-symmetry', 'Cov(U, V)'],
      ['covariance-additive-right', 'Cov(U, V + W)'],
      ['expectation-of-sum-indexed', 'E(sum(X[i], i, 1, n))'],
      ['variance-of-sum-indexed', 'Var(sum(X[i], i, 1, n))'],
      ['total-variance-explained', 'Var(X) - E(Var(X | Y))'],
      ['conditional-take-out-known', 'E(Y * X | Y)'],
      ['bernoulli-mean', 'sum(y * p ^ y * (1 - p) ^ (1 - y), y, 0, 1)'],
    ],
    'calculus: general power rule, 1/u, u^(-1/2), log-sum-exp': [
      ['chain-power', 'diff((s + eps) ^ (-1 / 2), s)'],
      ['chain-reciprocal', 'diff(1 / (1 + exp(-z)), z)'],
      ['chain-inverse-sqrt', 'diff(1 / sqrt(s + eps), s)'],
      ['chain-constant-over-sqrt', 'diff((u - m) / sqrt(s + eps), s)'],
      ['logsumexp-derivative-softmax', 'diff(log(sum(exp(x[k]), k, 1, n)), x[j])'],
      ['diff-quotient-split', 'diff(exp(x) / (1 + exp(x)), x)'],
    ],
    'matrix calculus: traces, log det, inverses, quadratic forms': [
      ['grad-trace-sandwich', 'diff(trace(A * X * B), X)'],
      ['grad-log-det', 'diff(log(det(S)), S)'],
      ['grad-trace-inverse', 'diff(trace(A * inv(X) * B), X)'],
      ['grad-quadratic-shifted', "diff((x - mu)' * A * (x - mu), x)"],
      ['sherman-morrison', "inv(S + x * x')"],
    ],
    'ML: softmax, log-sum-exp, softplus, sigmoid, information theory, Gaussians, ELBO': [
      ['softmax-shift-three', 'exp(a + c) / (exp(a + c) + exp(b + c) + exp(d + c))'],
      ['logsumexp-shift-plus', 'log(sum(exp(z[k] + b), k, 1, n))'],
      ['softplus-minus-reflection', 'softplus(a) - softplus(-a)'],
      ['sigmoid-odds', 'sigmoid(a) / (1 - sigmoid(a))'],
      ['cross-entropy-entropy-plus-kl', '-sum(y[k] * log(s[k]), k, 1, n)'],
      ['gaussian-log-likelihood-iid', 'log(prod(normal(t[k], m, s), k, 1, n))'],
      ['elbo-reconstruction-minus-kl', 'sum(q[k] * log(l[k] * r[k] / q[k]), k, 1, m)'],
    ],
    'conditions: indicator algebra, counts, max/relu/hinge, piecewise derivatives (issue 13)': [
      ['ind-square', 'ind(y[i] == k) ^ 2'],
      ['ind-or', 'ind(x > 1 or x < -1)'],
      ['ind-and', 'ind(y[i] == 1 and x[i] > 0)'],
      ['expectation-of-indicator', 'E(ind(X > 1))'],
      ['sum-indicator-constant', 'sum(ind(y[i] == 1) * log(phi), i, 1, n)'],
      ['sum-indicator-not-equal-count', 'sum(ind(y[i] == 1), i, 1, n) + sum(ind(y[i] != 1), i, 1, n)'],
      ['max-of-two', 'max(a, b)'],
      ['relu-as-piecewise', 'relu(z)'],
      ['hinge-as-piecewise', 'max(0, 1 - y * s)'],
      ['diff-max-zero', 'diff(max(0, z), z)'],
      ['diff-abs-sign', 'diff(abs(x - 2), x)'],
    ],
  }
  for (const [family, cases] of Object.entries(families)) {
    it(`family ${family}`, () => {
      for (const [id, example] of cases) {
        const rule = byId.get(id)
        expect(rule, id).toBeDefined()
        expect(findFits(parseExpr(example), [rule!], { matrices: lib.matrices }).length, `${id}: ${example}`).toBeGreaterThan(0)
      }
    })
  }
})
