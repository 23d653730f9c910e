/* Compatibility shim: lets libfix_lua.c use the Lua 5.4 C API and still build against
 * LuaJIT 2.1 and Lua 5.1 (5.1 API). Only what the binding uses is here. */
#ifndef LFX_LUA_COMPAT_H
#define LFX_LUA_COMPAT_H

#include <lua.h>
#include <lauxlib.h>

#ifndef LUA_OK
#define LUA_OK 0
#endif

#if LUA_VERSION_NUM < 502
/* LuaJIT 2.1 has luaL_setfuncs and luaL_setmetatable, plain Lua 5.1 has not: use our own
 * under the standard names so the binding builds against both. */
static inline void lfx_compat_setfuncs(lua_State *L, const luaL_Reg *l, int nup) {
    luaL_checkstack(L, nup + 1, "too many upvalues");
    for (; l->name != NULL; l++) {
        int i;
        for (i = 0; i < nup; i++) lua_pushvalue(L, -nup); /* copy the upvalues to the top */
        lua_pushcclosure(L, l->func, nup);
        lua_setfield(L, -(nup + 2), l->name);
    }
    lua_pop(L, nup);
}
#define luaL_setfuncs lfx_compat_setfuncs

static inline void lfx_compat_setmetatable(lua_State *L, const char *tname) {
    luaL_getmetatable(L, tname);
    lua_setmetatable(L, -2);
}
#define luaL_setmetatable lfx_compat_setmetatable
#endif

#if LUA_VERSION_NUM < 504
/* luaL_typeerror is new in 5.4 (5.1 had luaL_typerror, 5.2 and 5.3 neither). */
static inline int lfx_compat_typeerror(lua_State *L, int arg, const char *tname) {
    const char *msg = lua_pushfstring(L, "%s expected, got %s", tname, luaL_typename(L, arg));
    return luaL_argerror(L, arg, msg);
}
#define luaL_typeerror lfx_compat_typeerror
#endif

#endif /* LFX_LUA_COMPAT_H */
