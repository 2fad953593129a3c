import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AgentJobRecord } from '@tseeder/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isSafeJobId, JobStateStore, type UnreadableRecord } from './job-state.ts'

function record(jobId: string): AgentJobRecord {
  return {
    start: {
      jobId,
      attempt: 2,
      infohash: 'b'.repeat(40),
      magnet: `magnet:?xt=urn:btih:${'b'.repeat(40)}`,
      limits: { maxFileBytes: null, remainingStorageBytes: 1000 },
      storage: {
        endpoint: 'http://127.0.0.1:9000',
        region: 'auto',
        bucket: 'tseeder',
        prefix: `content/${'b'.repeat(40)}/`,
        credentials: {
          accessKeyId: 'id',
          secretAccessKey: 'secret',
          expiresAt: new Date(0).toISOString(),
        },
      },
    },
    status: 'downloading',
    seq: 3,
    files: [{ index: 0, path: 'set/a.bin', size: 10 }],
    name: 'set',
    selected: [0],
    uploaded: { 0: { index: 0, key: `content/${'b'.repeat(40)}/0`, size: 10, mimeType: 'x/y' } },
    error: null,
    updatedAt: new Date(0).toISOString(),
  }
}

let dataDir: string
let store: JobStateStore

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tseeder-job-state-'))
  store = new JobStateStore(dataDir)
  await store.init()
})

afterEach(() => rm(dataDir, { recursive: true, force: true }))

describe('JobStateStore', () => {
  it('loads back what it saved, with the time of the save', async () => {
    const saved = record('job-1')
    await store.save(saved)
    const [loaded] = await store.loadAll()
    expect(loaded).toEqual(saved)
    expect(Date.parse(loaded!.updatedAt)).toBeGreaterThan(0)
  })

  it('reports and skips a record that is not JSON or not a job record, and loads the others', async () => {
    await store.save(record('job-good'))
    await writeFile(join(store.dir, 'torn.json'), '{"start":')
    const wrong = { ...record('job-wrong'), status: 'queued' }
    await writeFile(join(store.dir, 'job-wrong.json'), JSON.stringify(wrong))
    const unreadable: UnreadableRecord[] = []
    const loaded = await store.loadAll((r) => unreadable.push(r))
    expect(loaded.map((r) => r.start.jobId)).toEqual(['job-good'])
    expect(unreadable.map((r) => r.file).sort()).toEqual(['job-wrong.json', 'torn.json'])
    expect(unreadable.find((r) => r.file === 'job-wrong.json')!.reason).toContain('status')
    expect((await readdir(store.dir)).sort()).toEqual([
      'job-good.json',
      'job-wrong.json',
      'torn.json',
    ])
  })

  it('lands overlapping saves of one job in order, so the last seq is the one on disk', async () => {
    const saved = record('job-seq')
    const saves = []
    for (let seq = 1; seq <= 20; seq++) {
      saved.seq = seq
      saves.push(store.save({ ...saved }))
    }
    await Promise.all(saves)
    const onDisk = JSON.parse(await readFile(join(store.dir, 'job-seq.json'), 'utf8'))
    expect(onDisk.seq).toBe(20)
  })

  it('keeps records, storage credentials included, readable by the agent user only', async () => {
    // A folder an older version created for everyone to read is narrowed on start.
    await chmod(store.dir, 0o755)
    await new JobStateStore(dataDir).init()
    await store.save(record('job-private'))
    expect((await stat(store.dir)).mode & 0o777).toBe(0o700)
    expect((await stat(join(store.dir, 'job-private.json'))).mode & 0o777).toBe(0o600)
  })

  it('removes a record', async () => {
    await store.save(record('job-gone'))
    await store.remove('job-gone')
    expect(await store.loadAll()).toEqual([])
  })

  it('refuses a job id that could name a path', () => {
    expect(isSafeJobId('job_1-A')).toBe(true)
    for (const id of ['', '../x', 'a/b', 'a.json', 'x'.repeat(65)])
      expect(isSafeJobId(id)).toBe(false)
    expect(() => store.save(record('../escape'))).toThrow('unsafe job id')
  })
})
