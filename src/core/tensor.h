#ifndef WORKBOOK_TENSOR_H
#define WORKBOOK_TENSOR_H
// A dense array of doubles with shape (C, H, W), stored row-major:
// entry (c, i, j) lives at data[(c*H + i)*W + j].
// A matrix is (1, H, W); a vector is (1, 1, W).
//
// Ownership: tensor_alloc/tensor_free are for chapter programs and tests.
// Layer functions (conv, pool, dense, ...) never allocate: they take tensors
// (or plain arrays) that the caller has allocated.

#include <stdbool.h>
#include <stddef.h>

// Largest side the workbook accepts anywhere (rows, columns, channels).
#define TENSOR_MAX_SIDE 4096

typedef struct {
    int c, h, w;
    double *data;
} Tensor;

// Allocates a zero-filled tensor. Exits with status 2 and an error line if
// the shape is out of range or memory runs out, so callers never see NULL.
Tensor tensor_alloc(int c, int h, int w);
Tensor tensor_alloc_like(const Tensor *t);
// Allocates a copy of src.
Tensor tensor_clone(const Tensor *src);
// Allocates an HxW matrix (1,H,W) holding a copy of values (H·W of them, row-major).
Tensor tensor_from_values(const double *values, int h, int w);
// Wraps a caller-owned array without copying (tensor_free must not be called).
Tensor tensor_view(double *data, int c, int h, int w);
void tensor_free(Tensor *t);

static inline size_t tensor_size(const Tensor *t) { return (size_t)t->c * (size_t)t->h * (size_t)t->w; }
static inline double *tensor_at(const Tensor *t, int c, int i, int j) {
    return &t->data[((size_t)c * (size_t)t->h + (size_t)i) * (size_t)t->w + (size_t)j];
}
static inline bool tensor_is_vector(const Tensor *t) { return t->c == 1 && t->h == 1; }

void tensor_zero(Tensor *t);
void tensor_copy(Tensor *dst, const Tensor *src); // shapes must match
bool tensor_same_shape(const Tensor *a, const Tensor *b);
bool tensor_all_finite(const Tensor *t);
// Fills t with the 180-degree rotation of src (each channel flipped in both axes).
void tensor_rot180(Tensor *dst, const Tensor *src);
// Writes "HxW" (one channel) or "CxHxW" into buf.
void tensor_shape_str(char *buf, size_t len, const Tensor *t);

// Significant digits to which typed agrees with exact: ⌊−log10(|typed −
// exact| / |exact|)⌋, in [0, 17]; 17 when they are equal, 0 when exact is 0
// and typed is not. (−10.95 for −10.9487: 3.)
int significant_digits_agreeing(double typed, double exact);

#endif
