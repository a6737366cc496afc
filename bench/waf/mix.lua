-- Request mix for bench/waf.sh: a browser page load, a search with a query string, a form post
-- and a JSON API call, in turn. The same script drives both WAFs.
-- Headers repeat the way one browser's do; the values a WAF inspects that differ between users
-- (session cookie, search terms, form fields, JSON values) carry a per-request counter, so no
-- two requests of a kind are identical and results cached across requests only help where real
-- traffic repeats too. bench/waf/profile.ts builds the same requests in process.
local ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
local words = { "running", "shoes", "red", "jacket", "waterproof", "kids", "sale", "wool", "socks", "trail",
  "leather", "boots", "summer", "dress", "linen", "shirt", "gift", "card", "winter", "hat" }
local sorts = { "price_asc", "price_desc", "newest", "rating" }
local n = 0
local function headers(extra)
  local h = {
    ["Host"] = "bench.test", ["User-Agent"] = ua,
    ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ["Accept-Language"] = "en-US,en;q=0.5", ["Accept-Encoding"] = "gzip, deflate, br",
    ["Cookie"] = string.format("session=%08x%04x; theme=dark", n * 2654435761 % 4294967296, n % 65536),
  }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end
local function word(k) return words[(n * 7 + k * 13) % #words + 1] end
request = function()
  n = n + 1
  local kind = n % 4
  if kind == 1 then
    return wrk.format("GET", "/", headers())
  elseif kind == 2 then
    return wrk.format("GET", string.format("/search?q=%s+%s+%d&page=%d&sort=%s", word(1), word(2), n, n % 9 + 1, sorts[n % #sorts + 1]), headers())
  elseif kind == 3 then
    local form = string.format("username=%s%d&password=Secr3t-%d%%21&remember=on&comment=Great+%s%%2C+arrived+on+time+%d.", word(1), n, n * 31 % 100000, word(2), n)
    return wrk.format("POST", "/login", headers({ ["Content-Type"] = "application/x-www-form-urlencoded", ["Content-Length"] = tostring(#form) }), form)
  else
    local json = string.format('{"items":[{"sku":"SKU-%d","qty":%d}],"coupon":"%s%d","address":{"city":"Z\\u00fcrich","zip":"%d"}}', n, n % 5 + 1, string.upper(word(3)), n % 100, 8000 + n % 100)
    return wrk.format("POST", "/api/v2/cart", headers({ ["Content-Type"] = "application/json", ["Content-Length"] = tostring(#json) }), json)
  end
end
