import { env } from 'cloudflare:test'
import { fuzzCorpus, INTERNAL_MESSAGE, sampleCases } from '@tseeder/shared/torrent-fuzz'
import { describe, expect, it } from 'vitest'
import { signUp, type SignedUp } from '../../test/helpers.ts'

// The parser's fuzz corpus (shared/src/torrent-fuzz.ts) sent to POST /api/jobs as multipart
// uploads: a fixed sample and a fresh one from TEST_SEED (printed by vitest.config.ts).
const FIXED_SEED = 15
const CASES_PER_SEED = 100
/** Below the per-account limit on job creation (60 in 10 minutes): a fresh user before it. */
const UPLOADS_PER_USER = 50

describe('POST /api/jobs fuzz', () => {
  for (const [label, seed] of [
    ['fixed', FIXED_SEED],
    ['fresh', Number(env.TEST_SEED)],
  ] as const) {
    it(`answers every upload of the ${label} seed ${seed} with a 4xx in words or a job`, async () => {
      console.log(`api torrent fuzz, ${label} seed ${seed}`)
      const corpus = sampleCases(fuzzCorpus(seed, 1500), seed, CASES_PER_SEED)
      let user: SignedUp | null = null
      let refused = 0
      for (const [i, fuzz] of corpus.entries()) {
        if (i % UPLOADS_PER_USER === 0) user = await signUp()
        const form = new FormData()
        form.set('torrent', new Blob([fuzz.bytes]), 'fuzz.torrent')
        const response = await user!.fetch('/api/jobs', {
          method: 'POST',
          body: form,
          headers: { 'x-csrf-token': user!.api.csrfToken ?? '' },
        })
        const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } }
        const label = `${fuzz.name}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`
        expect(response.status, label).toBeLessThan(500)
        if (response.ok) continue
        expect(response.status, label).toBeGreaterThanOrEqual(400)
        expect(typeof body.error?.code, label).toBe('string')
        expect(typeof body.error?.message, label).toBe('string')
        expect(body.error!.message, label).not.toMatch(INTERNAL_MESSAGE)
        // The upload reached the parser: no session, CSRF or rate-limit answer stands in for it.
        expect(['csrf_failed', 'unauthorized', 'rate_limited'], label).not.toContain(
          body.error!.code,
        )
        if (body.error!.code === 'invalid_torrent') refused++
      }
      expect(refused).toBeGreaterThan(CASES_PER_SEED / 2)
    })
  }
})
