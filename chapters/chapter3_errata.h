#ifndef CHAPTER3_ERRATA_H
#define CHAPTER3_ERRATA_H
// Chapter 3's errata of the article that take the layer's numbers: each a
// statement computed from d, shown with report_erratum (chapter3_errata.c).
#include "dense_case.h"
#include "report.h"

// The article's eq. (3) (∂L/∂ŷ where ∂L/∂z belongs) against d's ∂L/∂x.
void dense_erratum_eq3(Report *r, const DenseCase *d);
// The article's model without the activation (ŷ = z) after one step of its
// own update with lr: where BCE stops being defined.
void dense_erratum_linear_output(Report *r, const DenseCase *d, double lr);

#endif
