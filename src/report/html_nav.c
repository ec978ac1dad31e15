#include "html_nav.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The chapters of this build, from the Makefile; without it (a build that
// does not say) a page links its neighbours N-1 and N+1 only if N-1 >= 0.
#ifndef WORKBOOK_CHAPTER_LIST
#define WORKBOOK_CHAPTER_LIST ""
#endif

const char *html_nav_style(void) {
    return "nav.pages{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;font-size:.95rem;padding:.4rem 0;"
           "border-bottom:1px solid var(--rule)}nav.pages.bottom{border-bottom:0;border-top:1px solid var(--rule);"
           "margin-top:2.5rem}nav.pages a{color:inherit}nav.toc{font-size:.95rem;color:var(--muted)}"
           "nav.toc ul{margin:.2rem 0;padding-left:1.2rem}nav.toc a{color:inherit}";
}

static bool chapter_exists(int n) {
    const char *list = WORKBOOK_CHAPTER_LIST;
    if (!*list) return n >= 0;
    for (const char *p = list; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        if (v == n) return true;
        p = end;
    }
    return false;
}

static void nav_bar(StrBuf *b, int n, const char *where) {
    sb_printf(b, "<nav class=\"pages%s\" aria-label=\"Chapters\"><a href=\"index.html\">Contents</a>", where);
    if (n >= 0 && chapter_exists(n - 1))
        sb_printf(b, "<a rel=\"prev\" href=\"chapter%d.html\">&larr; Chapter %d</a>", n - 1, n - 1);
    if (n >= 0 && (chapter_exists(n + 1) && *WORKBOOK_CHAPTER_LIST))
        sb_printf(b, "<a rel=\"next\" href=\"chapter%d.html\">Chapter %d &rarr;</a>", n + 1, n + 1);
    sb_puts(b, "</nav>\n");
}

// <li> links to every "<h2 id=...>" of the page, in order; the heading text
// is already escaped HTML and is copied as it is.
static void section_list(StrBuf *b, const char *page) {
    const char *p = page;
    bool any = false;
    while ((p = strstr(p, "<h2 id=\"")) != NULL) {
        const char *id = p + 8, *id_end = strchr(id, '"'), *text = id_end ? strchr(id_end, '>') : NULL;
        const char *text_end = text ? strstr(text, "</h2>") : NULL;
        if (!text_end) break;
        if (!any) sb_puts(b, "<nav class=\"toc\" aria-label=\"On this page\"><ul>\n");
        any = true;
        sb_printf(b, "<li><a href=\"#%.*s\">%.*s</a></li>\n", (int)(id_end - id), id, (int)(text_end - text - 1),
                  text + 1);
        p = text_end;
    }
    if (any) sb_puts(b, "</ul></nav>\n");
}

void html_nav_splice(StrBuf *page, const char *program) {
    const char *s = sb_str(page), *main_open = strstr(s, "<main>\n"), *h1_end = strstr(s, "</h1>\n"),
               *main_close = strstr(s, "</main>");
    if (!main_open || !h1_end || !main_close) return;
    const char *digits = program + strcspn(program, "0123456789");
    int n = *digits ? atoi(digits) : -1;
    size_t at_main = (size_t)(main_open - s) + 7, at_h1 = (size_t)(h1_end - s) + 6, at_close = (size_t)(main_close - s);
    StrBuf out = {0};
    sb_printf(&out, "%.*s", (int)at_main, s);
    nav_bar(&out, n, "");
    sb_printf(&out, "%.*s", (int)(at_h1 - at_main), s + at_main);
    section_list(&out, s);
    sb_printf(&out, "%.*s", (int)(at_close - at_h1), s + at_h1);
    nav_bar(&out, n, " bottom");
    sb_puts(&out, s + at_close);
    sb_free(page);
    *page = out;
}
