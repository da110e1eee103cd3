-- wrk script for bench/web.py: replays a file of requests, one per line:
--   METHOD <tab> PATH <tab> COOKIE <tab> BODY (form-encoded, may be empty) <tab> ACCEPT (may be empty)
-- Usage: wrk -t THREADS ... -s bench/web.lua URL -- FILE EXPECTED_STATUS THREADS [once]
-- Each thread takes every n-th line (n = threads) and cycles through them; with "once" a thread stops
-- when its lines are used up (each quiz can be submitted only once). Responses whose status differs
-- from EXPECTED_STATUS are counted; done() prints one JSON line for bench/web.py.

local threads = {}
local counter = 1

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local function split(line)
   local fields = {}
   for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

function init(args)
   local file, threads_total = args[1], tonumber(args[3])
   expected_status, stop_when_done = tonumber(args[2]), args[4] == "once"
   requests, position, unexpected = {}, 0, 0
   local index = 0
   for line in io.lines(file) do
      if (index % threads_total) + 1 == id then
         local f = split(line)
         local headers = { ["Cookie"] = f[3], ["User-Agent"] = "portal-bench/1", ["Accept-Encoding"] = "gzip, br" }
         if f[5] ~= nil and f[5] ~= "" then headers["Accept"] = f[5] end
         if f[1] == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
         table.insert(requests, wrk.format(f[1], f[2], headers, f[4] ~= "" and f[4] or nil))
      end
      index = index + 1
   end
end

function request()
   position = position + 1
   if position > #requests then
      if stop_when_done then
         wrk.thread:stop()
         return requests[#requests]
      end
      position = 1
   end
   return requests[position]
end

function response(status, headers, body)
   if status ~= expected_status then
      unexpected = unexpected + 1
   end
end

function done(summary, latency, requests)
   local unexpected_total = 0
   for _, thread in ipairs(threads) do
      unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
      '"max_us": %d, "unexpected": %d, "errors": %d}\n',
      summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max, unexpected_total,
      e.connect + e.read + e.write + e.status + e.timeout))
end
