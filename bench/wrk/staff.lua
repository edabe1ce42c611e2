-- wrk script shared by every run of bench/staff_api.sh and bench/portal_api.sh.
--
-- Environment (all optional):
--   BENCH_TOKEN   bearer token sent as `Authorization: Bearer …`
--   BENCH_METHOD  HTTP method (default GET)
--   BENCH_BODY    request body; when set, `Content-Type: application/json` is sent
--
-- At the end it prints one machine-readable line:
--   BENCH requests=N seconds=S rps=R p50_ms=A p90_ms=B p99_ms=C p999_ms=X max_ms=D non2xx=E errors=F
-- where `non2xx` counts responses outside 2xx/3xx and `errors` counts socket
-- errors (connect, read, write, timeout).

local token = os.getenv("BENCH_TOKEN")
local method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")

if method and method ~= "" then
   wrk.method = method
end
if body and body ~= "" then
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
end
if token and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.headers["Accept"] = "application/json"

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f non2xx=%d errors=%d\n",
      summary.requests,
      seconds,
      summary.requests / seconds,
      latency:percentile(50) / 1000,
      latency:percentile(90) / 1000,
      latency:percentile(99) / 1000,
      latency:percentile(99.9) / 1000,
      latency.max / 1000,
      e.status,
      e.connect + e.read + e.write + e.timeout))
end
