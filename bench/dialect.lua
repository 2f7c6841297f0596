-- wrk: one request of a dialect, from BODY and PATH (bench/run.sh fills them in). Counts the
-- answers that are not 200 (so a translation that fails shows up as errors, not speed).
wrk.method = "POST"
wrk.path = "PATH"
wrk.headers["Content-Type"] = "application/json"
wrk.body = 'BODY'
