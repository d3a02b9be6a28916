-- wrk script for bench/load.py: every virtual user is one coordinator with its own session and CSRF token.
--
--   wrk -t2 -c200 -d30s -s bench/load.lua http://127.0.0.1:PORT -- <mode> <users file> <users> <rate>
--
-- mode: "autosave" (POST one question as static/js/answering.js does, reading back the new version from the
-- answer), "section" (GET the user's own section page), "home" (GET / logged in: the framework floor), "static" (a
-- static file through whitenoise). users: how many of the file's users take part (the first N). rate: total
-- requests per second to aim for (0: as fast as the server answers; otherwise each user waits between requests,
-- like a person typing, so the server sees about `rate` requests per second).
--
-- The users file (written by bench/load.py) holds tab-separated lines:
--   U <index> <sessionid> <csrf cookie> <masked csrf token> <org code>
--   Q <index> <question code> <kind> <version> <value>      (the state of a question the user will edit)
--   P <path>                                                  (the section path template, {org} for the org code)
--   S <path>                                                  (the static file path)
-- Each wrk thread drives its own share of the users (index % threads), so no two threads edit the same answers.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local function split(line)
  local out = {}
  for field in string.gmatch(line .. "\t", "([^\t]*)\t") do
    table.insert(out, field)
  end
  return out
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local mode, users, questions, by_email, order
local section_path, static_path, host
local rr, inflight = 0, {}
local interval_ms = 0
-- counters read by done()
saved, conflicts, unexpected, statuses = 0, 0, 0, {}

function init(args)
  mode = args[1]
  local path = args[2]
  local wanted = tonumber(args[3])
  local rate = tonumber(args[4] or "0")
  local nthreads = tonumber(args[5] or "1")
  users, questions, by_email, order = {}, {}, {}, {}
  for line in io.lines(path) do
    local f = split(line)
    if f[1] == "U" then
      local index = tonumber(f[2])
      if index < wanted and index % nthreads == tid then
        users[index] = { session = f[3], csrf = f[4], token = f[5], org = f[6], q = 0, email = f[7] }
        by_email[f[7]] = index
        table.insert(order, index)
      end
    elseif f[1] == "Q" then
      local index = tonumber(f[2])
      questions[index] = questions[index] or {}
      table.insert(questions[index], { code = f[3], kind = f[4], version = tonumber(f[5]), value = f[6] or "" })
    elseif f[1] == "P" then
      section_path = f[2]
    elseif f[1] == "S" then
      static_path = f[2]
    end
  end
  host = wrk.host .. ":" .. wrk.port
  if rate > 0 then
    -- each user waits about users / rate seconds between requests, so all of them make about `rate` per second
    interval_ms = 1000.0 * wanted / rate
  else
    delay = nil -- unpaced: no delay hook at all (wrk 4.1 stalls when delay() returns 0 and response() is set)
  end
  math.randomseed(1000 + tid)
end

function delay()
  if interval_ms <= 0 then
    return 0
  end
  -- a person's pause: uniformly 50–150 % of the mean interval, minus a nominal 20 ms the answer itself takes
  local d = interval_ms * (0.5 + math.random()) - 20
  if d < 0 then
    return 0
  end
  return d
end

local function next_user()
  -- the next user (round robin) without a request in flight: one user never has two saves racing, like
  -- htmx's hx-sync="this:queue last"; if every user is busy (should not happen: users == connections), any.
  local n = #order
  for _ = 1, n do
    rr = rr % n + 1
    local index = order[rr]
    if not inflight[index] then
      return index
    end
  end
  rr = rr % n + 1
  return order[rr]
end

local function next_value(q)
  if q.kind == "choice" then
    if q.value == "yes" then
      return "no"
    end
    return "yes"
  elseif q.kind == "integer" then
    return tostring((tonumber(q.value) or 0) % 997 + 1)
  end
  return "Measures are reviewed every year (revision " .. tostring(q.version + 1) .. ")."
end

local function common_headers(u)
  return {
    ["Host"] = host,
    ["Cookie"] = "sessionid=" .. u.session .. "; csrftoken=" .. u.csrf,
    -- behind the production TLS proxy: the app sees https, so secure cookies and the HTTPS CSRF checks apply
    ["X-Forwarded-Proto"] = "https",
    ["User-Agent"] = "oscethb-bench-load",
  }
