-- wrk script for bench/load.py: reach and map requests over a rotating set of real actor ids.
--
--   wrk -t2 -c50 -d60s --timeout 30s --latency -s bench/load.lua http://127.0.0.1:PORT -- IDS_FILE [MIX]
--
-- IDS_FILE holds one actor id per line (URL-safe). Each thread walks the ids from its own
-- offset and alternates the two requests, so the mix is one to one:
--   GET /api/reach/{id}?depth=2      (the reach document, JSON)
--   GET /map/focus/{id}?depth=1      (the neighbourhood's map page, HTML)
-- MIX: "both" (the default), or "reach" or "map" alone.
-- At the end one line "LOAD_RESULT {json}" gives the counts and the latency percentiles
-- (microseconds) that bench/load.py reads.

local ids = {}
local counter = 0
local mix = "both"
local threads = {}
-- per thread: responses whose status is not 2xx (wrk's own count leaves out 3xx) and the
-- distinct statuses seen
non2xx = 0
statuses = ""
local seen_status = {}

local function read_ids(path)
  local list = {}
  local fh = assert(io.open(path, "r"), "cannot open the ids file " .. tostring(path))
  for line in fh:lines() do
    if line ~= "" then
      list[#list + 1] = line
    end
  end
  fh:close()
  assert(#list > 0, "no ids in " .. path)
  return list
end

function setup(thread)
  thread:set("index", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  ids = read_ids(args[1])
  mix = args[2] or "both"
  assert(mix == "both" or mix == "reach" or mix == "map", "MIX is both, reach or map")
  -- each thread starts at its own place in the list
  counter = (index or 0) * 7919
end

function request()
  counter = counter + 1
  local id = ids[(math.floor(counter / 2) % #ids) + 1]
  if mix == "reach" or (mix == "both" and counter % 2 == 0) then
    return wrk.format("GET", "/api/reach/" .. id .. "?depth=2")
  end
  return wrk.format("GET", "/map/focus/" .. id .. "?depth=1")
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if not seen_status[status] then
      seen_status[status] = true
      statuses = statuses .. status .. " "
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local bad, seen, listed = 0, "", {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    for status in string.gmatch(thread:get("statuses"), "%d+") do
      if not listed[status] then
        listed[status] = true
        seen = seen .. (seen == "" and "" or " ") .. status
      end
    end
  end
  io.write(string.format(
    'LOAD_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"non_2xx": %d, "non_2xx_statuses": "%s", '
      .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f, "stdev": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, bad, seen,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, latency.stdev
  ))
end
