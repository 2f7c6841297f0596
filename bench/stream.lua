-- wrk: streaming chat completions; counts responses that do not end with [DONE]
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"MODEL","stream":true,"messages":[{"role":"user","content":"hi"}]}'
local truncated = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "data: %[DONE%]") then truncated = truncated + 1 end
end
function done(summary, latency, requests)
  io.write(string.format("streams: %d, errors: %d, truncated/failed: %d\n",
    summary.requests, summary.errors.status + summary.errors.read + summary.errors.connect, truncated))
end
