-- wrk script of make bench. The scenario is wrk's argument after "--":
--   generate  POST /api/gerar-senha, 16 characters, digits and special characters
--   list      GET /api/senhas
--   index     GET /
--   mix       the course's Locust mix: one generate to two list reads
-- done() prints one JSON line with the counts and latency percentiles (microseconds).

local body = '{"tamanho": 16, "incluir_numeros": true, "incluir_caracteres_especiais": true}'
local reqs, n

function init(args)
  local generate = wrk.format("POST", "/api/gerar-senha", { ["Content-Type"] = "application/json" }, body)
  local list = wrk.format("GET", "/api/senhas")
  local index = wrk.format("GET", "/")
  local scenarios = {
    generate = { generate },
    list = { list },
    index = { index },
    mix = { generate, list, list },
  }
  reqs = scenarios[args[1]]
  if reqs == nil then
    error("wrk.lua: unknown scenario " .. tostring(args[1]))
  end
  n = 0
end

function request()
  n = n + 1
  return reqs[(n - 1) % #reqs + 1]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
