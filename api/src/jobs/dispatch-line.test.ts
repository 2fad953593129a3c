import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { contentOnAgents, holding, type AgentRoom, type LineJob } from '../db/dispatch-line.ts'
import { followedDownload, jobRow } from '../../test/pipeline.ts'
import { assign } from './dispatch-line.ts'

const agent = (id: string, free_slots: number): AgentRoom => ({
  id,
  url: `http://${id}.test/`,
  free_slots,
  free_disk_bytes: 1e12,
})
const job = (id: string, infohash: string): LineJob => ({
  id,
  user_id: 'user-1',
  infohash,
  bytes_total: 1000,
})

describe('assign', () => {
  it('never starts a job on an agent downloading its content, nor two of one content on one agent', () => {
    const x = 'a'.repeat(40)
    const y = 'b'.repeat(40)
    const pairs = assign(
      [job('1', x), job('2', x), job('3', y)],
      [agent('big', 3), agent('small', 2)],
      new Set([holding('big', x)]),
    )
    // "big" has the most room but runs x; job 2 finds no agent without x and waits in line.
    expect(pairs.map((p) => [p.job.id, p.agent.id])).toEqual([
      ['1', 'small'],
      ['3', 'big'],
    ])
  })
})

describe('contentOnAgents', () => {
  it('names the agent running a download of the content on its own, until it is paused', async () => {
    const { alice, bob, infohash, leader, follower } = await followedDownload()
    const agentId = (await jobRow(leader.id))!.agent_id as string
    // The follower rides on the leader's download: one copy, on the leader's agent.
    expect([...(await contentOnAgents(env.DB, [infohash, infohash]))]).toEqual([
      holding(agentId, infohash),
    ])
    // (Without the follower, whose download would start on its own: on any agent.)
    await bob.api.cancelJob({ params: { id: follower.id } })
    await alice.api.pauseJob({ params: { id: leader.id } })
    const held = await contentOnAgents(env.DB, [infohash])
    expect(held.has(holding(agentId, infohash))).toBe(false)
  })
})
