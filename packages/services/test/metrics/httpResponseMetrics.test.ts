import { describe, expect, it } from "vitest"
import { Counter } from "../../src/metrics/Counter.js"
import { Histogram } from "../../src/metrics/Histogram.js"
import { httpResponseMetrics } from "../../src/metrics/httpResponseMetrics.js"

describe("httpResponseMetrics", () => {
  it("counts each (method, route, status) and observes durations by route through bound series", () => {
    const requests = new Counter("reqs", "requests", ["method", "route", "status"])
    const duration = new Histogram("dur", "duration", ["route"], [0.001, 0.01])
    const record = httpResponseMetrics(requests, duration)
    record("/certs/ocsp", 200, 0.5, "POST")
    record("/certs/ocsp", 200, 5, "POST")
    record("/certs/ocsp", 200, 50, "POST")
    record("/certs/ocsp", 405, 0.2, "GET")
    record("unmatched", 404, 0.1, "GET")
    expect(requests.get({ method: "POST", route: "/certs/ocsp", status: "200" })).toBe(3)
    expect(requests.get({ method: "GET", route: "/certs/ocsp", status: "405" })).toBe(1)
    expect(requests.get({ method: "GET", route: "unmatched", status: "404" })).toBe(1)
    expect(duration.count({ route: "/certs/ocsp" })).toBe(4)
    const text = duration.render()
    // 0.5 ms and 0.2 ms under 1 ms, 5 ms under 10 ms, 50 ms only in +Inf
    expect(text).toContain('dur_bucket{route="/certs/ocsp",le="0.001"} 2\n')
    expect(text).toContain('dur_bucket{route="/certs/ocsp",le="0.01"} 3\n')
    expect(text).toContain('dur_bucket{route="/certs/ocsp",le="+Inf"} 4\n')
  })

  it("a collected counter keeps a bound series' entry, updated in place", () => {
    const counter = new Counter("c", "c", ["category"])
    const inc = counter.bind({ category: "a" })
    counter.collect(() => [[{ category: "a" }, 10]])
    counter.render()
    inc()
    expect(counter.get({ category: "a" })).toBe(11)
  })
})
