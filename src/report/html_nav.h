#ifndef WORKBOOK_HTML_NAV_H
#define WORKBOOK_HTML_NAV_H
// Navigation of the HTML pages (make html): each chapter page links the
// table of contents (index.html), the previous and the next chapter, and
// lists its own sections. Kept apart from the page's body (format_html.c).

#include "strbuf.h"

// The style rules of the navigation bars, for the page's <style>.
const char *html_nav_style(void);

// Inserts into the finished page (from "<main>\n" to "</main>") the bar at
// the top, the list of the page's sections after its <h1>, and the bar again
// at the bottom. program is "chapter3"; the chapters that exist are the
// build's (WORKBOOK_CHAPTER_LIST, "0 1 2 3 4 5 6").
void html_nav_splice(StrBuf *page, const char *program);

#endif
