const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** An API timestamp as the reader's local date and time. */
export function formatDate(iso: string): string {
  return dateTime.format(new Date(iso))
}
