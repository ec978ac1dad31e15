#ifndef WORKBOOK_FORMAT_LIST_H
#define WORKBOOK_FORMAT_LIST_H
// The output formats (--format), in --help order: X(ENUM, name) gives the
// enum constant FORMAT_ENUM, the --format word "name" and the backend
// format_name, defined in src/report/format_name.c (format.h declares the
// backends). Apart from format.h so that options.h needs only the names.

#define FORMAT_LIST(X)                                                                                      \
    X(TEXT, text)                                                                                           \
    X(LATEX, latex)                                                                                         \
    X(MARKDOWN, markdown)                                                                                   \
    X(JSON, json)                                                                                           \
    X(BEAMER, beamer)                                                                                       \
    X(HTML, html)

typedef enum {
#define FORMAT_ENUM_(e, name) FORMAT_##e,
    FORMAT_LIST(FORMAT_ENUM_)
#undef FORMAT_ENUM_
        FORMAT_COUNT
} Format;

// The --format word of f ("text"); NULL when f is out of range (options.c).
const char *format_name(Format f);

#endif
