#ifndef WORKBOOK_ARRAYLEN_H
#define WORKBOOK_ARRAYLEN_H
// The number of elements of an array (not a pointer), as an int, for loop
// bounds and table sizes: ARRAY_LEN(BUGS) instead of a hand-counted 3.
#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))
#endif
