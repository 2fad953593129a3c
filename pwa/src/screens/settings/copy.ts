import { toast } from '../../ui/toast.tsx'

/** Copies a value shown on screen and says so; when the browser refuses, says how to copy it by hand. */
export async function copyText(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    toast(`${what} copied`, { tone: 'success' })
  } catch {
    toast(
      `The browser did not allow copying. Select the ${what.toLowerCase()} and copy it by hand.`,
      {
        tone: 'error',
      },
    )
  }
}
