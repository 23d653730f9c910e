-- busted spec for the libfix Lua binding; runs unchanged under Lua 5.4 and LuaJIT.
-- Tests tagged #engine hold the library to the shared golden vectors and to the detect
-- contract: they measure the repair engine, not the binding. #hooks needs the test build
-- (LFX_LUA_TEST_HOOKS, set by CMake) to make the library fail on demand. See README.md.
local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\][^/\\]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local libfix = require("libfix")
local golden = require("golden")

local golden_path = os.getenv("LIBFIX_GOLDEN") or (here .. "/../../../tests/vectors/golden.jsonl")
local vectors = golden.load(golden_path)

-- true when s is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF)
local function valid_utf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len, lo, hi = 1, 0x80, 0xBF
    if c < 0x80 then
      len = 1
    elseif c >= 0xC2 and c <= 0xDF then
      len = 2
    elseif c >= 0xE0 and c <= 0xEF then
      len = 3
      if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
    elseif c >= 0xF0 and c <= 0xF4 then
      len = 4
      if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
    else
      return false
    end
    for k = 1, len - 1 do
      local b = s:byte(i + k)
      if not b then return false end
      if k == 1 then
        if b < lo or b > hi then return false end
      elseif b < 0x80 or b > 0xBF then
        return false
      end
    end
    i = i + len
  end
  return true
end

