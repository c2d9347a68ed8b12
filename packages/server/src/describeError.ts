const messageOf = (value: object): string | undefined =>
  "message" in value && typeof value.message === "string" && value.message !== "" ? value.message : undefined

/** An error and its causes on one line: enough to act on, no stack. */
export const describeError = (error: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (typeof current !== "object") {
      parts.push(String(current))
      break
    }
    const message = messageOf(current)
    if (message !== undefined && !parts.includes(message)) parts.push(message)
    current = "cause" in current ? current.cause : undefined
  }
  return parts.length > 0 ? parts.join(": ") : "unknown error"
}
