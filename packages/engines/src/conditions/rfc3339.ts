// Full RFC 3339 date-time; `t`/space separators and `z` are accepted as chrono accepts them.
const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

// Date.UTC maps years 0–99 to 19xx; setUTCFullYear does not.
const utcMillis = (year: number, month: number, day: number, hour: number, minute: number, second: number): number => {
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, 0)
  return date.getTime()
}

/** An instant as (whole seconds since the epoch, nanoseconds); a leap second sorts after :59. */
export interface Instant {
  readonly seconds: number
  readonly nanos: number
}

/** Parses an RFC 3339 timestamp exactly (nanosecond precision, offsets honoured), or undefined. */
export const parseRfc3339 = (text: string): Instant | undefined => {
  const m = PATTERN.exec(text)
  if (m === null) return undefined
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = Number(m[4])
  const minute = Number(m[5])
  const second = Number(m[6])
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 60) return undefined
  let offsetMinutes = 0
  if (m[8] === undefined) {
    const offsetHours = Number(m[10])
    const offsetMins = Number(m[11])
    if (offsetHours > 23 || offsetMins > 59) return undefined
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins)
  }
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(9, "0"))
  const leap = second === 60
  const epochMs = utcMillis(year, month, day, hour, minute, leap ? 59 : second)
  return {
    seconds: epochMs / 1000 - offsetMinutes * 60,
    nanos: leap ? 1_000_000_000 + fraction : fraction,
  }
}

/** Negative, zero or positive as a is before, equal to or after b. */
export const compareInstants = (a: Instant, b: Instant): number =>
  a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos
