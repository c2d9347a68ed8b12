import { isJsonObject } from "./isJsonObject.js"
import { jsonEquals } from "./jsonEquals.js"
import { compareInstants, type Instant, parseRfc3339 } from "./rfc3339.js"

/** A compiled test of one resolved value. */
export type ValueTest = (actual: unknown) => boolean

const hasOwn = Object.prototype.hasOwnProperty
const never: ValueTest = () => false

/** Equality test, with a fast path for primitives (type-strict either way). */
export const equalsTest = (expected: unknown): ValueTest =>
  typeof expected === "object" && expected !== null
    ? (actual) => jsonEquals(actual, expected)
    : (actual) => actual === expected

const containsTest = (operand: unknown): ValueTest => {
  const text = typeof operand === "string" ? operand : undefined
  const subset = isJsonObject(operand) ? operand : undefined
  return (actual) => {
    if (typeof actual === "string") return text !== undefined && actual.includes(text)
    if (Array.isArray(actual)) {
      for (const element of actual) if (jsonEquals(element, operand)) return true
      return false
    }
    if (isJsonObject(actual)) {
      if (text !== undefined) return hasOwn.call(actual, text)
      if (subset !== undefined) {
        for (const key of Object.keys(subset)) {
          if (!hasOwn.call(actual, key) || !jsonEquals(actual[key], subset[key])) return false
        }
        return true
      }
    }
    return false
  }
}

const inTest = (operand: unknown): ValueTest => {
  if (!Array.isArray(operand)) return never
  // Primitives go in a Set (SameValueZero is type-strict for JSON primitives); structures need deep equality.
  const primitives = new Set<unknown>()
  const structures: Array<unknown> = []
  for (const element of operand) {
    if (typeof element === "object" && element !== null) structures.push(element)
    else primitives.add(element)
  }
  return (actual) => {
    if (typeof actual !== "object" || actual === null) return primitives.has(actual)
    for (const element of structures) if (jsonEquals(element, actual)) return true
    return false
  }
}

type Ordering = (comparison: number) => boolean

const orderingTest = (operand: unknown, accept: Ordering): ValueTest => {
  if (typeof operand === "number") {
    return (actual) => typeof actual === "number" && accept(actual - operand)
  }
  if (typeof operand === "string") {
    const bound: Instant | undefined = parseRfc3339(operand)
    if (bound === undefined) return never
    return (actual) => {
      if (typeof actual !== "string") return false
      const instant = parseRfc3339(actual)
      return instant !== undefined && accept(compareInstants(instant, bound))
    }
  }
  return never
}

/** Compiles one operator of an operator map; undefined for an unknown operator (which never matches). */
export const compileOperator = (operator: string, operand: unknown): ValueTest | undefined => {
  switch (operator) {
    case "eq":
      return equalsTest(operand)
    case "neq": {
      const eq = equalsTest(operand)
      return (actual) => !eq(actual)
    }
    case "contains":
      return containsTest(operand)
    case "in":
      return inTest(operand)
    case "gt":
      return orderingTest(operand, (c) => c > 0)
    case "gte":
      return orderingTest(operand, (c) => c >= 0)
    case "lt":
      return orderingTest(operand, (c) => c < 0)
    case "lte":
      return orderingTest(operand, (c) => c <= 0)
    default:
      return undefined
  }
}
