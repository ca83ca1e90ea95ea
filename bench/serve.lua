-- wrk script for `make bench-serve`. With IG_REVIEWS set it posts the
-- AdmissionReviews of that file (one per line) in turn, each thread from its
-- own offset; without it wrk's plain GET of the URL is sent (the baseline).
-- IG_DELAY_MS paces each connection (wrk has no fixed-rate mode).
local bodies = {}
local i = 0
local reviews = os.getenv("IG_REVIEWS") or ""
local pace = tonumber(os.getenv("IG_DELAY_MS") or "0")

function init(args)
  if reviews == "" then return end
  for line in io.lines(reviews) do bodies[#bodies + 1] = line end
  i = math.random(#bodies)
end

if reviews ~= "" then
  function request()
    i = i % #bodies + 1
    return wrk.format("POST", "/validate", { ["Content-Type"] = "application/json" }, bodies[i])
  end
end

if pace > 0 then
  function delay() return pace end
end

