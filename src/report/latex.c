#include "latex.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *utf8;
    const char *math; // the symbol in math mode
} Symbol;

static const Symbol SYMBOLS[] = {
    {"∂", "\\partial "}, {"ŷ", "\\hat{y}"},   {"⋆", "\\star "},     {"∘", "\\circ "},    {"σ", "\\sigma "},
    {"η", "\\eta "},     {"δ", "\\delta "},   {"Σ", "\\Sigma "},    {"∑", "\\sum "},     {"ᵀ", "^{\\mathsf{T}}"},
    {"≤", "\\le "},      {"≥", "\\ge "},      {"·", "\\cdot "},     {"−", "-"},          {"×", "\\times "},
    {"→", "\\to "},      {"←", "\\leftarrow "}, {"≈", "\\approx "}, {"∈", "\\in "},      {"∇", "\\nabla "},
    {"θ", "\\theta "},   {"ε", "\\varepsilon "}, {"⌊", "\\lfloor "}, {"⌋", "\\rfloor "}, {"⌈", "\\lceil "},
    {"⌉", "\\rceil "},   {"≠", "\\ne "},      {"²", "^{2}"},        {"³", "^{3}"},       {"√", "\\surd "},
    {"∞", "\\infty "},   {"λ", "\\lambda "},  {"μ", "\\mu "},       {"α", "\\alpha "},   {"β", "\\beta "},
    {"φ", "\\varphi "},  {"Φ", "\\Phi "},     {"Δ", "\\Delta "},    {"±", "\\pm "},      {"⊙", "\\odot "},
    {"⁻¹", "^{-1}"},     {"₀", "_{0}"},       {"₁", "_{1}"},        {"₂", "_{2}"},       {"₃", "_{3}"},
    {"ᵢ", "_{i}"},       {"ⱼ", "_{j}"},       {"ₖ", "_{k}"},        {"ₘ", "_{m}"},       {"ₙ", "_{n}"},
    {"∗", "*"},          {"∀", "\\forall "},  {"′", "'"},           {"⇒", "\\Rightarrow "}, {"≡", "\\equiv "},
    {"∝", "\\propto "},  {"ℓ", "\\ell "},     {"π", "\\pi "},       {"τ", "\\tau "},     {"ρ", "\\rho "},
    {"γ", "\\gamma "},   {"ω", "\\omega "},   {"Π", "\\Pi "},       {"…", "\\ldots "},   {"⋯", "\\cdots "},
    {"‖", "\\| "},       {"°", "^{\\circ}"},  {"✓", "\\checkmark "}, {"✗", "\\times "},  {"⁺", "^{+}"},
    {"⁻", "^{-}"},       {"ᵗ", "^{t}"},       {"⊤", "^{\\mathsf{T}}"},
    {"x̂", "\\hat{x}"},
};

// Punctuation that has a text-mode spelling.
static const Symbol TEXT_ONLY[] = {
    {"—", "---"}, {"–", "--"}, {"“", "``"}, {"”", "''"}, {"‘", "`"}, {"’", "'"}, {"é", "\\'e"}, {"ü", "\\\"u"},
};

// Bytes of the character starting at p: its lead byte and the continuation
// bytes that really follow, so a string cut mid-character is never read past
// its terminating NUL.
static size_t utf8_length(const char *p) {
    unsigned char c = (unsigned char)*p;
    size_t want = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    size_t n = 1;
    while (n < want && ((unsigned char)p[n] & 0xC0) == 0x80) n++;
    return n;
}

static const char *lookup(const Symbol *table, size_t n, const char *p, size_t *len) {
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(table[k].utf8);
        if (strncmp(p, table[k].utf8, l) == 0) {
            *len = l;
            return table[k].math;
        }
    }
    return NULL;
}

#define COUNT(a) (sizeof(a) / sizeof *(a))

// Text-mode spelling of an ASCII character that LaTeX treats specially.
static const char *escape_ascii(char c) {
    switch (c) {
    case '\\': return "\\textbackslash{}";
    case '{': return "\\{";
    case '}': return "\\}";
    case '$': return "\\$";
    case '&': return "\\&";
    case '#': return "\\#";
    case '%': return "\\%";
    case '_': return "\\_";
    case '^': return "\\^{}";
    case '~': return "\\~{}";
    case '<': return "$<$";
    case '>': return "$>$";
    case '|': return "$|$";
    default: return NULL;
    }
}

