-- wrk script of benchmarks/http_load.py: one prepared request (method, headers, body read from a file), every
-- response counted as success (2xx, or a 302 to /track/ — the web form's answer) or not, and one JSON line
-- at the end ("BENCHJSON {...}") that the Python side reads.
--   wrk ... -s http_load.lua URL -- METHOD BODYFILE|- "Header: value" ...
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local method = args[1] or "GET"
  local body = nil
  if args[2] and args[2] ~= "-" then
    local f = assert(io.open(args[2], "rb"))
    body = f:read("*a")
    f:close()
  end
  local headers = {}
  for i = 3, #args do
    local k, v = string.match(args[i], "^([^:]+):%s*(.*)$")
    headers[k] = v
  end
  prepared = wrk.format(method, nil, headers, body)
  ok, bad, last_bad = 0, 0, 0
end

function request()
  return prepared
end

function response(status, headers, body)
  if (status >= 200 and status < 300)
      or (status == 302 and string.find(headers["Location"] or "", "/track/", 1, true)) then
    ok = ok + 1
  else
    bad = bad + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local ok_all, bad_all, last = 0, 0, 0
  for _, t in ipairs(threads) do
    ok_all = ok_all + t:get("ok")
    bad_all = bad_all + t:get("bad")
    if t:get("last_bad") ~= 0 then last = t:get("last_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, "ok": %d, ' ..
    '"bad": %d, "bad_status": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    ok_all, bad_all, last, e.connect, e.read, e.write, e.timeout))
end
