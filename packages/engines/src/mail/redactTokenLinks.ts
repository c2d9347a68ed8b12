/**
 * A mail text with the value of every `token=` query parameter replaced by `[redacted]`: what the outbox
 * keeps once a message is delivered or given up. The value ends where a URL's unreserved and
 * percent-encoded characters end (a quote, `&`, `#`, `<` or space), so the rest of the body stays.
 */
export const redactTokenLinks = (text: string): string => text.replace(/([?&]token=)[A-Za-z0-9_.~%-]+/g, "$1[redacted]")
