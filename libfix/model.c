/* The language model: how much a sequence of code points looks like Simplified Chinese text
 * (with the ASCII, kana, Hangul and symbols such text contains). Han characters use generated
 * unigram/bigram tables (tools/gen_model.py); other code points use costs by script class,
 * set by hand here, because their exact values matter far less than their order:
 * common text < rare text < what only damage produces (C1 controls, private use, U+FFFD). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tables/model_tables.h"

enum cls {
    C_HAN, C_HANX, C_ASCII_ALNUM, C_ASCII_SPACE, C_ASCII_EOL, C_ASCII_PUNCT, C_CTRL, C_CJK_PUNCT,
    C_FW_PUNCT, C_FW_OTHER, C_HW_KANA, C_GEN_PUNCT, C_LATIN1_LETTER, C_LATIN1_SYMBOL, C_C1,
    C_LATIN_EXT, C_KANA, C_HANGUL, C_JAMO, C_SYMBOL, C_EMOJI, C_PUA, C_REPLACEMENT, C_OTHER
};

static enum cls classify(uint32_t c) {
    if (c < 0x80) {
        if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) return C_ASCII_ALNUM;
        if (c == ' ') return C_ASCII_SPACE;
        if (c == '\n' || c == '\r' || c == '\t') return C_ASCII_EOL;
        if (c < 0x20 || c == 0x7F) return C_CTRL;
        return C_ASCII_PUNCT;
    }
    if (c >= LFX_HAN_LO && c <= LFX_HAN_HI) return C_HAN;
    if (c < 0xA0) return C_C1;
    if (c < 0x100) return (c >= 0xC0 && c != 0xD7 && c != 0xF7) ? C_LATIN1_LETTER : C_LATIN1_SYMBOL;
    if (c < 0x2000) return (c >= 0x1100 && c <= 0x11FF) ? C_JAMO : C_LATIN_EXT;
    if (c < 0x2070) return C_GEN_PUNCT;
    if (c < 0x3000) return C_SYMBOL;
    if (c < 0x3040) return C_CJK_PUNCT;
    if (c < 0x3100) return C_KANA;
    if (c >= 0x3130 && c < 0x3190) return C_JAMO;
    if (c < 0x3400) return C_SYMBOL;
    if (c >= 0xAC00 && c <= 0xD7A3) return C_HANGUL;
    if (c >= 0xE000 && c <= 0xF8FF) return C_PUA;
    if (c >= 0xF900 && c <= 0xFAFF) return C_HANX;
    if (c >= 0xFF01 && c <= 0xFF5E) return C_FW_PUNCT;
    if (c >= 0xFF61 && c <= 0xFF9F) return C_HW_KANA;
    if (c == 0xFFFD) return C_REPLACEMENT;
    if (c >= 0xFF00 && c <= 0xFFEF) return C_FW_OTHER;
    if (c >= 0x1F000 && c <= 0x1FAFF) return C_EMOJI;
    if (c >= 0x20000 && c <= 0x3FFFF) return C_HANX;
    if (c >= 0xF0000) return C_PUA;
    return C_OTHER;
}

/* classify() of every BMP code point, one load each (model_init) */
static uint8_t g_cls[0x10000];

static enum cls classify_fast(uint32_t c) { return c < 0x10000 ? (enum cls)g_cls[c] : classify(c); }

/* Punctuation that Chinese text uses all the time costs less than the rest of its block;
 * the order follows how often each mark appears in running text. 0: not a common mark. */
static float punct_cost(uint32_t c) {
    switch (c) {
    case 0xFF0C: case 0x3002: case 0x3001: return 4.5f;            /* ， 。 、 */
    case 0x201C: case 0x201D: case 0xFF1A: case 0xFF08: case 0xFF09: return 6.0f;
    case 0xFF1B: case 0xFF1F: case 0xFF01: case 0x2018: case 0x2019: return 7.0f;
    case 0x300A: case 0x300B: case 0x300C: case 0x300D: case 0x2014: case 0x2026: return 8.0f;
    case 0x00B7: case 0x300E: case 0x300F: case 0x3010: case 0x3011: return 9.0f;
    default: return 0.0f;
    }
}

