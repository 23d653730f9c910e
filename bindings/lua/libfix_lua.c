/* Lua binding for libfix: `require "libfix"` in Lua 5.4 and LuaJIT 2.1 (compat.h bridges the
 * APIs). Thin on purpose: every answer comes from the C library; the binding only converts. */
#include <string.h>

#include "compat.h"
#include "libfix.h"

#if defined(__GNUC__) && __GNUC__ >= 4
#define LFX_LUA_EXPORT __attribute__((visibility("default")))
#else
#define LFX_LUA_EXPORT
#endif

#define REPAIRER_MT "libfix.repairer"
#define MAX_GUESSES 16

/* A repairer owns a libfix context. The module's own functions use one per Lua state, kept as
 * their upvalue, so that __gc frees it when the state closes. */
typedef struct lfx_repairer {
    libfix_ctx *ctx;         /* NULL once closed */
    libfix_options opt;      /* what ctx was made with */
    libfix_ctx *alt;         /* made for the last per-call options that differ from opt */
    libfix_options alt_opt;
    libfix_result pending;   /* a result being pushed: freed here if a Lua error cuts in */
} lfx_repairer;

#ifdef LFX_LUA_TEST_HOOKS
/* Test builds only: lets the spec make the next library call fail, since out-of-memory cannot
 * be provoked from Lua. Process-wide, which is fine for a test runner. */
static int injected_failure;

static int take_injected_failure(void) {
    int code = injected_failure;
    injected_failure = 0;
    return code;
}

static int l_inject_failure(lua_State *L) {
    lua_Integer code = luaL_checkinteger(L, 1);
    luaL_argcheck(L, code < 0 && code >= -1000, 1, "a negative libfix status code expected");
    injected_failure = (int)code;
    return 0;
}
#else
static int take_injected_failure(void) { return LIBFIX_OK; }
#endif

/* ---- options ---------------------------------------------------------------------------- */

static int options_equal(const libfix_options *a, const libfix_options *b) {
    return a->target == b->target && a->max_depth == b->max_depth &&
           a->restore_fullwidth == b->restore_fullwidth && a->text_layers == b->text_layers;
}

/* Raise "bad argument #arg to 'f' (option 'name' must be <expected>, got <value>)"; the
 * offending value is on top of the stack. */
static int option_error(lua_State *L, int arg, const char *name, const char *expected) {
    const char *got;
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: got = lua_pushfstring(L, "\"%s\"", lua_tostring(L, -1)); break;
    case LUA_TNUMBER: got = lua_pushfstring(L, "%f", lua_tonumber(L, -1)); break;
    default: got = luaL_typename(L, -1); break;
    }
    return luaL_argerror(L, arg, lua_pushfstring(L, "option '%s' must be %s, got %s", name,
                                                 expected, got));
}

static int option_boolean(lua_State *L, int arg, const char *name) {
    if (lua_type(L, -1) != LUA_TBOOLEAN) option_error(L, arg, name, "a boolean");
    return lua_toboolean(L, -1);
}

/* Overwrite the fields of *o named in the table at arg. Unknown names are errors: a misspelt
 * option silently ignored would look like a repair that does not honour it. */
static void read_options(lua_State *L, int arg, libfix_options *o) {
    if (lua_type(L, arg) != LUA_TTABLE) luaL_typeerror(L, arg, "table");
    lua_pushnil(L);
    while (lua_next(L, arg) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_argerror(L, arg, lua_pushfstring(L, "option names must be strings, got %s",
                                                  luaL_typename(L, -2)));
        const char *key = lua_tostring(L, -2);
        if (strcmp(key, "target") == 0) {
            const char *t = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
            if (strcmp(t, "hans") == 0)
                o->target = LIBFIX_TARGET_HANS;
            else if (strcmp(t, "keep") == 0)
                o->target = LIBFIX_TARGET_KEEP;
            else
                option_error(L, arg, key, "\"hans\" or \"keep\"");
        } else if (strcmp(key, "max_depth") == 0) {
            lua_Number d = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
            if (!(d >= 1 && d <= 3 && d == (lua_Number)(int)d))
                option_error(L, arg, key, "an integer from 1 to 3");
            o->max_depth = (int)d;
        } else if (strcmp(key, "fullwidth") == 0) {
            o->restore_fullwidth = option_boolean(L, arg, key);
        } else if (strcmp(key, "text_layers") == 0) {
            o->text_layers = option_boolean(L, arg, key);
        } else {
            luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", key));
        }
        lua_pop(L, 1);
    }
}

