#include "mathml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Deepest nesting of groups translated; deeper input is refused, so hostile
// input cannot exhaust the stack.
#define MATHML_MAX_DEPTH 64

typedef struct {
    const char *p;
    StrBuf *out;
    int depth;
    bool ok;
} Parser;

void xml_escape(StrBuf *out, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&': sb_puts(out, "&amp;"); break;
        case '<': sb_puts(out, "&lt;"); break;
        case '>': sb_puts(out, "&gt;"); break;
        case '"': sb_puts(out, "&quot;"); break;
        default: sb_putc(out, *s);
        }
    }
}

typedef struct {
    const char *name, *text;
} Symbol;

static const Symbol GREEK[] = {
    {"alpha", "α"}, {"beta", "β"}, {"gamma", "γ"}, {"delta", "δ"}, {"epsilon", "ϵ"}, {"varepsilon", "ε"},
    {"zeta", "ζ"}, {"eta", "η"}, {"theta", "θ"}, {"kappa", "κ"}, {"lambda", "λ"}, {"mu", "μ"}, {"nu", "ν"},
    {"xi", "ξ"}, {"pi", "π"}, {"rho", "ρ"}, {"sigma", "σ"}, {"tau", "τ"}, {"phi", "ϕ"}, {"varphi", "φ"},
    {"chi", "χ"}, {"psi", "ψ"}, {"omega", "ω"}, {"Gamma", "Γ"}, {"Delta", "Δ"}, {"Theta", "Θ"},
    {"Lambda", "Λ"}, {"Pi", "Π"}, {"Sigma", "Σ"}, {"Phi", "Φ"}, {"Psi", "Ψ"}, {"Omega", "Ω"},
    {"partial", "∂"}, {"nabla", "∇"}, {"infty", "∞"}, {"ell", "ℓ"},
};

static const Symbol OPERATORS[] = {
    {"star", "⋆"}, {"cdot", "·"}, {"times", "×"}, {"circ", "∘"}, {"odot", "⊙"}, {"approx", "≈"},
    {"to", "→"}, {"rightarrow", "→"}, {"leftarrow", "←"}, {"Rightarrow", "⇒"}, {"Leftarrow", "⇐"},
    {"Longleftrightarrow", "⟺"}, {"iff", "⟺"}, {"le", "≤"}, {"leq", "≤"}, {"ge", "≥"}, {"geq", "≥"},
    {"ne", "≠"}, {"neq", "≠"}, {"pm", "±"}, {"mp", "∓"}, {"in", "∈"}, {"lfloor", "⌊"}, {"rfloor", "⌋"},
    {"lceil", "⌈"}, {"rceil", "⌉"}, {"ldots", "…"}, {"cdots", "⋯"}, {"vdots", "⋮"}, {"ddots", "⋱"},
    {"prime", "′"}, {"lVert", "‖"}, {"rVert", "‖"}, {"|", "‖"}, {"mid", "∣"}, {"equiv", "≡"},
    {"propto", "∝"}, {"sim", "∼"}, {"langle", "⟨"}, {"rangle", "⟩"}, {"{", "{"}, {"}", "}"},
    {"_", "_"}, {"%", "%"}, {"#", "#"}, {"&", "&amp;"}, {"setminus", "∖"}, {"mapsto", "↦"},
    {"ni", "∋"}, {"notin", "∉"}, {"subset", "⊂"}, {"subseteq", "⊆"}, {"cup", "∪"}, {"cap", "∩"},
    {"forall", "∀"}, {"exists", "∃"}, {"neg", "¬"}, {"wedge", "∧"}, {"vee", "∨"}, {"oplus", "⊕"},
    {"otimes", "⊗"}, {"dots", "…"}, {"bullet", "∙"}, {"ast", "∗"}, {"div", "÷"}, {"ll", "≪"}, {"gg", "≫"},
};

static const char *const FUNCTIONS[] = {"log", "ln", "exp", "sin", "cos", "tan", "max", "min", "arg", "sup", "inf",
                                        "det", "lim", "argmax", "argmin"};

static const Symbol SPACES[] = {{"quad", "1em"}, {"qquad", "2em"}, {",", "0.167em"}, {";", "0.278em"},
                                {":", "0.222em"}, {" ", "0.25em"}, {"!", "0em"}};

static const char *find_symbol(const Symbol *table, size_t n, const char *name) {
    for (size_t k = 0; k < n; k++)
        if (strcmp(table[k].name, name) == 0) return table[k].text;
    return NULL;
}

#define FIND(table, name) find_symbol(table, sizeof table / sizeof *table, name)

static void skip_space(Parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n') ps->p++;
}