/* Index of c in the marks of lfx_mark_delta (，。、：；？！“”（）《》), or -1. The first
 * CLAUSE_MARKS of them (，。、：；？！) end a clause: a clause, and a word, starts after them. */
#define CLAUSE_MARKS 7
static inline int mark_index(uint32_t c) {
    /* (the common case, Han and ASCII, in two compares) */
    if (c < 0x201C || (c > 0x201D && c < 0x3001) || (c > 0x300B && c < 0xFF01) || c > 0xFF1F) return -1;
    switch (c) {
    case 0xFF0C: return 0;  case 0x3002: return 1;  case 0x3001: return 2;  case 0xFF1A: return 3;
    case 0xFF1B: return 4;  case 0xFF1F: return 5;  case 0xFF01: return 6;  case 0x201C: return 7;
    case 0x201D: return 8;  case 0xFF08: return 9;  case 0xFF09: return 10; case 0x300A: return 11;
    case 0x300B: return 12;
    default: return -1;
    }
}

/* How much likelier mark c is after Han character a than after Han text in general (bits,
 * negative when likelier; 0 where the corpus knows too little). */
static float mark_delta(uint32_t a, uint32_t c) {
    int m = mark_index(c);
    if (m < 0) return 0.0f;
    uint16_t row = lfx_mark_row[a - LFX_HAN_LO];
    return row ? lfx_mark_delta[(size_t)(row - 1) * LFX_N_MARKS + (size_t)m] * 0.125f : 0.0f;
}

/* Closing quotes and brackets: sentence punctuation may follow them. */
static int closing_mark(uint32_t c) {
    return c == 0x201D || c == 0x2019 || c == 0xFF09 || c == 0x300B || c == 0x300D || c == 0x300F ||
           c == 0x3011 || c == ')' || c == '"' || c == '\'';
}

/* The classes that hold the marks of mark_index */
static int mark_class(enum cls k) { return k == C_CJK_PUNCT || k == C_FW_PUNCT || k == C_GEN_PUNCT; }

static int opening_mark(uint32_t c) {
    return c == 0x201C || c == 0x2018 || c == 0xFF08 || c == 0x300A || c == 0x300C || c == 0x3010;
}

static uint32_t simplified(uint32_t c) { return LFX_HAN_LO + lfx_han_simplified[c - LFX_HAN_LO]; }

