/**
 * Runs tasks one after another. A Durable Object handles one event at a time only until it
 * awaits I/O outside its own storage (D1, fetch); this keeps a whole read-modify-write in order.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task)
    this.tail = result.catch(() => undefined)
    return result
  }
}
