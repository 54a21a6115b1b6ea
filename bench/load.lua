-- wrk script for bench/load.py: every request unique, every answered decision id kept.
--
--   wrk -t2 -c32 -d15s -s bench/load.lua URL -- MODE DATA_DIR
--
-- MODE: healthz (GET /healthz), prompt (POST /v1/screen, a prompt) or image (the
-- same with a base64 JPEG). DATA_DIR holds what bench/load.py wrote: "key" (the
-- bearer key), "prompts" (one per line, ordinary and harmful mixed) and, for
-- images, "imageN.head" / "imageN.tail": a JPEG's base64 cut around a 12-byte
-- comment that starts on a 3-byte boundary, so its 16 base64 characters can be
-- replaced by those of a counter (same pixels, bytes never seen before). Each
-- thread writes the ids of its 200 answers to DATA_DIR/ids.<thread>.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

local function read(path)
   local f = assert(io.open(path, "rb"))
   local text = f:read("*a")
   f:close()
   return text
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function b64(s) -- #s a multiple of 3
   local out = {}
   for i = 1, #s, 3 do
      local a, b, c = s:byte(i, i + 2)
      local n = a * 65536 + b * 256 + c
      for shift = 18, 0, -6 do
         local k = math.floor(n / 2 ^ shift) % 64
         out[#out + 1] = B64:sub(k + 1, k + 1)
      end
   end
   return table.concat(out)
end

function init(args)
   mode, dir = args[1], args[2]
   tid = tid or 1
   serial = 0
   headers = {
      ["Authorization"] = "Bearer " .. read(dir .. "/key"),
      ["Content-Type"] = "application/json",
   }
   prompts = {}
   for line in read(dir .. "/prompts"):gmatch("[^\n]+") do
      prompts[#prompts + 1] = line
   end
   images = {}
   if mode == "image" then
      local i = 0
      while io.open(dir .. "/image" .. i .. ".head") do
         images[#images + 1] = {
            head = read(dir .. "/image" .. i .. ".head"),
            tail = read(dir .. "/image" .. i .. ".tail"),
         }
         i = i + 1
      end
   end
   ids = assert(io.open(dir .. "/ids." .. tid, "w"))
   ids:setvbuf("line")
end

function request()
   if mode == "healthz" then
      return wrk.format("GET", "/healthz")
   end
   serial = serial + 1
   local n = tid * 100000000 + serial
   local prompt = prompts[n % #prompts + 1] .. ", take " .. n
   local body
   if mode == "prompt" then
      body = '{"mode":"edit","prompt":"' .. prompt .. '"}'
   else
      local image = images[n % #images + 1]
      body = '{"mode":"edit","prompt":"' .. prompt .. '","source_image":"'
         .. image.head .. b64(string.format("%012d", n)) .. image.tail .. '"}'
   end
   return wrk.format("POST", "/v1/screen", headers, body)
end

function response(status, headers, body)
   if status == 200 and mode ~= "healthz" then
      local id = body:match('^{"id":"(%x+)"')
      if id then
         ids:write(id, "\n")
      end
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      '{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,'
         .. '"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(99)))
end
