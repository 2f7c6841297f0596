-- wrk: streaming chat completions. Each thread counts the responses that are not a complete
-- 200 event stream ending in [DONE]; done() sums them over the threads.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"MODEL","stream":true,"messages":[{"role":"user","content":"hi"}]}'

local threads = {}
function setup(thread) table.insert(threads, thread) end

truncated = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "data: %[DONE%]\n\n$") then truncated = truncated + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("truncated") end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.write(string.format("streams: %d completed, socket/status errors: %d, truncated or failed: %d\n",
                         summary.requests, errors, bad))
end
