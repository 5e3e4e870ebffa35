-- wrk script: POST /api/v1/appeals with a bearer token and a unique Idempotency-Key per request
-- (each wrk thread has its own prefix); prints the figures as one JSON line at the end.
local token = os.getenv("OTKLIK_BENCH_TOKEN") or ""
local run = os.getenv("OTKLIK_BENCH_RUN") or "run"
local body = '{"kind":"message","channel":"pos","text":"Не горят фонари во дворе дома 5","external_id":"POS-1"}'
local threads = {}
local counter = 0
local prefix = ""
local failures = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  prefix = run .. "-" .. tostring(id) .. "-"
  wrk.method = "POST"
  wrk.path = "/api/v1/appeals"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. tostring(counter)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("failures") or 0)
  end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "not_201": %d, "socket_errors": %d,'
      .. ' "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration / 1e6, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
