-- Reader searches: GET /search/?q=<words>, cycling through BENCH_QUERIES.
--
-- BENCH_QUERIES holds the queries separated by "|"; each wrk thread starts at
-- its own place in the list so the threads do not ask the same thing at once.

local queries = {}
for query in string.gmatch(os.getenv("BENCH_QUERIES") or "council", "[^|]+") do
  queries[#queries + 1] = query
end

local function encode(text)
  return (text:gsub("[^%w%-_.~ ]", function(char)
    return string.format("%%%02X", string.byte(char))
  end):gsub(" ", "+"))
end

local threads = 0

function setup(thread)
  thread:set("offset", threads * 7)
  threads = threads + 1
end

local counter = 0
local headers = {}

function init(args)
  headers["User-Agent"] = os.getenv("BENCH_UA")
    or "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    .. "Chrome/131.0.0.0 Safari/537.36"
end

function request()
  counter = counter + 1
  local query = queries[((counter + offset) % #queries) + 1]
  return wrk.format("GET", "/search/?q=" .. encode(query), headers)
end

-- wrk's --latency table has no 95th percentile: print it in the same form, so
-- bench/wrk.py reads it with the others.
function done(summary, latency, requests)
  io.write(string.format("     95%%   %.2fms\n", latency:percentile(95) / 1000))
end
