export * from './ProgressBar.tsx'
export * from './StatusBadge.tsx'
export * from './JobSummary.tsx'
