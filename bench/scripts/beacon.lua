-- A view beacon from a new simulated visitor on every request.
--
-- Each wrk thread owns one first octet (BENCH_IP_BASE + thread number) and
-- counts through the other three, so no two requests of a run, and no two runs
-- with different bases, share a visitor. Articles come from BENCH_PAGES.

local ip_base = tonumber(os.getenv("BENCH_IP_BASE") or "10")
local pages = {}
for id in string.gmatch(os.getenv("BENCH_PAGES") or "1", "%d+") do
  pages[#pages + 1] = id
end
local ua = os.getenv("BENCH_UA")
  or "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
  .. "Chrome/131.0.0.0 Safari/537.36"

local threads = 0

function setup(thread)
  thread:set("octet", ip_base + threads)
  threads = threads + 1
end

local counter = 0
local headers = {}

function init(args)
  headers["User-Agent"] = ua
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Sec-Fetch-Site"] = "same-origin"
  -- wrk sends Host as the URL's host:port; Origin must name exactly that.
  headers["Origin"] = "http://" .. wrk.headers["Host"]
end

function request()
  counter = counter + 1
  local ip = string.format(
    "%d.%d.%d.%d",
    octet,
    math.floor(counter / 65536) % 256,
    math.floor(counter / 256) % 256,
    counter % 256
  )
  headers["X-Forwarded-For"] = ip
  local page = pages[(counter % #pages) + 1]
  return wrk.format("POST", "/views/" .. page .. "/", headers, "r=")
end