end

function request()
  local index = next_user()
  local u = users[index]
  local headers = common_headers(u)
  local page = "/" .. string.gsub(section_path, "{org}", u.org)
  if mode == "static" then
    return wrk.format("GET", static_path, headers)
  elseif mode == "home" then
    return wrk.format("GET", "/", headers)
  elseif mode == "section" then
    return wrk.format("GET", page, headers)
  end
  local qs = questions[index]
  u.q = u.q % #qs + 1
  local q = qs[u.q]
  local field = q.code .. "||"
  local value = next_value(q)
  local body = "csrfmiddlewaretoken=" .. urlencode(u.token)
    .. "&" .. urlencode(field) .. "=" .. urlencode(value)
    .. "&" .. urlencode("v|" .. field) .. "=" .. tostring(q.version)
    .. "&" .. urlencode("o|" .. field) .. "=" .. urlencode(q.value)
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["HX-Request"] = "true"
  headers["HX-Current-URL"] = "https://" .. host .. page
  headers["HX-Trigger"] = "q-" .. q.code
  headers["X-CSRFToken"] = u.token
  headers["Origin"] = "https://" .. host
  headers["Referer"] = "https://" .. host .. page
  local path = "/" .. string.gsub(section_path, "{org}", u.org)
  path = string.gsub(path, "section/[^/]+/$", "autosave/" .. q.code .. "/")
  inflight[index] = true
  return wrk.format("POST", path, headers, body)
end

local function unescape_html(s)
  s = string.gsub(s, "&quot;", '"')
  s = string.gsub(s, "&#x27;", "'")
  s = string.gsub(s, "&#39;", "'")
  s = string.gsub(s, "&lt;", "<")
  s = string.gsub(s, "&gt;", ">")
  return (string.gsub(s, "&amp;", "&"))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if mode ~= "autosave" then
    if status ~= 200 then
      unexpected = unexpected + 1
    end
    return
  end
  -- Who answered: the feedback says "Last changed by <email>"; then read back the state as the page would.
  local email = string.match(body, "Last changed by ([^%s<]+@bench%.invalid)")
  local index = email and by_email[email]
  if index == nil then
    unexpected = unexpected + 1
    return
  end
  inflight[index] = nil
  local state = string.match(body, 'data%-save%-state="([%a%-]+)"')
  -- "saved-hidden": saved, and the person's other answers hide the question (the answer is kept, not counted)
  if state == "saved" or state == "saved-hidden" then
    saved = saved + 1
  elseif state == "conflict" then
    conflicts = conflicts + 1
  else
    unexpected = unexpected + 1
  end
  for _, q in ipairs(questions[index]) do
    local field = q.code .. "||"
    local pattern = string.gsub(field, "%p", "%%%0")
    local version = string.match(body, 'name="v|' .. pattern .. '" value="(%d+)"')
    if version then
      local original = string.match(body, 'name="o|' .. pattern .. '" value="([^"]*)"')
      q.version = tonumber(version)
      q.value = unescape_html(original or "")
      -- a conflict: the person chooses "keep mine", which takes the other version (as the page's script does)
      local theirs = string.match(body, "data%-conflict%-keep data%-version=\"(%d+)\"")
      if state == "conflict" and theirs then
        q.version = tonumber(theirs)
      end
    end
  end
end

function done(summary, latency, requests)
  local totals = { saved = 0, conflicts = 0, unexpected = 0, statuses = {} }
  for _, thread in ipairs(threads) do
    totals.saved = totals.saved + (thread:get("saved") or 0)
    totals.conflicts = totals.conflicts + (thread:get("conflicts") or 0)
    totals.unexpected = totals.unexpected + (thread:get("unexpected") or 0)
    local st = thread:get("statuses") or {}
    for code, n in pairs(st) do
      totals.statuses[tostring(code)] = (totals.statuses[tostring(code)] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(totals.statuses) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "saved": %d, "conflicts": %d, "unexpected": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    totals.saved, totals.conflicts, totals.unexpected, table.concat(parts, ", ")
  ))
end
