/**
 * What Atom answered instead of data: the contract's message (`forbidden`, `entity <id> not found` …) and
 * the HTTP status; status 0 when the server could not be reached.
 */
export class AtomClientError extends Error {
  override readonly name = "AtomClientError"
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}