/* ---- repairers -------------------------------------------------------------------------- */

static lfx_repairer *push_repairer(lua_State *L) {
    lfx_repairer *r = (lfx_repairer *)lua_newuserdata(L, sizeof *r);
    memset(r, 0, sizeof *r);
    luaL_setmetatable(L, REPAIRER_MT);
    return r;
}

static void repairer_close(lfx_repairer *r) {
    libfix_result_clear(&r->pending);
    libfix_free(r->alt);
    r->alt = NULL;
    libfix_free(r->ctx);
    r->ctx = NULL;
}

static lfx_repairer *check_open(lua_State *L, lfx_repairer *r) {
    if (r->ctx == NULL) luaL_error(L, "libfix: attempt to use a closed repairer");
    return r;
}

static lfx_repairer *check_repairer(lua_State *L, int arg) {
    return check_open(L, (lfx_repairer *)luaL_checkudata(L, arg, REPAIRER_MT));
}

static lfx_repairer *module_repairer(lua_State *L) {
    return check_open(L, (lfx_repairer *)lua_touserdata(L, lua_upvalueindex(1)));
}

/* The context for one call: the repairer's own, or one made for the per-call options at arg
 * (kept for the next call with the same options). NULL with *err set if libfix_new failed. */
static libfix_ctx *context_for(lua_State *L, lfx_repairer *r, int arg, int *err) {
    if (lua_isnoneornil(L, arg)) return r->ctx;
    libfix_options o = r->opt;
    read_options(L, arg, &o);
    if (options_equal(&o, &r->opt)) return r->ctx;
    if (r->alt && options_equal(&o, &r->alt_opt)) return r->alt;
    libfix_free(r->alt);
    r->alt = NULL;
    *err = take_injected_failure();
    if (*err == LIBFIX_OK) r->alt = libfix_new(&o, err);
    if (r->alt == NULL) {
        if (*err == LIBFIX_E_OPTION) luaL_argerror(L, arg, "options rejected by libfix");
        if (*err == LIBFIX_OK) *err = LIBFIX_E_NOMEM;
        return NULL;
    }
    r->alt_opt = o;
    return r->alt;
}

static int push_failure(lua_State *L, int code) {
    lua_pushnil(L);
    lua_pushstring(L, libfix_strerror(code));
    return 2;
}

static void push_flag(lua_State *L, const libfix_result *res, unsigned flag, const char *name) {
    lua_pushboolean(L, (res->flags & flag) != 0);
    lua_setfield(L, -2, name);
}

/* text, {changed=, lossy=, unrecoverable=, limited=, confidence=, steps={...}} */
static void push_result(lua_State *L, const libfix_result *res) {
    lua_pushlstring(L, res->text ? res->text : "", res->len);
    lua_createtable(L, 0, 6);
    push_flag(L, res, LIBFIX_CHANGED, "changed");
    push_flag(L, res, LIBFIX_LOSSY, "lossy");
    push_flag(L, res, LIBFIX_UNRECOVERABLE, "unrecoverable");
    push_flag(L, res, LIBFIX_LIMITED, "limited");
    lua_pushnumber(L, res->confidence);
    lua_setfield(L, -2, "confidence");
    lua_createtable(L, (int)res->n_steps, 0);
    for (size_t i = 0; i < res->n_steps; i++) {
        lua_pushstring(L, res->steps[i]);
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "steps");
}

static int repair_with(lua_State *L, lfx_repairer *r, int arg) {
    size_t len;
    const char *s = luaL_checklstring(L, arg, &len);
    int rc = LIBFIX_OK;
    libfix_ctx *ctx = context_for(L, r, arg + 1, &rc);
    if (ctx == NULL) return push_failure(L, rc);
    libfix_result_clear(&r->pending);
    rc = take_injected_failure();
    if (rc == LIBFIX_OK) rc = libfix_repair(ctx, s, len, &r->pending);
    if (rc != LIBFIX_OK) return push_failure(L, rc);
    push_result(L, &r->pending);
    libfix_result_clear(&r->pending);
    return 2;
}