// Appends one character (or symbol) of text starting at p; returns its length.
static size_t append_text_char(StrBuf *b, const char *p, bool spaces_kept) {
    size_t len;
    const char *s;
    if ((s = lookup(TEXT_ONLY, COUNT(TEXT_ONLY), p, &len))) {
        sb_puts(b, s);
        return len;
    }
    if ((s = lookup(SYMBOLS, COUNT(SYMBOLS), p, &len))) {
        sb_printf(b, "$%s$", s);
        return len;
    }
    unsigned char c = (unsigned char)*p;
    if (c >= 0x80) {
        sb_putc(b, '?');
        return utf8_length(p);
    }
    if (spaces_kept && c == ' ') {
        sb_putc(b, '~');
        return 1;
    }
    // A command on a slide must paste into a shell: straight quotes, not
    // the curly ones TeX makes of ' and ` (textcomp, T1 fonts).
    if (spaces_kept && (c == '\'' || c == '`' || c == '"')) {
        sb_puts(b, c == '\'' ? "\\textquotesingle{}" : c == '`' ? "\\textasciigrave{}" : "\\textquotedbl{}");
        return 1;
    }
    // "--lr" must print two hyphens, not the en dash LaTeX makes of "--".
    if (c == '-' && p[1] == '-') {
        sb_puts(b, "-{}");
        return 1;
    }
    const char *e = escape_ascii((char)c);
    if (e)
        sb_puts(b, e);
    else
        sb_putc(b, (char)c);
    return 1;
}

void latex_append_text(StrBuf *b, const char *utf8) {
    for (const char *p = utf8; *p;) p += append_text_char(b, p, false);
}

// The exponent after a '^': "{-16}", "(1/(p+1))" (parentheses kept), "−z",
// "2" or "p", as ^{...}; a bare '^' at the end is a hat. Returns where the
// exponent ends.
static const char *append_superscript(StrBuf *b, const char *p) {
    const char *end = p;
    if (*p == '{' || *p == '(') {
        char open = *p, close = open == '{' ? '}' : ')';
        int depth = 0;
        for (; *end; end++) {
            if (*end == open) depth++;
            if (*end == close && --depth == 0) break;
        }
        if (!*end) end = p; // unbalanced: no exponent
        else end++;
    } else {
        if (strncmp(end, "−", 3) == 0) end += 3;
        else if (*end == '-') end++;
        while (isalnum((unsigned char)*end)) end++;
    }
    if (end == p || (end - p == 3 && strncmp(p, "−", 3) == 0)) {
        sb_puts(b, "\\hat{}");
        return p;
    }
    const char *from = *p == '{' ? p + 1 : p, *to = *p == '{' ? end - 1 : end;
    char inner[256];
    size_t n = (size_t)(to - from) < sizeof inner ? (size_t)(to - from) : sizeof inner - 1;
    memcpy(inner, from, n);
    inner[n] = '\0';
    sb_puts(b, "^{");
    latex_append_math(b, inner);
    sb_putc(b, '}');
    return end;
}

// The end of a word of letters joined by '-' or '\'' (each followed by a
// letter): "cross-correlation", "article's".
static const char *text_word_end(const char *p) {
    for (;;) {
        while (isalpha((unsigned char)*p)) p++;
        if ((*p == '-' || *p == '\'') && isalpha((unsigned char)p[1])) p++;
        else return p;
    }
}

// True when the word at p has a hyphen or an apostrophe inside it (and more
// than one letter before it: "x-y" between variables is a difference).
static bool word_has_text_joiner(const char *p) {
    const char *q = p;
    while (isalpha((unsigned char)*q)) q++;
    return q - p > 1 && text_word_end(p) != q;
}