/* The first position in the sorted keys[lo..hi) whose key is not below key (hi: none). */
static uint32_t lower_u16(const uint16_t *keys, uint32_t lo, uint32_t hi, uint16_t key) {
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Position of key in the sorted keys[lo..hi), or -1. */
static int32_t find_u16(const uint16_t *keys, uint32_t lo, uint32_t hi, uint16_t key) {
    uint32_t at = lower_u16(keys, lo, hi, key);
    return (at < hi && keys[at] == key) ? (int32_t)at : -1;
}

/* The pair table is sorted for a binary search, which walks long lists for common characters
 * (的 is followed by thousands), and so are the trigram lists of each pair entry: a hash of all
 * entries of such a table (lists of keys, group g's in keys[index[g] .. index[g + 1])), built
 * once, finds most in one probe. A slot holds entry + 1 (0: empty); the entry itself says which
 * group and key it is. */
#define LIST_HASH_BITS 20
#define LIST_HASH_MASK ((1u << LIST_HASH_BITS) - 1)
typedef struct list_hash {
    const uint32_t *index;
    const uint16_t *keys;
    uint32_t *slots; /* static arrays: nothing to free when unloaded */
    int ready;       /* 0: too full, the binary search stands */
} list_hash;
static uint32_t g_pair_slots[LIST_HASH_MASK + 1], g_tri_slots[LIST_HASH_MASK + 1];
static list_hash g_pairs = {lfx_pair_index, lfx_pair_second, g_pair_slots, 0};
static list_hash g_tris = {lfx_tri_index, lfx_tri_third, g_tri_slots, 0};
static pthread_once_t g_model_once = PTHREAD_ONCE_INIT;

static uint32_t list_hash_at(uint32_t g, uint32_t key) {
    return ((g * 0x9E3779B1u) ^ (key * 0x85EBCA77u)) >> (32 - LIST_HASH_BITS);
}

static void list_hash_build(list_hash *lh, uint32_t ngroups) {
    if ((size_t)lh->index[ngroups] * 2 > LIST_HASH_MASK) return; /* too full */
    for (uint32_t g = 0; g < ngroups; g++)
        for (uint32_t k = lh->index[g]; k < lh->index[g + 1]; k++) {
            uint32_t at = list_hash_at(g, lh->keys[k]);
            while (lh->slots[at]) at = (at + 1) & LIST_HASH_MASK;
            lh->slots[at] = k + 1;
        }
    lh->ready = 1;
}

/* Position of key in group g's list, or -1. */
static int32_t list_find(const list_hash *lh, uint32_t g, uint32_t key) {
    uint32_t lo = lh->index[g], hi = lh->index[g + 1];
    if (lo == hi) return -1; /* (most characters begin no pair: no probe) */
    if (lh->ready) {
        for (uint32_t at = list_hash_at(g, key);; at = (at + 1) & LIST_HASH_MASK) {
            uint32_t k = lh->slots[at];
            if (!k) return -1;
            k--;
            if (k >= lo && k < hi && lh->keys[k] == key) return (int32_t)k;
        }
    }
    return find_u16(lh->keys, lo, hi, (uint16_t)key);
}

static void model_init(void) {
    for (uint32_t c = 0; c < 0x10000; c++) g_cls[c] = (uint8_t)classify(c);
    list_hash_build(&g_pairs, LFX_HAN_HI - LFX_HAN_LO + 1);
    list_hash_build(&g_tris, lfx_pair_index[LFX_HAN_HI - LFX_HAN_LO + 1]);
}

/* Index of the pair entry (a, b) (Simplified forms), or -1. */
static int32_t pair_entry(uint32_t a, uint32_t b) { return list_find(&g_pairs, a - LFX_HAN_LO, b - LFX_HAN_LO); }

/* Index of third character c (offset from LFX_HAN_LO) in pair entry k's trigram list, or -1. */
static int32_t tri_entry(int32_t k, uint32_t c) { return list_find(&g_tris, (uint32_t)k, c); }

/* Cost of b after a, both Simplified forms, without the Traditional extra, given the pair's
 * entry k (pair_entry(a, b)). */
static float pair_cost_at(int32_t k, uint32_t a, uint32_t b) {
    if (k >= 0) return lfx_pair_cost[k] * 0.125f;
    return (lfx_han_end_cost[a - LFX_HAN_LO] + lfx_han_start_cost[b - LFX_HAN_LO]) * 0.125f;
}

static float pair_cost_s(uint32_t a, uint32_t b) { return pair_cost_at(pair_entry(a, b), a, b); }

/* Pairs are looked up on the Simplified forms; a Traditional second character costs extra. */
static float han_pair(uint32_t a0, uint32_t b0) {
    uint32_t b = simplified(b0);
    return pair_cost_s(simplified(a0), b) + ((b != b0) ? lfx_model_trad_bits : 0.0f);
}

/* c after a b, all Han: the trigram inside a word where (a, b) has any, else the pair. In a
 * left-to-right scan a hash probe per character is spared: *k holds the pair entry of (a, b)
 * when the step before looked it up (K_UNKNOWN otherwise), and gets that of (b, c) when this
 * step looks it up. */
#define K_UNKNOWN (-2)
static float han_triple(uint32_t a0, uint32_t b0, uint32_t c0, int32_t *k) {
    uint32_t a = simplified(a0), b = simplified(b0), c = simplified(c0);
    float extra = (c != c0) ? lfx_model_trad_bits : 0.0f;
    int32_t kab = *k != K_UNKNOWN ? *k : pair_entry(a, b);
    *k = K_UNKNOWN;
    if (kab < 0 || lfx_tri_index[kab] == lfx_tri_index[kab + 1]) {
        *k = pair_entry(b, c);
        return pair_cost_at(*k, b, c) + extra;
    }
    int32_t t = tri_entry(kab, c - LFX_HAN_LO);
    if (t >= 0) return lfx_tri_cost[t] * 0.125f + extra;
    /* not a word's continuation: the word ends at b, or (a, b) were two words after all; the
     * larger of the two terms stands for their sum */
    float ended = (lfx_pair_mu_end[kab] + lfx_han_start_cost[c - LFX_HAN_LO]) * 0.125f;
    *k = pair_entry(b, c);
    float apart = lfx_pair_mu_rest[kab] * 0.125f + pair_cost_at(*k, b, c);
    return (ended < apart ? ended : apart) + extra;
}

static int is_cjkish(enum cls k) {
    return k == C_HAN || k == C_HANX || k == C_CJK_PUNCT || k == C_FW_PUNCT;
}

/* The cost of c after prev; text_start: prev is 0 for the start of a text, not for no context */
static float model_cost_x(uint32_t prev, uint32_t c, int text_start) {
    enum cls k = classify_fast(c);
    enum cls pk = prev ? classify_fast(prev) : C_ASCII_EOL;
    float cost;
    switch (k) {
    case C_HAN:
        cost = (pk == C_HAN) ? han_pair(prev, c) : lfx_han_start_cost[c - LFX_HAN_LO] * 0.125f;
        /* after ASCII text some characters start words more often than elsewhere (7 章) */
        if (prev >= ' ' && prev <= '~') cost += lfx_han_after_ascii[c - LFX_HAN_LO] * 0.125f;
        /* and after a digit, the characters that count things (8 个) */
        if (prev >= '0' && prev <= '9') cost += lfx_han_after_digit[c - LFX_HAN_LO] * 0.125f;
        /* and after a mark that ends a clause, the characters that begin clauses (，然而) */
        if (mark_class(pk)) {
            int pm = mark_index(prev);
            if (pm >= 0) cost += lfx_mark_next[pm * LFX_N_NEXT_CLASSES] * 0.125f; /* (class 0: Han) */
            if (pm >= 0 && pm < CLAUSE_MARKS) cost += lfx_han_after_mark[c - LFX_HAN_LO] * 0.125f;
        }
        /* and at the start of a text, the characters that begin clauses: a text (a field, a
         * line of a list, a message) begins one (从 2.0 版开始, not 他 2.0) */
        if (text_start) cost += lfx_han_after_mark[c - LFX_HAN_LO] * 0.125f;
        if (pk == C_HANGUL) cost += 8.0f; /* Korean text rarely puts Han next to Hangul */
        return cost;
    case C_HANX: cost = 24.0f; break;
    case C_ASCII_ALNUM:
        if (pk == C_ASCII_ALNUM)
            cost = ((c <= '9') == (prev <= '9')) ? 3.5f : 6.5f; /* letters follow letters */
        else
            cost = 7.0f;
        break;
    case C_ASCII_EOL:
        /* lines end after a sentence more often than inside one; LF follows CR */
        if (c == '\t')
            cost = 9.0f;
        else if (c == '\n' && prev == '\r')
            cost = 0.2f;
        else if (opening_mark(prev))
            cost = 12.0f; /* a line rarely ends on an opening quote or bracket */
        else if (prev == 0x3002 || prev == 0xFF01 || prev == 0xFF1F || prev == 0xFF1A || prev == '.' ||
                 prev == ':' || prev == '!' || prev == '?' || prev == ';' || prev == 0xFF1B)
            cost = 5.0f;
        else
            cost = 7.0f;
        break;
    case C_ASCII_SPACE: cost = prev == ' ' ? 9.0f : 3.5f; break;
    case C_ASCII_PUNCT:
        switch (c) {
        case ',':
        case '.': cost = 5.0f; break;
        case ':':
        case ';':
        case '(':
        case ')':
        case '-':
        case '/':
        case '"':
        case '\'':
        case '_':
        case '[':
        case ']': cost = 6.0f; break;
        default: cost = 8.0f;
        }
        break;
    case C_CTRL: cost = c == 0 ? 16.0f : 20.0f; break;
    case C_CJK_PUNCT:
    case C_FW_PUNCT:
        cost = punct_cost(c) > 0 ? punct_cost(c) : k == C_FW_PUNCT ? 10.0f : 13.0f;
        /* ，。、 cost the same by kind; how often each follows Han text sets them apart */
        if (c == 0xFF0C || c == 0x3002 || c == 0x3001) cost += lfx_mark_base[mark_index(c)] * 0.125f;
        /* marks follow words, not the start of a text or other marks (brackets aside) */
        if (pk != C_HAN && pk != C_HANX && pk != C_ASCII_ALNUM && !closing_mark(prev) &&
            c != 0x300A && c != 0x300C && c != 0xFF08 && c != 0x201C && c != 0x3010)
            cost += 6.0f;
        break;
    case C_FW_OTHER: cost = 13.0f; break;
    case C_HW_KANA: cost = 16.0f; break;
    case C_GEN_PUNCT: cost = punct_cost(c) > 0 ? punct_cost(c) : 13.0f; break;
    case C_LATIN1_LETTER: cost = (pk == C_ASCII_ALNUM || pk == C_LATIN1_LETTER) ? 8.0f : 11.0f; break;
    case C_LATIN1_SYMBOL: cost = (c == 0xB7) ? 9.0f : (c == 0xD7 || c == 0xB0) ? 10.0f : 13.0f; break;
    case C_C1: cost = 28.0f; break;
    case C_LATIN_EXT: cost = 12.0f; break;
    case C_KANA: cost = (pk == C_KANA) ? 6.0f : 9.0f; break;
    case C_HANGUL: {
        /* the 2350 syllables of KS X 1001 are the ones Korean text uses; the other 8822 are
         * what Chinese bytes read as cp949 turn into */
        uint8_t b[4];
        int common = lfx_encode_cp(LFX_EUCKR, c, b) == 2 && b[0] >= 0xA1 && b[1] >= 0xA1;
        cost = common ? ((pk == C_HANGUL) ? 7.0f : 10.0f) : 17.0f;
        if (pk == C_HAN) cost += 8.0f;
        break;
    }
    case C_JAMO: cost = 18.0f; break;
    case C_SYMBOL: cost = 12.0f; break;
    case C_EMOJI: cost = 12.0f; break;
    case C_PUA: cost = 30.0f; break;
    case C_REPLACEMENT: cost = 14.0f; break; /* a character known to be lost: like a rare one */
    default: cost = 18.0f; break;
    }
    /* Marks next to ASCII text and what follows each mark, as the corpus shows them (a、b:
     * 、 lists names; ： comes before names and line ends, ， before Han text) */
    if (mark_class(k) && prev >= '!' && prev <= '~') {
        int m = mark_index(c);
        if (m >= 0) cost += lfx_mark_after_ascii[m] * 0.125f;
    }
    if (mark_class(pk)) {
        int m = mark_index(prev);
        int nk = k == C_ASCII_ALNUM ? 1 : k == C_ASCII_SPACE ? 2 : (c == '\n' || c == '\r') ? 3
                 : k == C_ASCII_PUNCT ? 4 : -1;
        if (m >= 0 && nk >= 0) cost += lfx_mark_next[m * LFX_N_NEXT_CLASSES + nk] * 0.125f;
    }
    /* Whatever follows a Han character that is not Han ends its word: how likely that is
     * depends on the character (效 ends words, 数 starts them); and which mark it is, too
     * (呢？ 是：). */
    if (pk == C_HAN && prev >= LFX_HAN_LO && prev <= LFX_HAN_HI)
        cost += lfx_han_end_cost[prev - LFX_HAN_LO] * 0.125f + mark_delta(prev, c) +
                (c >= ' ' && c <= '~' ? lfx_han_before_ascii[prev - LFX_HAN_LO] * 0.125f : 0.0f);
    /* Accented Latin between CJK characters is what GBK/UTF-8 read as Latin-1 looks like */
    /* (and so are Greek, Cyrillic and the like: UTF-8 two-byte sequences are GBK pairs) */
    if ((k == C_LATIN1_LETTER || k == C_LATIN1_SYMBOL || k == C_LATIN_EXT) && is_cjkish(pk)) cost += 6.0f;
    if ((pk == C_LATIN1_LETTER || pk == C_LATIN1_SYMBOL || pk == C_LATIN_EXT) && is_cjkish(k)) cost += 6.0f;
    return cost;
}

static float model_cost(uint32_t prev, uint32_t c) { return model_cost_x(prev, c, prev == 0); }

/* The cost of c after prev2, prev; *k as for han_triple (K_UNKNOWN out of a run of Han). */
static float model_cost3_k(uint32_t prev2, uint32_t prev, uint32_t c, int32_t *k) {
    if (prev2 >= LFX_HAN_LO && prev2 <= LFX_HAN_HI && prev >= LFX_HAN_LO && prev <= LFX_HAN_HI &&
        c >= LFX_HAN_LO && c <= LFX_HAN_HI)
        return han_triple(prev2, prev, c, k);
    *k = K_UNKNOWN;
    /* a character alone between spaces is one of the few words that stand so (' -i 或 -v') */
    if (c == ' ' && prev2 == ' ' && prev >= LFX_HAN_LO && prev <= LFX_HAN_HI)
        return model_cost(prev, c) + lfx_han_alone[prev - LFX_HAN_LO] * 0.125f;
    /* a digit and a space before a character count it as much as a digit alone (8 个) */
    if (prev == ' ' && prev2 >= '0' && prev2 <= '9' && c >= LFX_HAN_LO && c <= LFX_HAN_HI)
        return model_cost(prev, c) + lfx_han_after_digit[c - LFX_HAN_LO] * 0.125f;
    return model_cost(prev, c);
}

static float model_cost3(uint32_t prev2, uint32_t prev, uint32_t c) {
    int32_t k = K_UNKNOWN;
    return model_cost3_k(prev2, prev, c, &k);
}

float lfx_model_sum(const uint32_t *cp, size_t n, uint32_t prev2, uint32_t prev) {
    pthread_once(&g_model_once, model_init);
    float sum = 0;
    int32_t k = K_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        sum += model_cost3_k(prev2, prev, cp[i], &k);
        prev2 = prev;
        prev = cp[i];
    }
    return sum;
}

