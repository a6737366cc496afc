-- Request mix for bench/waf.sh: a browser page load, a search with a query string, a form post
-- and a JSON API call, in turn. The same script drives both WAFs.
local ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
local common = {
  ["Host"] = "bench.test", ["User-Agent"] = ua,
  ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  ["Accept-Language"] = "en-US,en;q=0.5", ["Accept-Encoding"] = "gzip, deflate, br",
  ["Cookie"] = "session=6f1c2a9b8e; theme=dark",
}
local function with(extra)
  local h = {}
  for k, v in pairs(common) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end
local form = "username=alice&password=Secr3t-pass%21&remember=on&comment=Great+product%2C+arrived+on+time."
local json = '{"items":[{"sku":"SKU-1234","qty":2}],"coupon":"SPRING10","address":{"city":"Z\\u00fcrich","zip":"8001"}}'
local reqs = {
  wrk.format("GET", "/", with()),
  wrk.format("GET", "/search?q=running+shoes&page=2&sort=price_asc", with()),
  wrk.format("POST", "/login", with({ ["Content-Type"] = "application/x-www-form-urlencoded", ["Content-Length"] = tostring(#form) }), form),
  wrk.format("POST", "/api/v2/cart", with({ ["Content-Type"] = "application/json", ["Content-Length"] = tostring(#json) }), json),
}
local i = 0
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