// A command's name after '\': letters, or one other character.
static void read_command(Parser *ps, char *name, size_t len) {
    size_t n = 0;
    if (isalpha((unsigned char)*ps->p)) {
        while (isalpha((unsigned char)*ps->p) && n + 1 < len) name[n++] = *ps->p++;
    } else if (*ps->p) {
        name[n++] = *ps->p++;
    }
    name[n] = '\0';
}

// The raw text of a {…} argument (for \text and \mathrm), without braces.
static bool read_raw_group(Parser *ps, char *buf, size_t len) {
    skip_space(ps);
    if (*ps->p != '{') return false;
    ps->p++;
    size_t n = 0;
    int depth = 1;
    for (; *ps->p; ps->p++) {
        if (*ps->p == '{') depth++;
        if (*ps->p == '}' && --depth == 0) break;
        if (*ps->p == '\\' && ps->p[1]) ps->p++; // \_ \{ … stand for themselves
        if (n + 1 < len) buf[n++] = *ps->p;
    }
    if (*ps->p != '}') return false;
    ps->p++;
    buf[n] = '\0';
    return true;
}

static void parse_sequence(Parser *ps, bool in_table);
static bool parse_atom(Parser *ps);
static bool parse_base(Parser *ps, bool *largeop);

// Runs fn with ps->out redirected into `into`.
static void capture(Parser *ps, StrBuf *into, bool (*fn)(Parser *)) {
    StrBuf *saved = ps->out;
    ps->out = into;
    if (!fn(ps)) ps->ok = false;
    ps->out = saved;
}

static bool parse_group_body(Parser *ps) {
    sb_puts(ps->out, "<mrow>");
    parse_sequence(ps, false);
    sb_puts(ps->out, "</mrow>");
    if (*ps->p != '}') return false;
    ps->p++;
    return true;
}

// An argument: {…} as one mrow, or a single atom.
static bool parse_argument(Parser *ps) {
    skip_space(ps);
    if (*ps->p == '{') {
        ps->p++;
        return parse_group_body(ps);
    }
    // A single token: in x_i^2 the i takes no script of its own.
    bool largeop;
    sb_puts(ps->out, "<mrow>");
    bool ok = ++ps->depth <= MATHML_MAX_DEPTH && parse_base(ps, &largeop);
    ps->depth--;
    sb_puts(ps->out, "</mrow>");
    return ok;
}

static void emit_mo(Parser *ps, const char *text) {
    sb_puts(ps->out, "<mo>");
    sb_puts(ps->out, text);
    sb_puts(ps->out, "</mo>");
}

// \left( … the delimiter after \left or \right ('.' is none).
static bool parse_delimiter(Parser *ps) {
    skip_space(ps);
    if (*ps->p == '.') {
        ps->p++;
        return true;
    }
    if (*ps->p == '\\') {
        ps->p++;
        char name[32];
        read_command(ps, name, sizeof name);
        const char *sym = FIND(OPERATORS, name);
        if (!sym) return false;
        emit_mo(ps, sym);
        return true;
    }
    if (!*ps->p || !strchr("()[]|/", *ps->p)) return false;
    char d[2] = {*ps->p++, '\0'};
    emit_mo(ps, d);
    return true;
}

// The rows of a table up to \end{env} (env NULL: to the end of the input).
static bool parse_rows(Parser *ps, const char *env, const char *align) {
    sb_printf(ps->out, "<mtable%s%s%s><mtr><mtd>", align ? " columnalign=\"" : "", align ? align : "",
              align ? "\"" : "");
    for (;;) {
        parse_sequence(ps, true);
        if (*ps->p == '&') {
            ps->p++;
            sb_puts(ps->out, "</mtd><mtd>");
        } else if (strncmp(ps->p, "\\\\", 2) == 0) {
            ps->p += 2;
            sb_puts(ps->out, "</mtd></mtr><mtr><mtd>");
        } else {
            break;
        }
    }
    sb_puts(ps->out, "</mtd></mtr></mtable>");
    if (!env) return *ps->p == '\0';
    char want[64];
    snprintf(want, sizeof want, "\\end{%s}", env);
    if (strncmp(ps->p, want, strlen(want)) != 0) return false;
    ps->p += strlen(want);
    return true;
}

static bool parse_environment(Parser *ps) {
    char env[32];
    if (!read_raw_group(ps, env, sizeof env)) return false;
    const char *open = NULL, *close = NULL, *align = NULL;
    if (strcmp(env, "bmatrix") == 0) open = "[", close = "]";
    else if (strcmp(env, "pmatrix") == 0) open = "(", close = ")";
    else if (strcmp(env, "aligned") == 0 || strcmp(env, "align*") == 0) align = "right left";
    else if (strcmp(env, "cases") == 0) open = "{", align = "left left";
    else if (strcmp(env, "matrix") != 0) return false;
    sb_puts(ps->out, "<mrow>");
    if (open) emit_mo(ps, open);
    bool ok = parse_rows(ps, env, align);
    if (close) emit_mo(ps, close);
    sb_puts(ps->out, "</mrow>");
    return ok;
}

