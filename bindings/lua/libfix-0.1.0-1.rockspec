-- LuaRocks package of the libfix Lua binding. It builds libfix_lua.c against an installed
-- libfix (header libfix.h, library libfix.so): run `luarocks make` in bindings/lua, and add
-- LIBFIX_DIR=/prefix (or LIBFIX_INCDIR=... LIBFIX_LIBDIR=...) when libfix is not installed
-- under /usr or /usr/local.
rockspec_format = "3.0"
package = "libfix"
version = "0.1.0-1"
source = {
   -- For `luarocks make` in a checkout the source is the current directory; a published
   -- rock replaces this with the release archive's address.
   url = "file://.",
}
description = {
   summary = "Repair garbled Chinese text (mojibake) into valid Simplified Chinese",
   detailed = [[
      Lua binding of libfix: libfix.repair(s [, opts]) -> text, info;
      libfix.detect(s) -> ranked encoding guesses; libfix.new(opts) -> reusable repairer.
      Builds for Lua 5.4 and for LuaJIT 2.1 (Lua 5.1 API).
   ]],
   labels = { "text", "encoding", "chinese", "unicode" },
}
dependencies = {
   "lua >= 5.1, < 5.5",
}
external_dependencies = {
   LIBFIX = {
      header = "libfix.h",
      library = "fix",
   },
}
build = {
   type = "builtin",
   modules = {
      libfix = {
         sources = { "libfix_lua.c" },
         libraries = { "fix" },
         incdirs = { "$(LIBFIX_INCDIR)" },
         libdirs = { "$(LIBFIX_LIBDIR)" },
      },
   },
}
