import { describe, expect, it } from 'vitest'
import { signUp } from '../../test/helpers.ts'
import {
  completed,
  dispatchedJob,
  followedDownload,
  magnetFor,
  metadata,
  openStream,
  progress,
  waitFor,
} from '../../test/pipeline.ts'

describe('per-file progress', () => {
  it('shows each file’s downloaded bytes on the job, merged from reports that carry only changes', async () => {
    const { user, job, agent, infohash, params } = await dispatchedJob()
    const stream = openStream(user, `/api/jobs/${job.id}/events`)
    await stream.ready
    await agent.send(metadata(infohash))
    await agent.send({ ...progress(30), fileBytes: { 0: 300, 1: 0 } })
    const first = await stream.until((e) => e.type === 'progress' && e.fileBytes?.[0] === 300)
    expect(first).toMatchObject({ fileBytes: { 0: 300, 1: 0 } })
    await agent.send({ ...progress(40), fileBytes: { 1: 100 } })
    // The live event carries what changed; the job read has every file.
    await stream.until((e) => e.type === 'progress' && e.progressPct === 40)
    expect(stream.events.at(-1)).toMatchObject({ fileBytes: { 1: 100 } })
    expect(stream.events.at(-1)).not.toHaveProperty('fileBytes.0')
    const read = await user.api.getJob(params)
    expect(read.files.map((f) => f.bytesDownloaded)).toEqual([300, 100])
    expect(read).not.toHaveProperty('fileBytes')
    stream.close()
  })

  it('never reports more than a file’s size, and nothing for files without a report', async () => {
    const { user, agent, infohash, params } = await dispatchedJob()
    await agent.send(metadata(infohash))
    await agent.send({ ...progress(70), fileBytes: { 0: 9999 } })
    const read = await user.api.getJob(params)
    expect(read.files.map((f) => f.bytesDownloaded)).toEqual([600, undefined])
  })

  it('gives a follower the same per-file bytes, also one that joined mid-download', async () => {
    const { bob, agent, infohash, follower } = await followedDownload()
    await agent.send(metadata(infohash))
    await agent.send({ ...progress(50), fileBytes: { 0: 500 } })
    await waitFor(
      async () =>
        (await bob.api.getJob({ params: { id: follower.id } })).files[0]?.bytesDownloaded === 500,
      5000,
      'the follower’s per-file bytes',
    )
    const carol = await signUp()
    const late = await carol.api.createJob({ body: { magnet: magnetFor(infohash) } })
    await agent.send({ ...progress(60), fileBytes: { 1: 100 } })
    await waitFor(
      async () => {
        const read = await carol.api.getJob({ params: { id: late.id } })
        return read.files.map((f) => f.bytesDownloaded).join() === '500,100'
      },
      5000,
      'the late follower’s per-file bytes',
    )
  })
})

describe('the job list’s downloads', () => {
  it('counts a completed job’s downloadable files and names the only one', async () => {
    const one = await dispatchedJob()
    const single = [{ index: 0, path: 'demo/a.txt', size: 600 }]
    await one.agent.send(metadata(one.infohash, single))
    await one.agent.send(completed(one.infohash, single))
    const many = await dispatchedJob()
    await many.agent.send(metadata(many.infohash))
    await many.agent.send(completed(many.infohash))

    const [listed] = (await one.user.api.listJobs()).jobs
    const { files } = await one.user.api.getJob(one.params)
    expect(listed).toMatchObject({
      status: 'completed',
      availableFiles: 1,
      singleFileId: files[0]!.id,
    })
    const [several] = (await many.user.api.listJobs()).jobs
    expect(several).toMatchObject({ availableFiles: 2, singleFileId: null })
  })

  it('counts nothing before the files are stored', async () => {
    const { user, agent, infohash } = await dispatchedJob()
    await agent.send(metadata(infohash))
    expect((await user.api.listJobs()).jobs[0]).toMatchObject({
      availableFiles: 0,
      singleFileId: null,
    })
  })
})