// "{...}" after '_' or '^' as that script of its math contents; an
// unbalanced brace is set as a literal one. Returns where the script ends.
static const char *append_braced_script(StrBuf *b, char script, const char *open) {
    int depth = 0;
    const char *end = open;
    for (; *end; end++) {
        if (*end == '{') depth++;
        if (*end == '}' && --depth == 0) break;
    }
    if (!*end) {
        sb_puts(b, "\\{");
        return open + 1;
    }
    char inner[256];
    size_t n = (size_t)(end - open - 1) < sizeof inner ? (size_t)(end - open - 1) : sizeof inner - 1;
    memcpy(inner, open + 1, n);
    inner[n] = '\0';
    sb_printf(b, "%c{", script);
    latex_append_math(b, inner);
    sb_putc(b, '}');
    return end + 1;
}

void latex_append_math(StrBuf *b, const char *utf8) {
    const char *p = utf8;
    while (*p) {
        size_t len;
        const char *s = lookup(SYMBOLS, COUNT(SYMBOLS), p, &len);
        if (s) {
            sb_puts(b, s);
            p += len;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) {
            sb_putc(b, '?');
            p += utf8_length(p);
        } else if (c == '_' && p[1] == '{') {
            // A braced subscript, Σ_{i=1}^m: its contents are math too.
            p = append_braced_script(b, '_', p + 1);
        } else if (c == '_') {
            // Subscript: the run of letters and digits that follows.
            const char *q = p + 1;
            while (isalnum((unsigned char)*q)) q++;
            size_t n = (size_t)(q - p - 1);
            if (n > 1)
                sb_printf(b, "_{\\mathrm{%.*s}}", (int)n, p + 1);
            else
                sb_printf(b, "_{%.*s}", (int)n, p + 1);
            p = q;
        } else if (isalpha(c) && word_has_text_joiner(p)) {
            // "cross-correlation", "article's": a hyphen or an apostrophe
            // in math would be a minus or a prime; as text they are not.
            const char *q = text_word_end(p);
            char word[128];
            snprintf(word, sizeof word, "%.*s", (int)(q - p < 127 ? q - p : 127), p);
            sb_puts(b, "\\text{");
            latex_append_text(b, word);
            sb_putc(b, '}');
            p = q;
        } else if (isalpha(c)) {
            // A word such as "rot180" or "loss" is upright text; a single
            // letter stays a math variable.
            const char *q = p;
            while (isalpha((unsigned char)*q)) q++;
            if (q - p > 1)
                while (isalnum((unsigned char)*q)) q++;
            size_t n = (size_t)(q - p);
            if (n > 1)
                sb_printf(b, "\\mathrm{%.*s}", (int)n, p);
            else
                sb_putc(b, (char)c);
            p = q;
        } else if (strchr("{}$&#%", c)) {
            sb_printf(b, "\\%c", c);
            p++;
        } else if (c == ' ') {
            // Math mode drops spaces; labels such as "dK (convolution)" need them.
            sb_puts(b, "\\ ");
            p++;
        } else if (c == '\\') {
            sb_puts(b, "\\backslash ");
            p++;
        } else if (c == '^') {
            p = append_superscript(b, p + 1);
        } else if (c == '~') {
            sb_puts(b, "\\sim ");
            p++;
        } else if (c == '[' || c == ']') {
            // Braced: a Beamer frame title continued on a second slide
            // (title II) is re-read where a bare bracket opens an option.
            sb_printf(b, "{%c}", c);
            p++;
        } else {
            sb_putc(b, (char)c);
            p++;
        }
    }
}

void latex_append_verbatim(StrBuf *b, const char *utf8) {
    sb_puts(b, "\\begin{flushleft}\\ttfamily\n");
    const char *p = utf8;
    while (*p) {
        const char *nl = strchr(p, '\n');
        const char *end = nl ? nl : p + strlen(p);
        // "\mbox{}" keeps an empty line from being an empty \\ (a LaTeX
        // error) and a line starting "[" from being read as \\[length].
        sb_puts(b, "\\mbox{}");
        bool leading = true;
        while (p < end) {
            if (*p == ' ' && !leading && p + 1 < end && p[1] != ' ') {
                sb_putc(b, ' '); // the last space of a run: the line may break here
                p++;
                continue;
            }
            leading = leading && *p == ' ';
            p += append_text_char(b, p, true);
        }
        sb_puts(b, "\\\\\n");
        if (!nl) break;
        p = nl + 1;
    }
    sb_puts(b, "\\end{flushleft}\n");
}

