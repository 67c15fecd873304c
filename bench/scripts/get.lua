-- GET the URL wrk was given, as a browser would: Accept-Encoding gzip.
--
-- BENCH_QUERY, when set, is appended to every request with a counter, e.g.
-- "utm_source=x&fbclid=" makes each request's tracking parameters new, which a
-- cache key that ignores them must not notice.

local query = os.getenv("BENCH_QUERY")
local counter = 0

function init(args)
  wrk.headers["Accept-Encoding"] = "gzip"
  wrk.headers["User-Agent"] = os.getenv("BENCH_UA")
    or "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    .. "Chrome/131.0.0.0 Safari/537.36"
end

function request()
  if query == nil or query == "" then
    return wrk.format("GET")
  end
  counter = counter + 1
  local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format("GET", wrk.path .. separator .. query .. counter)
end