static bool parse_text_command(Parser *ps, const char *name) {
    char text[512];
    if (!read_raw_group(ps, text, sizeof text)) return false;
    bool prose = strcmp(name, "text") == 0 || strcmp(name, "mbox") == 0 || strcmp(name, "textrm") == 0;
    sb_puts(ps->out, prose ? "<mtext>" : "<mi mathvariant=\"normal\">");
    xml_escape(ps->out, text);
    sb_puts(ps->out, prose ? "</mtext>" : "</mi>");
    return true;
}

static bool parse_structure(Parser *ps, const char *name) {
    if (!strcmp(name, "frac") || !strcmp(name, "tfrac") || !strcmp(name, "dfrac")) {
        sb_puts(ps->out, "<mfrac>");
        bool ok = parse_argument(ps) && parse_argument(ps);
        sb_puts(ps->out, "</mfrac>");
        return ok;
    }
    if (!strcmp(name, "sqrt")) {
        sb_puts(ps->out, "<msqrt>");
        bool ok = parse_argument(ps);
        sb_puts(ps->out, "</msqrt>");
        return ok;
    }
    const char *accent = !strcmp(name, "hat") ? "^" : !strcmp(name, "bar") ? "¯" : !strcmp(name, "tilde") ? "~"
                         : !strcmp(name, "vec") ? "→" : NULL;
    if (accent) {
        sb_puts(ps->out, "<mover accent=\"true\">");
        bool ok = parse_argument(ps);
        sb_printf(ps->out, "<mo>%s</mo></mover>", accent);
        return ok;
    }
    if (!strcmp(name, "text") || !strcmp(name, "mbox") || !strcmp(name, "textrm") || !strcmp(name, "mathrm") ||
        !strcmp(name, "operatorname") || !strcmp(name, "mathsf"))
        return parse_text_command(ps, name);
    if (!strcmp(name, "mathbin") || !strcmp(name, "mathrel") || !strcmp(name, "mathop"))
        return parse_argument(ps);
    if (!strcmp(name, "left") || !strcmp(name, "right") || !strcmp(name, "big") || !strcmp(name, "Big"))
        return parse_delimiter(ps);
    if (!strcmp(name, "begin")) return parse_environment(ps);
    if (!strcmp(name, "tag")) {
        char tag[64];
        if (!read_raw_group(ps, tag, sizeof tag)) return false;
        sb_puts(ps->out, "<mspace width=\"2em\"/><mtext>(");
        xml_escape(ps->out, tag);
        sb_puts(ps->out, ")</mtext>");
        return true;
    }
    return false;
}

static bool parse_command(Parser *ps, bool *largeop) {
    char name[32];
    read_command(ps, name, sizeof name);
    const char *s;
    if ((s = FIND(GREEK, name))) {
        sb_printf(ps->out, "<mi>%s</mi>", s);
    } else if ((s = FIND(OPERATORS, name))) {
        emit_mo(ps, s);
    } else if ((s = FIND(SPACES, name))) {
        sb_printf(ps->out, "<mspace width=\"%s\"/>", s);
    } else if (!strcmp(name, "sum") || !strcmp(name, "prod")) {
        sb_printf(ps->out, "<mo largeop=\"true\" movablelimits=\"true\">%s</mo>", name[0] == 's' ? "∑" : "∏");
        *largeop = true;
    } else {
        for (size_t k = 0; k < sizeof FUNCTIONS / sizeof *FUNCTIONS; k++)
            if (!strcmp(name, FUNCTIONS[k])) {
                sb_printf(ps->out, "<mi>%s</mi>", name);
                *largeop = !strcmp(name, "max") || !strcmp(name, "min") || !strncmp(name, "arg", 3);
                return true;
            }
        return parse_structure(ps, name);
    }
    return true;
}

// One base with its scripts: the base goes into a buffer first, so that it
// can be wrapped in msub/msup/msubsup (munder/mover for \sum and max).
static bool parse_scripted(Parser *ps, bool *largeop_out);