// ---------------------------------------------------------------- prose

// True when the token holds something that reads as math: a symbol, a
// subscript, a superscript, or a negative number.
static bool token_is_math(const char *p, size_t n) {
    // a negative number: its sign is a minus, not a hyphen
    if (n > 1 && p[0] == '-' && isdigit((unsigned char)p[1])) return true;
    for (size_t k = 0; k < n;) {
        size_t len;
        if (p[k] == '_' || p[k] == '^') return k > 0 && k + 1 < n;
        if (lookup(SYMBOLS, COUNT(SYMBOLS), p + k, &len) && len > 1) return true;
        k += utf8_length(p + k);
    }
    return false;
}

// A program identifier such as bce_grad_logits or GRADCHECK_H: ASCII
// letters, digits and underscores, named by a word rather than a symbol
// (more than one underscore, or a base longer than two letters).
static bool token_is_identifier(const char *p, size_t n) {
    if (!isalpha((unsigned char)p[0])) return false;
    size_t underscores = 0, base = 0;
    for (size_t k = 0; k < n; k++) {
        if (p[k] == '_') underscores++;
        else if (!isalnum((unsigned char)p[k])) return false;
        else if (underscores == 0) base++;
    }
    return underscores > 1 || (underscores == 1 && base > 2);
}

static void append_identifier(StrBuf *b, const char *p, size_t n) {
    sb_puts(b, "\\texttt{");
    for (size_t k = 0; k < n; k++) sb_puts(b, p[k] == '_' ? "\\_\\allowbreak{}" : (char[]){p[k], '\0'});
    sb_putc(b, '}');
}

// Closing punctuation that stays text after a math token: ",.;:!?" and a
// ')' or '"' that the token did not open.
static size_t trailing_text(const char *p, size_t n) {
    size_t t = 0;
    while (t < n) {
        char c = p[n - 1 - t];
        if (c == ')') {
            int depth = 0;
            for (size_t k = 0; k < n - t; k++) depth += p[k] == '(' ? 1 : p[k] == ')' ? -1 : 0;
            if (depth >= 0) break;
        } else if (!strchr(",.;:!?\"'", c)) {
            break;
        }
        t++;
    }
    return t;
}

// A '"' opening a quotation follows a space, a bracket or the start.
static void append_quote(StrBuf *b, const char *start, const char *p) {
    bool opening = p == start || strchr(" ([\n", p[-1]);
    sb_puts(b, opening ? "``" : "''");
}

static void append_plain(StrBuf *b, const char *start, const char *p, const char *end) {
    while (p < end) {
        if (*p == '"') {
            append_quote(b, start, p);
            p++;
        } else {
            p += append_text_char(b, p, false);
        }
    }
}

void latex_append_prose(StrBuf *b, const char *utf8) {
    const char *p = utf8;
    while (*p) {
        if (*p == ' ' || *p == '\n') {
            sb_putc(b, *p++);
            continue;
        }
        size_t n = strcspn(p, " \n");
        size_t lead = strspn(p, "(\"");
        if (lead > n) lead = n;
        const char *core = p + lead;
        size_t core_n = n - lead;
        size_t trail = trailing_text(core, core_n);
        core_n -= trail;
        // A lone letter other than the words "a" and "I" is a variable.
        bool variable = core_n == 1 && isalpha((unsigned char)*core) && !strchr("aAI", *core);
        if (core_n == 0 || !(variable || token_is_math(core, core_n) || token_is_identifier(core, core_n))) {
            append_plain(b, utf8, p, p + n);
        } else {
            append_plain(b, utf8, p, core);
            if (token_is_identifier(core, core_n)) {
                append_identifier(b, core, core_n);
            } else {
                char token[512];
                size_t m = core_n < sizeof token ? core_n : sizeof token - 1;
                memcpy(token, core, m);
                token[m] = '\0';
                sb_putc(b, '$');
                latex_append_math(b, token);
                sb_putc(b, '$');
            }
            append_plain(b, utf8, core + core_n, p + n);
        }
        p += n;
    }
}
