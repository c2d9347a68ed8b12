import { isJsonObject } from "./isJsonObject.js"
import { compileOperator, equalsTest, type ValueTest } from "./operators.js"
import { MISSING_PATH, resolvePath } from "./resolvePath.js"

/** One `path: expectation` entry, ready to run. */
export interface ConditionClause {
  readonly path: string
  readonly segments: ReadonlyArray<string>
  readonly test: ValueTest
}

/**
 * Conditions compiled once per grant. `constant` is true for `{}`, false when the set can never hold
 * (non-object stored value, unknown operator); otherwise null and the clauses decide.
 */
export interface CompiledConditions {
  readonly constant: boolean | null
  readonly clauses: ReadonlyArray<ConditionClause>
}

export const conditionsAlways: CompiledConditions = { constant: true, clauses: [] }
export const conditionsNever: CompiledConditions = { constant: false, clauses: [] }

const isEmptyObject = (value: unknown): boolean => isJsonObject(value) && Object.keys(value).length === 0

const compileExpectation = (expected: unknown): ValueTest | undefined => {
  if (!isJsonObject(expected)) return equalsTest(expected)
  const operators = Object.keys(expected)
  if (operators.length === 0) return isEmptyObject
  const tests: Array<ValueTest> = []
  for (const operator of operators) {
    const test = compileOperator(operator, expected[operator])
    if (test === undefined) return undefined
    tests.push(test)
  }
  if (tests.length === 1) return tests[0]
  return (actual) => {
    for (const test of tests) if (!test(actual)) return false
    return true
  }
}

/** Compiles stored conditions (authz.md §2.7); anything but a JSON object fails closed. */
export const compileConditions = (conditions: unknown): CompiledConditions => {
  if (!isJsonObject(conditions)) return conditionsNever
  const paths = Object.keys(conditions)
  if (paths.length === 0) return conditionsAlways
  const clauses: Array<ConditionClause> = []
  for (const path of paths) {
    const test = compileExpectation(conditions[path])
    if (test === undefined) return conditionsNever
    clauses.push({ path, segments: path.split("."), test })
  }
  return { constant: null, clauses }
}

/** Runs compiled conditions against an ABAC document: every clause must resolve and hold. */
export const conditionsHold = (compiled: CompiledConditions, document: unknown): boolean => {
  if (compiled.constant !== null) return compiled.constant
  for (const clause of compiled.clauses) {
    const actual = resolvePath(document, clause.segments)
    if (actual === MISSING_PATH || !clause.test(actual)) return false
  }
  return true
}

/** One-shot evaluation for callers that do not cache the compiled form. */
export const evaluateConditions = (conditions: unknown, document: unknown): boolean =>
  conditionsHold(compileConditions(conditions), document)
