/**
 * Local benchmark of issue 16's engine figures: a tracker, a webtorrent seeder and the S3 server
 * on 127.0.0.1; the agent bundle runs as its own process (its CPU time and peak RSS read from
 * /proc) and aria2c downloads the same torrents by magnet, in the same run, for the ratios.
 * `npm run bench -w agent`; settings in agent/README.md ("Benchmark").
 */
import { cpus, loadavg } from 'node:os'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { AgentCallback } from '@tseeder/shared'
import { callAgent, grantFor, startFakeApi } from '@tseeder/testkit/fake-api'
import { startSwarm } from '@tseeder/testkit/swarm'
import { tempDir, waitFor } from '@tseeder/testkit/wait'
import { AGENT_NODE_ARGS } from '../node-args.ts'
import {
  MiB,
  S3_NODE_ARGS,
  type S3Store,
  type Seeded,
  aria2c,
  exitedChildrenCpu,
  makeContent,
  procStats,
  spawnAgent,
  startS3Process,
} from './processes.ts'

const env = (name: string, fallback: string) => process.env[name] ?? fallback
/** Single-file sizes in MiB (`BENCH_SIZES=` skips them). */
const SIZES = env('BENCH_SIZES', '1024').split(',').filter(Boolean).map(Number)
/**
 * Rounds per single-file size; medians are reported with every round. Two shared cores make
 * single runs noisy (aria2c alone varies by a third from run to run here; the agent's ratio of
 * one round went from 0.70 to 0.89 in one morning, and medians of 3 from 0.75 to 0.82).
 */
const ROUNDS = Number(env('BENCH_ROUNDS', '5'))
/** `stream` (parts upload as pieces verify, the default) and/or `after` (upload once done). */
const MODES = env('BENCH_MODES', 'stream').split(',').filter(Boolean) as ('stream' | 'after')[]
/**
 * Agent bundles to run, each in every round (`dist/main.mjs,dist/old.mjs` compares two builds
 * against the same aria2c rounds); the concurrent jobs run the first. Node flags may follow a
 * bundle, replacing the agent's for it (`dist/main.mjs,dist/main.mjs --max-semi-space-size=8`).
 */
const BUNDLES = env('BENCH_AGENT_BUNDLES', 'dist/main.mjs').split(',').filter(Boolean)
/**
 * Where the S3 server keeps objects: `disk`, this machine's disk, which the agent writes its pieces
 * to as well (as under `npm start`); `memory` (tmpfs), standing for R2, whose writes land on other
 * machines' disks. `disk,memory` runs both in every round (which goes first alternates by round);
 * the concurrent jobs use the first.
 */
const STORES = env('BENCH_S3_STORES', 'disk').split(',').filter(Boolean) as S3Store[]
/** Concurrent jobs and their size in MiB (`BENCH_CONCURRENT_JOBS=0` skips them). */
const JOBS = Number(env('BENCH_CONCURRENT_JOBS', '5'))
const JOB_MIB = Number(env('BENCH_CONCURRENT_MIB', '1024'))

const fmt = (n: number, d = 2) => n.toFixed(d)
const load = () =>
  loadavg()
    .map((l) => fmt(l))
    .join(' ')
const median = <T>(runs: T[], key: (run: T) => number): T =>
  [...runs].sort((x, y) => key(x) - key(y))[Math.floor((runs.length - 1) / 2)]!

