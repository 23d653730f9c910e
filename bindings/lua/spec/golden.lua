-- Reads the shared golden vectors (tests/vectors/golden.jsonl) for the spec, in plain Lua that
-- runs on 5.1/LuaJIT and 5.4: a small JSON reader (objects, arrays, strings with \uXXXX
-- escapes and surrogate pairs, numbers, true/false/null) and a base64 decoder for input_b64.
local M = {}

local function utf8_char(cp)
  if cp < 0x80 then
    return string.char(cp)
  elseif cp < 0x800 then
    return string.char(0xC0 + math.floor(cp / 0x40), 0x80 + cp % 0x40)
  elseif cp < 0x10000 then
    return string.char(0xE0 + math.floor(cp / 0x1000), 0x80 + math.floor(cp / 0x40) % 0x40,
      0x80 + cp % 0x40)
  end
  return string.char(0xF0 + math.floor(cp / 0x40000), 0x80 + math.floor(cp / 0x1000) % 0x40,
    0x80 + math.floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
end

local escapes = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n',
  r = '\r', t = '\t' }

local parse_value

local function fail(s, pos, what)
  error(string.format("JSON: %s at byte %d of %q", what, pos, s), 0)
end

local function skip_space(s, pos)
  return (s:find("[^ \t\r\n]", pos)) or #s + 1
end

local function parse_string(s, pos) -- pos is just after the opening quote
  local parts = {}
  while true do
    local a, b = s:find('[^"\\]*', pos)
    parts[#parts + 1] = s:sub(a, b)
    pos = b + 1
    local c = s:sub(pos, pos)
    if c == '"' then
      return table.concat(parts), pos + 1
    elseif c == "" then
      fail(s, pos, "unterminated string")
    end
    local e = s:sub(pos + 1, pos + 1)
    if e == "u" then
      local hex = s:match("^%x%x%x%x", pos + 2) or fail(s, pos, "bad \\u escape")
      local cp = tonumber(hex, 16)
      pos = pos + 6
      if cp >= 0xD800 and cp <= 0xDBFF then
        local low = s:match("^\\u(%x%x%x%x)", pos)
        local lo = low and tonumber(low, 16)
        if not lo or lo < 0xDC00 or lo > 0xDFFF then fail(s, pos, "lone high surrogate") end
        cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
        pos = pos + 6
      elseif cp >= 0xDC00 and cp <= 0xDFFF then
        fail(s, pos, "lone low surrogate")
      end
      parts[#parts + 1] = utf8_char(cp)
    else
      parts[#parts + 1] = escapes[e] or fail(s, pos, "bad escape")
      pos = pos + 2
    end
  end
end

local literals = { ["true"] = true, ["false"] = false, ["null"] = M }

parse_value = function(s, pos)
  pos = skip_space(s, pos)
  local c = s:sub(pos, pos)
  if c == '"' then
    return parse_string(s, pos + 1)
  elseif c == "{" then
    local obj = {}
    pos = skip_space(s, pos + 1)
    if s:sub(pos, pos) == "}" then return obj, pos + 1 end
    while true do
      if s:sub(pos, pos) ~= '"' then fail(s, pos, "object key expected") end
      local key
      key, pos = parse_string(s, pos + 1)
      pos = skip_space(s, pos)
      if s:sub(pos, pos) ~= ":" then fail(s, pos, "':' expected") end
      local v
      v, pos = parse_value(s, pos + 1)
      if v ~= M then obj[key] = v end -- null: absent
      pos = skip_space(s, pos)
      c = s:sub(pos, pos)
      if c == "}" then return obj, pos + 1 end
      if c ~= "," then fail(s, pos, "',' or '}' expected") end
      pos = skip_space(s, pos + 1)
    end
  elseif c == "[" then
    local arr, n = {}, 0
    pos = skip_space(s, pos + 1)
    if s:sub(pos, pos) == "]" then return arr, pos + 1 end
    while true do
      local v
      v, pos = parse_value(s, pos)
      n = n + 1
      if v ~= M then arr[n] = v end -- null: a hole
      pos = skip_space(s, pos)
      c = s:sub(pos, pos)
      if c == "]" then return arr, pos + 1 end
      if c ~= "," then fail(s, pos, "',' or ']' expected") end
      pos = pos + 1
    end
  end
  local word = s:match("^%a+", pos)
  if word and literals[word] ~= nil then return literals[word], pos + #word end
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  if num and tonumber(num) then return tonumber(num), pos + #num end
  fail(s, pos, "value expected")
end

-- Decode one JSON text (a value and nothing else but white space).
function M.decode(s)
  local v, pos = parse_value(s, 1)
  if skip_space(s, pos) <= #s then fail(s, pos, "trailing characters") end
  if v == M then return nil end
  return v
end

local b64 = {}
do
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for i = 1, 64 do b64[alphabet:byte(i)] = i - 1 end
end

function M.base64_decode(s)
  s = s:gsub("[%s=]", "")
  local out = {}
  for i = 1, #s, 4 do
    local n, bits = 0, 0
    for j = i, math.min(i + 3, #s) do
      local v = b64[s:byte(j)] or error("base64: bad character in " .. s, 0)
      n, bits = n * 64 + v, bits + 6
    end
    local bytes = math.floor(bits / 8)
    n = math.floor(n / 2 ^ (bits - bytes * 8)) -- drop the padding bits
    local chunk = {}
    for k = bytes, 1, -1 do
      chunk[k] = string.char(n % 256)
      n = math.floor(n / 256)
    end
    out[#out + 1] = table.concat(chunk)
  end
  return table.concat(out)
end

-- All records of a JSON-lines file; input_b64 is decoded into input.
function M.load(path)
  local f = assert(io.open(path, "rb"))
  local records = {}
  local lineno = 0
  for line in f:lines() do
    lineno = lineno + 1
    if line:find("%S") then
      local ok, rec = pcall(M.decode, line)
      if not ok then
        f:close()
        error(string.format("%s:%d: %s", path, lineno, rec), 0)
      end
      if rec.input_b64 then rec.input = M.base64_decode(rec.input_b64) end
      records[#records + 1] = rec
    end
  end
  f:close()
  return records
end

return M