-- The shape every successful repair must have, whatever the engine decided.
local function assert_info(input, text, info)
  assert.is_string(text)
  assert.is_true(valid_utf8(text), "output is not valid UTF-8")
  assert.is_table(info)
  assert.is_boolean(info.changed)
  assert.is_boolean(info.lossy)
  assert.is_boolean(info.unrecoverable)
  assert.is_boolean(info.limited)
  assert.is_number(info.confidence)
  assert.is_true(info.confidence >= 0 and info.confidence <= 1)
  assert.is_table(info.steps)
  for i, step in ipairs(info.steps) do
    assert.is_string(step)
    assert.is_true(#step > 0, "empty step " .. i)
  end
  assert.are.equal(text ~= input, info.changed)
end

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

describe("libfix module", function()
  it("loads and names its version", function()
    assert.is_table(libfix)
    assert.is_string(libfix._VERSION)
    assert.is_truthy(libfix._VERSION:match("^%d+%.%d+%.%d+$"))
    assert.are.equal("libfix", libfix._NAME)
    assert.is_function(libfix.repair)
    assert.is_function(libfix.detect)
    assert.is_function(libfix.new)
  end)

  it("is the same table when required again", function()
    assert.are.equal(libfix, require("libfix"))
  end)
end)

describe("libfix.repair", function()
  it("returns clean text unchanged with an empty chain", function()
    local s = "发送成功, plain ASCII and 한국어"
    local text, info = libfix.repair(s)
    assert.are.equal(s, text)
    assert_info(s, text, info)
    assert.is_false(info.changed)
    assert.is_false(info.lossy)
    assert.is_false(info.unrecoverable)
    assert.is_false(info.limited)
    assert.are.equal(0, #info.steps)
    assert.are.equal(6, count(info))
  end)

  it("repairs the empty string", function()
    local text, info = libfix.repair("")
    assert.are.equal("", text)
    assert.is_false(info.changed)
  end)

  it("keeps embedded NUL bytes", function()
    local s = "中文\0文本\0"
    local text, info = libfix.repair(s)
    assert.are.equal(#s, #text)
    assert.are.equal(s, text)
    assert.is_false(info.changed)
    text = libfix.repair("\0")
    assert.are.equal("\0", text)
    text = libfix.repair("a\0b", { target = "keep" })
    assert.are.equal("a\0b", text)
  end)

  it("accepts every option", function()
    local s = "发送成功"
    for _, opts in ipairs({
      {}, { target = "hans" }, { target = "keep" }, { max_depth = 1 }, { max_depth = 2 },
      { max_depth = 3 }, { max_depth = 2.0 }, { fullwidth = true }, { fullwidth = false },
      { text_layers = false }, { text_layers = true },
      { target = "keep", max_depth = 1, fullwidth = true, text_layers = false },
    }) do
      local text, info = libfix.repair(s, opts)
      assert.are.equal(s, text)
      assert_info(s, text, info)
    end
    assert.are.equal(s, (libfix.repair(s, nil)))
  end)

  it("switches between per-call options repeatedly", function()
    local keep = { { target = "keep" }, { target = "keep", max_depth = 1 },
      { target = "keep", text_layers = false } }
    for i = 1, 50 do
      assert.are.equal("這個設定", (libfix.repair("這個設定", keep[i % 3 + 1])))
      assert.are.equal("abc", (libfix.repair("abc", i % 2 == 0 and { max_depth = 2 } or nil)))
    end
  end)

  it("gives valid output and a consistent info for every golden input", function()
    for _, v in ipairs(vectors) do
      local text, info = libfix.repair(v.input, { target = v.target })
      assert.is_not_nil(text, v.name)
      assert_info(v.input, text, info)
    end
  end)

  it("returns a result for invalid UTF-8 and arbitrary bytes", function()
    local bytes = {}
    for b = 0, 255 do bytes[#bytes + 1] = string.char(b) end
    for _, s in ipairs({ "\xff", "\xc3", "abc\xe5\x8f", table.concat(bytes), ("\x80\xfe"):rep(100) }) do
      local text, info = libfix.repair(s)
      assert.is_not_nil(text)
      assert_info(s, text, info)
    end
  end)

  it("handles a long input", function()
    local s = ("发送成功。"):rep(20000)
    local text, info = libfix.repair(s)
    assert.are.equal(s, text)
    assert.is_false(info.changed)
  end)
end)

describe("libfix.detect", function()
  it("returns an array of {encoding=, confidence=}", function()
    for _, s in ipairs({ "", "发送成功", "plain", "\183\162\203\205", "a\0b" }) do
      local guesses = libfix.detect(s)
      assert.is_table(guesses)
      assert.is_true(#guesses >= 1)
      local prev = math.huge
      for _, g in ipairs(guesses) do
        assert.is_string(g.encoding)
        assert.is_true(#g.encoding > 0)
        assert.is_number(g.confidence)
        assert.is_true(g.confidence >= 0 and g.confidence <= 1)
        assert.is_true(g.confidence <= prev, "guesses not sorted best first")
        prev = g.confidence
        assert.are.equal(2, count(g))
      end
    end
  end)

  it("calls empty input UTF-8 #engine", function()
    local guesses = libfix.detect("")
    assert.are.equal(1, #guesses)
    assert.are.equal("UTF-8", guesses[1].encoding)
  end)

  it("recognises GBK bytes #engine", function()
    local guesses = libfix.detect(golden.base64_decode("zsS8/rK7tObU2qOsx+u87LLpwre+tqGj"))
    assert.is_truthy(({ GBK = true, GB18030 = true, GB2312 = true })[guesses[1].encoding])
  end)
end)

describe("golden vectors #engine", function()
  for _, v in ipairs(vectors) do
    it(v.name, function()
      local text, info = libfix.repair(v.input, { target = v.target })
      assert.are.equal(v.expected, text)
      assert.are.equal(v.changed, info.changed)
    end)
  end
  it("through a repairer object", function()
    local r = libfix.new()
    for _, v in ipairs(vectors) do
      if v.target == "hans" then assert.are.equal(v.expected, (r:repair(v.input)), v.name) end
    end
    r:close()
  end)
end)

describe("errors", function()
  local function errmsg(f, ...)
    local ok, err = pcall(f, ...)
    assert.is_false(ok, "expected an error")
    return tostring(err)
  end

  -- Called from a Lua function (not straight from pcall, and not as a tail call) so that
  -- Lua can name the function in the message.
  it("names the argument of a wrong type", function()
    for _, bad in ipairs({ {}, true, print }) do
      assert.matches("bad argument #1 to '[%w._]*repair' %(string expected, got %a+%)",
        errmsg(function() local _ = libfix.repair(bad) end))
      assert.matches("bad argument #1 to '[%w._]*detect' %(string expected, got %a+%)",
        errmsg(function() local _ = libfix.detect(bad) end))
    end
    assert.matches("bad argument #1 to '[%w._]*repair' %(string expected, got no value%)",
      errmsg(function() local _ = libfix.repair() end))
    assert.matches("bad argument #1 to '[%w._]*repair' %(string expected, got nil%)",
      errmsg(function() local _ = libfix.repair(nil) end))
    assert.matches("bad argument #2 to '[%w._]*repair' %(table expected, got string%)",
      errmsg(function() local _ = libfix.repair("x", "keep") end))
    assert.matches("bad argument #1 to '[%w._]*new' %(table expected, got number%)",
      errmsg(function() local _ = libfix.new(3) end))
    local r = libfix.new()
    -- a method call counts arguments after self
    assert.matches("bad argument #1 to '[%w._:]*repair' %(string expected, got table%)",
      errmsg(function() local _ = r:repair({}) end))
    assert.matches("bad argument #2 to '[%w._:]*repair' %(table expected, got boolean%)",
      errmsg(function() local _ = r:repair("x", true) end))
    assert.matches("bad argument #1 to '[%w._:]*detect' %(string expected, got nil%)",
      errmsg(function() local _ = r:detect(nil) end))
    r:close()
  end)

  it("names a bad option value", function()
    local cases = {
      { { target = "hant" }, "option 'target' must be \"hans\" or \"keep\", got \"hant\"" },
      { { target = 1 }, "option 'target' must be \"hans\" or \"keep\", got 1" },
      { { max_depth = 0 }, "option 'max_depth' must be an integer from 1 to 3, got 0" },
      { { max_depth = 4 }, "option 'max_depth'" },
      { { max_depth = 1.5 }, "option 'max_depth'" },
      { { max_depth = "2" }, "option 'max_depth' must be an integer from 1 to 3, got \"2\"" },
      { { max_depth = 0 / 0 }, "option 'max_depth'" },
      { { fullwidth = 1 }, "option 'fullwidth' must be a boolean, got 1" },
      { { text_layers = "no" }, "option 'text_layers' must be a boolean, got \"no\"" },
      { { maxdepth = 2 }, "unknown option 'maxdepth'" },
      { { "hans" }, "option names must be strings, got number" },
    }
    for _, c in ipairs(cases) do
      local m = errmsg(libfix.repair, "x", c[1])
      assert.is_truthy(m:find("bad argument #2 to", 1, true), m)
      assert.is_truthy(m:find(c[2], 1, true), m)
      m = errmsg(libfix.new, c[1])
      assert.is_truthy(m:find("bad argument #1 to", 1, true), m)
      assert.is_truthy(m:find(c[2], 1, true), m)
      local r = libfix.new()
      m = errmsg(r.repair, r, "x", c[1])
      assert.is_truthy(m:find(c[2], 1, true), m)
      r:close()
    end
  end)

  it("returns nil and a message when the library fails #hooks", function()
    assert.is_function(libfix._inject_failure, "module not built with LFX_LUA_TEST_HOOKS")
    local LIBFIX_E_NOMEM, LIBFIX_E_TOO_LARGE = -2, -4
    libfix._inject_failure(LIBFIX_E_NOMEM)
    local text, err = libfix.repair("发送成功")
    assert.is_nil(text)
    assert.are.equal("out of memory", err)
    libfix._inject_failure(LIBFIX_E_TOO_LARGE)
    local guesses
    guesses, err = libfix.detect("x")
    assert.is_nil(guesses)
    assert.are.equal("input too large", err)
    libfix._inject_failure(LIBFIX_E_NOMEM)
    local r
    r, err = libfix.new({ target = "keep" })
    assert.is_nil(r)
    assert.are.equal("out of memory", err)
    r = libfix.new()
    libfix._inject_failure(LIBFIX_E_NOMEM)
    text, err = r:repair("x", { max_depth = 1 }) -- the failure is in making the context
    assert.is_nil(text)
    assert.are.equal("out of memory", err)
    libfix._inject_failure(LIBFIX_E_NOMEM)
    text, err = r:repair("x")
    assert.is_nil(text)
    assert.are.equal("out of memory", err)
    -- and everything works again afterwards
    assert.are.equal("x", (r:repair("x", { max_depth = 1 })))
    assert.are.equal("发送成功", (libfix.repair("发送成功")))
    r:close()
  end)
end)

describe("repairer objects", function()
  it("repair and detect like the module", function()
    local r = libfix.new({ target = "keep" })
    assert.are.equal("userdata", type(r))
    assert.is_truthy(tostring(r):match("^libfix%.repairer %(.+%)$"))
    local text, info = r:repair("這個設定")
    assert.are.equal("這個設定", text)
    assert_info("這個設定", text, info)
    text = r:repair("中\0文")
    assert.are.equal("中\0文", text)
    local guesses = r:detect("发送成功")
    assert.is_table(guesses)
    assert.is_string(guesses[1].encoding)
    -- per-call options override the repairer's own
    text = r:repair("abc", { target = "hans", max_depth = 2 })
    assert.are.equal("abc", text)
    r:close()
  end)

  it("new() with no options and with nil", function()
    assert.are.equal("abc", (libfix.new():repair("abc")))
    assert.are.equal("abc", (libfix.new(nil):repair("abc")))
    assert.are.equal("abc", (libfix.new({}):repair("abc")))
  end)

  it("can be closed, twice, and is unusable after", function()
    local r = libfix.new()
    r:close()
    r:close()
    assert.are.equal("libfix.repairer (closed)", tostring(r))
    local ok, err = pcall(r.repair, r, "x")
    assert.is_false(ok)
    assert.matches("closed repairer", err)
    ok, err = pcall(r.detect, r, "x")
    assert.is_false(ok)
    assert.matches("closed repairer", err)
  end)

  it("checks self", function()
    local r = libfix.new()
    local ok, err = pcall(function() local _ = r.repair("not a repairer", "x") end)
    assert.is_false(ok)
    assert.matches("bad argument #1 to '[%w._:]*repair' %(libfix%.repairer expected, got string%)",
      err)
    ok, err = pcall(r.detect, {}, "x")
    assert.is_false(ok)
    assert.matches("bad argument #1 to '[^']*' %(libfix%.repairer expected, got table%)", err)
    ok, err = pcall(r.close, 1)
    assert.is_false(ok)
    assert.matches("libfix%.repairer expected, got number", err)
    r:close()
  end)

  if _VERSION == "Lua 5.4" then
    it("is closed by a <close> variable (Lua 5.4)", function()
      local chunk = assert(load([[
        local libfix = ...
        local outer
        do
          local r <close> = libfix.new()
          assert(r:repair("abc") == "abc")
          outer = r
        end
        return outer
      ]]))
      local r = chunk(libfix)
      assert.are.equal("libfix.repairer (closed)", tostring(r))
    end)
  end

  it("are collected with their contexts", function()
    local weak = setmetatable({}, { __mode = "k" })
    for i = 1, 500 do
      local r = libfix.new(i % 2 == 0 and { target = "keep" } or nil)
      weak[r] = true
      assert.are.equal("发送成功", (r:repair("发送成功", i % 3 == 0 and { max_depth = 1 } or nil)))
      if i % 5 == 0 then r:close() end
    end
    collectgarbage("collect")
    collectgarbage("collect")
    assert.is_nil(next(weak))
    -- the module's own context is untouched
    assert.are.equal("abc", (libfix.repair("abc")))
  end)

  it("closes a repairer twice when __gc follows close", function()
    do
      local r = libfix.new()
      r:close()
    end
    collectgarbage("collect")
  end)
end)