async function main() {
  const results: string[] = []
  const line = (text: string) => {
    results.push(text)
    console.log(text)
  }
  line(
    `# agent bench ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores` +
      ` (${cpus()[0]?.model ?? '?'})  load_avg ${load()}`,
  )
  line(
    `settings: BENCH_SIZES=${SIZES.join(',')} BENCH_ROUNDS=${ROUNDS} BENCH_MODES=${MODES.join(',')}` +
      ` BENCH_AGENT_BUNDLES=${BUNDLES.join(',')} BENCH_S3_STORES=${STORES.join(',')} BENCH_CONCURRENT_JOBS=${JOBS} BENCH_CONCURRENT_MIB=${JOB_MIB}` +
      ` agent_node_args="${process.env.BENCH_AGENT_NODE_ARGS ?? AGENT_NODE_ARGS.join(' ')}"` +
      ` s3_node_args="${process.env.BENCH_S3_NODE_ARGS ?? S3_NODE_ARGS.join(' ')}"`,
  )

  const root = await tempDir('bench')
  const swarm = await startSwarm()
  const s3s = new Map<S3Store, Awaited<ReturnType<typeof startS3Process>>>()
  for (const store of STORES) s3s.set(store, await startS3Process(store))
  const api = await startFakeApi(() => grantFor(s3s.get(STORES[0]!)!.endpoint, '0'.repeat(40)))
  const arrivals = new Map<string, { at: number; callback: AgentCallback }[]>()
  const record = api.callbacks.push.bind(api.callbacks)
  api.callbacks.push = (...items: AgentCallback[]) => {
    for (const c of items) {
      const list = arrivals.get(c.jobId) ?? []
      list.push({ at: performance.now(), callback: c })
      arrivals.set(c.jobId, list)
    }
    return record(...items)
  }
  const outcome = (jobId: string) =>
    arrivals
      .get(jobId)
      ?.find((a) => a.callback.type === 'completed' || a.callback.type === 'failed')

  let n = 0
  async function seed(size: number): Promise<Seeded> {
    const dir = join(root, `seed-${n++}`)
    const content = await makeContent(dir, size, swarm.announce, `bench-${n}.bin`)
    await swarm.seedStored(content.torrent, dir)
    return content
  }

  /** Starts `contents` as jobs on one agent; resolves with its figures once all are stored. */
  async function agentRun(
    contents: Seeded[],
    label: string,
    stream: boolean,
    bundle = BUNDLES[0],
    store = STORES[0]!,
  ) {
    const s3 = s3s.get(store)!
    const dataDir = join(root, `agent-${label}`)
    const agent = await spawnAgent(
      api.url,
      dataDir,
      { AGENT_STREAM_UPLOAD: String(stream), AGENT_MAX_JOBS: String(Math.max(contents.length, 4)) },
      bundle,
    )
    const jobIds = contents.map((_, i) => `bench-${label}-${i}`)
    const s3Before = await procStats(s3.pid)
    const seederBefore = process.cpuUsage()
    const started = performance.now()
    await Promise.all(
      contents.map((content, i) =>
        callAgent(agent.url, 'POST', '/start', {
          jobId: jobIds[i],
          attempt: 1,
          infohash: content.infohash,
          magnet: content.magnet,
          limits: { maxFileBytes: null, remainingStorageBytes: null },
          storage: { ...grantFor(s3.endpoint, content.infohash), prefix: `content/${label}-${i}/` },
        }),
      ),
    )
    await waitFor(() => jobIds.every(outcome), 900_000, `${label} to complete`)
    const ended = performance.now()
    const stats = await procStats(agent.pid)
    const s3Cpu = (await procStats(s3.pid)).cpuSeconds - s3Before.cpuSeconds
    const seederUsage = process.cpuUsage(seederBefore)
    for (const [i, jobId] of jobIds.entries()) {
      const done = outcome(jobId)!
      if (done.callback.type !== 'completed') {
        throw new Error(`${jobId} failed: ${JSON.stringify(done.callback)}`)
      }
      if ((await s3.objectSha256(`content/${label}-${i}/0`)) !== contents[i]!.sha256) {
        throw new Error(`${jobId}: stored bytes differ`)
      }
      await s3.deleteObject(`content/${label}-${i}/0`)
    }
    await agent.stop()
    await rm(dataDir, { recursive: true, force: true })
    // The first progress report with every byte downloaded marks the end of a download; the
    // last job's marks the end of them all.
    const downloadedAt = (jobId: string) =>
      (
        arrivals
          .get(jobId)!
          .find(
            (a) =>
              a.callback.type === 'progress_update' &&
              a.callback.bytesTotal > 0 &&
              a.callback.bytesDownloaded >= a.callback.bytesTotal,
          ) ?? outcome(jobId)!
      ).at
    return {
      e2e: (ended - started) / 1000,
      dl: (Math.max(...jobIds.map(downloadedAt)) - started) / 1000,
      ...stats,
      s3Cpu,
      seederCpu: (seederUsage.user + seederUsage.system) / 1e6,
    }
  }
  type AgentRun = Awaited<ReturnType<typeof agentRun>>

  async function ariaRun(contents: Seeded[], label: string) {
    const dir = join(root, `aria-${label}`)
    const seederBefore = process.cpuUsage()
    const childrenBefore = await exitedChildrenCpu()
    const seconds = await aria2c(
      contents.map((c) => c.magnet),
      dir,
    )
    const seeder = process.cpuUsage(seederBefore)
    const cpu = (await exitedChildrenCpu()) - childrenBefore
    await rm(dir, { recursive: true, force: true })
    return { seconds, cpu, seederCpu: (seeder.user + seeder.system) / 1e6 }
  }

  const agentLine = (name: string, r: AgentRun, mib: number) =>
    `${name}: e2e_s ${fmt(r.e2e)}  download_s ${fmt(r.dl)} (${fmt(mib / r.dl, 1)} MiB/s)` +
    `  cpu_s ${fmt(r.cpuSeconds)} (sys ${fmt(r.systemSeconds)})  peak_rss_mb ${fmt(r.peakRss / 1e6, 0)}` +
    `  (s3_cpu_s ${fmt(r.s3Cpu)}  seeder_cpu_s ${fmt(r.seederCpu)})`

  for (const mib of SIZES) {
    const label = `${mib}MiB`
    const content = await seed(mib * MiB)
    const arias: Awaited<ReturnType<typeof ariaRun>>[] = []
    const variants = STORES.flatMap((store) =>
      BUNDLES.flatMap((bundle, b) =>
        MODES.map((mode) => ({
          bundle,
          mode,
          store,
          name:
            mode +
            (BUNDLES.length > 1 ? `_${b}` : '') +
            (STORES.length > 1 ? `_s3_${store === 'memory' ? 'in_memory' : 'on_disk'}` : ''),
        })),
      ),
    )
    const runs = new Map(variants.map((v) => [v.name, [] as AgentRun[]]))
    for (let round = 1; round <= ROUNDS; round++) {
      arias.push(await ariaRun([content], `${label}-${round}`))
      // The stores take turns going first.
      const order = variants.filter((v) => v.store === STORES[(round - 1) % STORES.length])
      for (const v of variants) if (!order.includes(v)) order.push(v)
      for (const { bundle, mode, store, name } of order) {
        runs
          .get(name)!
          .push(
            await agentRun(
              [content],
              `${label}-${name}-${round}`,
              mode === 'stream',
              bundle,
              store,
            ),
          )
      }
    }
    const aria = median(arias, (r) => r.seconds)
    line(`## ${label} single file (median of ${ROUNDS})  load_avg ${load()}`)
    line(
      `aria2c_download_only_s: ${fmt(aria.seconds)}  (${fmt(mib / aria.seconds, 1)} MiB/s)` +
        `  cpu_s ${fmt(aria.cpu)}  (seeder_cpu_s ${fmt(aria.seederCpu)})  rounds: ${arias.map((r) => fmt(r.seconds)).join(' ')}`,
    )
    for (const [mode, list] of runs) {
      const r = median(list, (run) => run.e2e)
      line(
        `${agentLine(`agent_${mode}`, r, mib)}  rounds: ${list.map((run) => fmt(run.e2e)).join(' ')}` +
          `  cpu_s by round: ${list.map((run) => fmt(run.cpuSeconds)).join(' ')}`,
      )
      line(
        `agent_${mode}_e2e_over_aria2c_${label}: ${fmt(r.e2e / aria.seconds)}  (by round: ` +
          `${list.map((run, i) => fmt(run.e2e / arias[i]!.seconds)).join(' ')})`,
      )
    }
  }

  if (JOBS > 0) {
    const label = `${JOBS}x${JOB_MIB}MiB`
    const contents: Seeded[] = []
    for (let i = 0; i < JOBS; i++) contents.push(await seed(JOB_MIB * MiB))
    const aria = await ariaRun(contents, label)
    const r = await agentRun(contents, label, MODES[0] !== 'after')
    line(`## ${JOBS} concurrent jobs x ${JOB_MIB} MiB on one agent  load_avg ${load()}`)
    line(
      `aria2c_download_only_s: ${fmt(aria.seconds)}  (${fmt((JOBS * JOB_MIB) / aria.seconds, 1)} MiB/s)` +
        `  cpu_s ${fmt(aria.cpu)}  (seeder_cpu_s ${fmt(aria.seederCpu)})`,
    )
    line(agentLine('agent_concurrent', r, JOBS * JOB_MIB))
    line(`agent_concurrent_e2e_over_aria2c_${label}: ${fmt(r.e2e / aria.seconds)}`)
    line(`agent_concurrent_peak_rss_mb: ${fmt(r.peakRss / 1e6, 0)}`)
  }

  await swarm.close()
  for (const store of s3s.values()) await store.close()
  await api.close()
  await rm(root, { recursive: true, force: true })
  console.log('\n' + results.join('\n'))
}

await main()
