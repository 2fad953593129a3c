// Several magnet links pasted at once, one per line: each is checked, then sent on its own, and
// each gets a line in the report, so nothing pasted is dropped without a word.
import type { CreatedJob, Job, Plan } from '@tseeder/shared'
import { type AddJobRequest, describeCreateError, magnetError } from './add-job-form.ts'

export type LineOutcome =
  | { line: string; outcome: 'added' | 'already'; job: Job }
  | { line: string; outcome: 'refused'; reason: string }

/** The non-empty lines of the magnet box, trimmed. */
export function magnetLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
}

export interface AddManyOptions {
  chooseFiles: boolean
  /**
   * Ids of the jobs the app knew of before: with the server's own answer (`created`), a job
   * another device added, or a line pasted twice, is "already yours" too.
   */
  known: ReadonlySet<string>
  plan?: Plan
  create(body: { magnet: string; chooseFiles?: boolean }): Promise<CreatedJob>
}

/**
 * Adds each line in turn (one at a time: the server's rate limit counts them, and the report
 * keeps the pasted order). A line that is not a magnet link is refused without a request.
 *
 * @example
 * const report = await addMagnetLines(magnetLines(text), { chooseFiles, known, create })
 */
export async function addMagnetLines(
  lines: readonly string[],
  { chooseFiles, known, plan, create }: AddManyOptions,
): Promise<LineOutcome[]> {
  const seen = new Set(known)
  const report: LineOutcome[] = []
  for (const line of lines) {
    const problem = magnetError(line)
    if (problem) {
      report.push({ line, outcome: 'refused', reason: problem })
      continue
    }
    const request: AddJobRequest = { kind: 'magnet', magnet: line, chooseFiles }
    try {
      const { job, created } = await create(
        chooseFiles ? { magnet: line, chooseFiles: true } : { magnet: line },
      )
      report.push({ line, outcome: created && !seen.has(job.id) ? 'added' : 'already', job })
      seen.add(job.id)
    } catch (error) {
      const described = describeCreateError(error, request, plan)
      const reason = described.title
        ? `${described.title}. ${described.message}`
        : described.message
      report.push({ line, outcome: 'refused', reason })
    }
  }
  return report
}

/** "2 added, 1 already yours, 1 refused" for the report's heading. */
export function summariseReport(report: readonly LineOutcome[]): string {
  const count = (outcome: LineOutcome['outcome']) =>
    report.filter((entry) => entry.outcome === outcome).length
  return [
    [count('added'), 'added'],
    [count('already'), 'already yours'],
    [count('refused'), 'refused'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, words]) => `${n} ${words}`)
    .join(', ')
}
