import { parseMagnet } from '@tseeder/shared'
import { Link } from 'react-router'
import { type LineOutcome, summariseReport } from './add-many.ts'

const OUTCOME_WORDS: Record<LineOutcome['outcome'], string> = {
  added: 'Added',
  already: 'Already yours',
  refused: 'Refused',
}

/** A pasted line as a person recognises it: the torrent's name when the link carries one. */
function lineLabel(line: string): string {
  const parsed = parseMagnet(line)
  if (parsed.ok && parsed.name) return parsed.name
  return line.length > 60 ? `${line.slice(0, 57)}…` : line
}

/** What became of each pasted magnet line: added, already yours, or refused and why. */
export function AddReport({ report }: { report: readonly LineOutcome[] }) {
  return (
    <section className="card add-report" aria-labelledby="add-report-title" role="status">
      <h2 id="add-report-title">{summariseReport(report)}</h2>
      <ul>
        {report.map((entry, index) => (
          <li key={index} data-outcome={entry.outcome}>
            <strong>{OUTCOME_WORDS[entry.outcome]}</strong>{' '}
            {entry.outcome === 'refused' ? (
              <>
                <span className="add-report-line" title={entry.line}>
                  {lineLabel(entry.line)}
                </span>
                <span className="add-report-reason">{entry.reason}</span>
              </>
            ) : (
              <Link to={`/jobs/${encodeURIComponent(entry.job.id)}`}>{entry.job.name}</Link>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
