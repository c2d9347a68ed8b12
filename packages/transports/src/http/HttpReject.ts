import { Data } from "effect"
import type { RouteResponse } from "./Route.js"

/** A framework-level refusal sent as is (415, 422, plain-text 400): not an application error. */
export class HttpReject extends Data.TaggedError("HttpReject")<{ readonly response: RouteResponse }> {}

export const plain = (status: number, text: string) =>
  new HttpReject({ response: { status, headers: { "content-type": "text/plain; charset=utf-8" }, body: text } })
