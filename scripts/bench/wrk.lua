-- wrk script of make bench. The scenario is wrk's argument after "--":
--   generate  POST /api/gerar-senha, 16 characters, digits and special characters
--   list      GET /api/senhas
--   index     GET /
--   mix       the course's Locust mix: one generate to two list reads
--   generate-cookies  generate from browsers that keep their session: each thread
--             sends 64 session cookies in turn (HISTORY_SCOPE=session), drawn from the
--             file WRK_COOKIES names, which the app minted (it takes no other)
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
  if args[1] == "generate-cookies" then
    -- Each thread has its own Lua state: seed it apart (a table's address differs).
    math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
    local cookies = {}
    for line in io.lines(os.getenv("WRK_COOKIES") or error("wrk.lua: WRK_COOKIES names no file")) do
      table.insert(cookies, line)
    end
    scenarios["generate-cookies"] = {}
    for i = 1, 64 do
      table.insert(scenarios["generate-cookies"], wrk.format("POST", "/api/gerar-senha",
        { ["Content-Type"] = "application/json", ["Cookie"] = "giropops_sessao=" .. cookies[math.random(1, #cookies)] }, body))
    end
  end
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