float lfx_model_cost(uint32_t prev, uint32_t c) {
    pthread_once(&g_model_once, model_init);
    return model_cost(prev, c);
}

float lfx_model_cost_alone(uint32_t c) {
    pthread_once(&g_model_once, model_init);
    return model_cost_x(0, c, 0);
}

float lfx_model_cost3(uint32_t prev2, uint32_t prev, uint32_t c) {
    pthread_once(&g_model_once, model_init);
    return model_cost3(prev2, prev, c);
}

/* The pairs by their second character (built once, on first use): first characters of the
 * pairs whose second is b in g_rev_first[g_rev_index[b] .. g_rev_index[b + 1]). */
static uint32_t *g_rev_index;
static uint16_t *g_rev_first;
static pthread_once_t g_rev_once = PTHREAD_ONCE_INIT;
static void build_rev(void) {
    const uint32_t nh = LFX_HAN_HI - LFX_HAN_LO + 1, np = lfx_pair_index[nh];
    uint32_t *index = calloc(nh + 1, sizeof *index);
    uint16_t *first = malloc((np ? np : 1) * sizeof *first);
    if (!index || !first) {
        free(index);
        free(first);
        return;
    }
    for (uint32_t k = 0; k < np; k++) index[lfx_pair_second[k] + 1]++;
    for (uint32_t b = 0; b < nh; b++) index[b + 1] += index[b];
    uint32_t *at = malloc(nh * sizeof *at);
    if (!at) {
        free(index);
        free(first);
        return;
    }
    memcpy(at, index, nh * sizeof *at);
    for (uint32_t a = 0; a < nh; a++)
        for (uint32_t k = lfx_pair_index[a]; k < lfx_pair_index[a + 1]; k++) first[at[lfx_pair_second[k]]++] = (uint16_t)a;
    free(at);
    g_rev_first = first;
    g_rev_index = index;
}