/* { {encoding = "GBK", confidence = 0.9}, ... }, best first */
static int detect_with(lua_State *L, lfx_repairer *r, int arg) {
    size_t len;
    const char *s = luaL_checklstring(L, arg, &len);
    libfix_guess guesses[MAX_GUESSES];
    size_t n = 0;
    int rc = take_injected_failure();
    if (rc == LIBFIX_OK) rc = libfix_detect(r->ctx, s, len, guesses, MAX_GUESSES, &n);
    if (rc != LIBFIX_OK) return push_failure(L, rc);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const char *enc = guesses[i].encoding;
        const char *end = memchr(enc, '\0', sizeof guesses[i].encoding);
        lua_createtable(L, 0, 2);
        lua_pushlstring(L, enc, end ? (size_t)(end - enc) : sizeof guesses[i].encoding);
        lua_setfield(L, -2, "encoding");
        lua_pushnumber(L, guesses[i].confidence);
        lua_setfield(L, -2, "confidence");
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
}

/* ---- Lua functions ---------------------------------------------------------------------- */

static int l_repair(lua_State *L) { return repair_with(L, module_repairer(L), 1); }
static int l_detect(lua_State *L) { return detect_with(L, module_repairer(L), 1); }
static int m_repair(lua_State *L) { return repair_with(L, check_repairer(L, 1), 2); }
static int m_detect(lua_State *L) { return detect_with(L, check_repairer(L, 1), 2); }

/* libfix.new([opts]) -> repairer, or nil, message if the context cannot be made */
static int l_new(lua_State *L) {
    libfix_options o;
    libfix_options_init(&o);
    if (!lua_isnoneornil(L, 1)) read_options(L, 1, &o);
    lfx_repairer *r = push_repairer(L); /* before libfix_new: a Lua error cannot leak ctx */
    int err = take_injected_failure();
    if (err == LIBFIX_OK) r->ctx = libfix_new(&o, &err);
    if (r->ctx == NULL) {
        if (err == LIBFIX_E_OPTION) return luaL_argerror(L, 1, "options rejected by libfix");
        return push_failure(L, err == LIBFIX_OK ? LIBFIX_E_NOMEM : err);
    }
    r->opt = o;
    return 1;
}

/* close, __close and __gc: free the context now; idempotent. */
static int m_close(lua_State *L) {
    repairer_close((lfx_repairer *)luaL_checkudata(L, 1, REPAIRER_MT));
    return 0;
}

static int m_tostring(lua_State *L) {
    lfx_repairer *r = (lfx_repairer *)luaL_checkudata(L, 1, REPAIRER_MT);
    if (r->ctx == NULL)
        lua_pushliteral(L, "libfix.repairer (closed)");
    else
        lua_pushfstring(L, "libfix.repairer (%p)", (void *)r);
    return 1;
}

LFX_LUA_EXPORT int luaopen_libfix(lua_State *L);

LFX_LUA_EXPORT int luaopen_libfix(lua_State *L) {
    static const luaL_Reg metamethods[] = {
        {"__gc", m_close}, {"__close", m_close}, {"__tostring", m_tostring}, {NULL, NULL}};
    static const luaL_Reg methods[] = {
        {"repair", m_repair}, {"detect", m_detect}, {"close", m_close}, {NULL, NULL}};
    static const luaL_Reg functions[] = {{"repair", l_repair}, {"detect", l_detect}, {NULL, NULL}};

    if (luaL_newmetatable(L, REPAIRER_MT)) {
        luaL_setfuncs(L, metamethods, 0);
        lua_createtable(L, 0, 3);
        luaL_setfuncs(L, methods, 0);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);

    lua_createtable(L, 0, 6);
    lfx_repairer *r = push_repairer(L);
    int err = LIBFIX_OK;
    r->ctx = libfix_new(NULL, &err);
    if (r->ctx == NULL)
        return luaL_error(L, "libfix: cannot create a context: %s", libfix_strerror(err));
    libfix_options_init(&r->opt);
    luaL_setfuncs(L, functions, 1); /* the per-state repairer is their upvalue */
    lua_pushcfunction(L, l_new);
    lua_setfield(L, -2, "new");
    lua_pushstring(L, libfix_version());
    lua_setfield(L, -2, "_VERSION");
    lua_pushliteral(L, "libfix");
    lua_setfield(L, -2, "_NAME");
#ifdef LFX_LUA_TEST_HOOKS
    lua_pushcfunction(L, l_inject_failure);
    lua_setfield(L, -2, "_inject_failure");
#endif
    return 1;
}
