-- wrk script for the read path: every request asks about one payer drawn at random from a file
-- of payer ids (one a line). Arguments after wrk's "--": a path template with "{id}" where the
-- payer id goes, then the ids file.
--   wrk ... http://127.0.0.1:PORT -- '/v1/pricing_table?payer_id={id}' payer_ids.txt
local ids = {}
local before, after

function init(args)
  before, after = args[1]:match("^(.-){id}(.*)$")
  for line in io.lines(args[2]) do
    ids[#ids + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring(ids):match("0x(%x+)") or "0", 16))
end

function request()
  return wrk.format(nil, before .. ids[math.random(#ids)] .. after)
end