size_t lfx_model_pair_neighbors(uint32_t a, uint32_t b, uint32_t *out, size_t max) {
    pthread_once(&g_model_once, model_init);
    size_t n = 0;
    if (a >= LFX_HAN_LO && a <= LFX_HAN_HI) {
        uint32_t ai = simplified(a) - LFX_HAN_LO;
        for (uint32_t k = lfx_pair_index[ai]; k < lfx_pair_index[ai + 1] && n < max; k++)
            out[n++] = LFX_HAN_LO + lfx_pair_second[k];
    }
    if (b >= LFX_HAN_LO && b <= LFX_HAN_HI) {
        pthread_once(&g_rev_once, build_rev);
        if (g_rev_index) {
            uint32_t bi = simplified(b) - LFX_HAN_LO;
            for (uint32_t k = g_rev_index[bi]; k < g_rev_index[bi + 1] && n < max; k++)
                out[n++] = LFX_HAN_LO + g_rev_first[k];
        }
    }
    return n;
}

float lfx_model_pair_floor(uint32_t a, uint32_t lo, uint32_t hi) {
    pthread_once(&g_model_once, model_init);
    float best = 1e9f;
    if (a < LFX_HAN_LO || a > LFX_HAN_HI || hi < LFX_HAN_LO || lo > LFX_HAN_HI) return best;
    if (lo < LFX_HAN_LO) lo = LFX_HAN_LO;
    if (hi > LFX_HAN_HI) hi = LFX_HAN_HI;
    uint32_t ai = simplified(a) - LFX_HAN_LO;
    uint32_t end = lfx_pair_index[ai + 1];
    uint16_t h16 = (uint16_t)(hi - LFX_HAN_LO);
    for (uint32_t k = lower_u16(lfx_pair_second, lfx_pair_index[ai], end, (uint16_t)(lo - LFX_HAN_LO));
         k < end && lfx_pair_second[k] <= h16; k++)
        if (lfx_pair_cost[k] * 0.125f < best) best = lfx_pair_cost[k] * 0.125f;
    return best;
}

int lfx_model_question_word(uint32_t c) {
    for (int i = 0; i < LFX_N_QUESTION_WORDS; i++)
        if (c == lfx_question_words[i]) return 1;
    return 0;
}

float lfx_model_question_bits(uint32_t mark, int asked) {
    int m = mark == 0xFF1A ? 0 : mark == 0xFF1B ? 1 : mark == 0xFF1F ? 2 : mark == 0xFF01 ? 3 : -1;
    return m < 0 ? 0.0f : lfx_question_bits[m * 2 + (asked ? 0 : 1)] * 0.125f;
}

float lfx_model_unigram(uint32_t c) {
    if (c >= LFX_HAN_LO && c <= LFX_HAN_HI) return lfx_han_cost[c - LFX_HAN_LO] * 0.125f;
    return lfx_model_cost(0, c);
}

double lfx_model_score(const uint32_t *cp, size_t n, float *per_cp) {
    pthread_once(&g_model_once, model_init);
    double sum = 0;
    uint32_t prev = 0, prev2 = 0;
    int32_t k = K_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        float c = model_cost3_k(prev2, prev, cp[i], &k);
        if (per_cp) per_cp[i] = c;
        sum += c;
        prev2 = prev;
        prev = cp[i];
    }
    return sum;
}