static bool parse_base(Parser *ps, bool *largeop) {
    unsigned char c = (unsigned char)*ps->p;
    if (c == '\0') return false; // an argument missing at the end (strchr would match the terminator)
    if (c == '{') {
        ps->p++;
        return parse_group_body(ps);
    }
    if (c == '\\') {
        ps->p++;
        return parse_command(ps, largeop);
    }
    if (isalpha(c)) {
        sb_printf(ps->out, "<mi>%c</mi>", *ps->p++);
        return true;
    }
    if (isdigit(c) || (c == '.' && isdigit((unsigned char)ps->p[1]))) {
        sb_puts(ps->out, "<mn>");
        while (isdigit((unsigned char)*ps->p) || (*ps->p == '.' && isdigit((unsigned char)ps->p[1])))
            sb_putc(ps->out, *ps->p++);
        sb_puts(ps->out, "</mn>");
        return true;
    }
    if (c >= 0x80) { // a UTF-8 character typed as itself
        sb_puts(ps->out, "<mi>");
        do sb_putc(ps->out, *ps->p++);
        while (((unsigned char)*ps->p & 0xC0) == 0x80);
        sb_puts(ps->out, "</mi>");
        return true;
    }
    static const Symbol ASCII_OPS[] = {{"-", "−"}, {"*", "∗"}, {"'", "′"}, {"<", "&lt;"}, {">", "&gt;"}};
    char one[2] = {(char)c, '\0'};
    if (strchr("()[]|", (int)c)) { // brackets stretch only after \left and \right
        sb_printf(ps->out, "<mo stretchy=\"false\">%s</mo>", one);
        ps->p++;
        return true;
    }
    if (strchr("+-=<>,;:!/'*?", (int)c)) {
        const char *text = FIND(ASCII_OPS, one);
        emit_mo(ps, text ? text : one);
        ps->p++;
        return true;
    }
    if (c == '~') {
        ps->p++;
        sb_puts(ps->out, "<mspace width=\"0.25em\"/>");
        return true;
    }
    return false;
}

static bool parse_scripted(Parser *ps, bool *largeop_out) {
    StrBuf base = {0}, sub = {0}, sup = {0};
    bool largeop = false, ok;
    StrBuf *saved = ps->out;
    ps->out = &base;
    ok = parse_base(ps, &largeop);
    for (skip_space(ps); ok && (*ps->p == '_' || *ps->p == '^'); skip_space(ps)) {
        StrBuf *into = *ps->p == '_' ? &sub : &sup;
        ps->p++;
        if (into->len) ok = false; // a double subscript or superscript
        ps->out = into;
        ok = ok && parse_argument(ps);
    }
    ps->out = saved;
    const char *tag = sub.len && sup.len ? (largeop ? "munderover" : "msubsup")
                      : sub.len          ? (largeop ? "munder" : "msub")
                      : sup.len          ? (largeop ? "mover" : "msup")
                                         : NULL;
    if (tag) sb_printf(ps->out, "<%s><mrow>%s</mrow>%s%s</%s>", tag, sb_str(&base), sb_str(&sub), sb_str(&sup), tag);
    else sb_puts(ps->out, sb_str(&base));
    sb_free(&base);
    sb_free(&sub);
    sb_free(&sup);
    *largeop_out = largeop;
    return ok;
}

static bool parse_atom(Parser *ps) {
    bool largeop;
    if (++ps->depth > MATHML_MAX_DEPTH) return false;
    bool ok = parse_scripted(ps, &largeop);
    ps->depth--;
    return ok;
}

// Atoms up to '}', \right, \end, the end, or (in a table) '&' and \\.
static void parse_sequence(Parser *ps, bool in_table) {
    for (;;) {
        skip_space(ps);
        const char *p = ps->p;
        if (!*p || *p == '}' || !ps->ok) return;
        if (!strncmp(p, "\\right", 6) && !isalpha((unsigned char)p[6])) {
            ps->p += 6;
            if (!parse_delimiter(ps)) ps->ok = false;
            continue;
        }
        if (!strncmp(p, "\\end", 4) || (in_table && (*p == '&' || !strncmp(p, "\\\\", 2)))) return;
        if (*p == '&') { // alignment outside a table: no mark
            ps->p++;
            continue;
        }
        if (!strncmp(p, "\\\\", 2)) return;
        if (!parse_atom(ps)) ps->ok = false;
    }
}

static bool parse_top(Parser *ps) {
    if (strstr(ps->p, "\\\\") && !strstr(ps->p, "\\begin")) return parse_rows(ps, NULL, "right left");
    sb_puts(ps->out, "<mrow>");
    parse_sequence(ps, false);
    sb_puts(ps->out, "</mrow>");
    return *ps->p == '\0';
}

bool latex_to_mathml(StrBuf *out, const char *latex) {
    StrBuf tmp = {0};
    Parser ps = {.p = latex, .out = &tmp, .ok = true};
    capture(&ps, &tmp, parse_top);
    bool ok = ps.ok;
    if (ok) sb_puts(out, sb_str(&tmp));
    sb_free(&tmp);
    return ok;
}
