#include "wire.h"

static bool put_int(FILE *f, int v) {
    int32_t x = v;
    return fwrite(&x, sizeof x, 1, f) == 1;
}

static bool get_int(FILE *f, int *v) {
    int32_t x;
    if (fread(&x, sizeof x, 1, f) != 1) return false;
    *v = x;
    return true;
}

bool wire_shape_valid(const WireShape *s) {
    if (s->n_in < 0 || s->n_in > WIRE_MAX_ARRAYS || s->n_out < 1 || s->n_out > WIRE_MAX_ARRAYS || s->n_ints < 0 ||
        s->n_ints > WIRE_MAX_INTS)
        return false;
    for (int k = 0; k < s->n_in; k++)
        if (s->in_len[k] < 0 || s->in_len[k] > WIRE_MAX_LEN) return false;
    for (int k = 0; k < s->n_out; k++)
        if (s->out_len[k] < 0 || s->out_len[k] > WIRE_MAX_LEN) return false;
    return true;
}

bool wire_write_shape(FILE *f, const WireShape *s) {
    bool ok = put_int(f, (int)WIRE_MAGIC) && put_int(f, s->n_in) && put_int(f, s->n_ints) && put_int(f, s->n_out);
    for (int k = 0; k < s->n_in; k++) ok = ok && put_int(f, s->in_len[k]);
    for (int k = 0; k < s->n_ints; k++) ok = ok && put_int(f, s->ints[k]);
    for (int k = 0; k < s->n_out; k++) ok = ok && put_int(f, s->out_len[k]);
    return ok;
}

bool wire_read_shape(FILE *f, WireShape *s) {
    int magic;
    *s = (WireShape){0};
    if (!get_int(f, &magic) || (uint32_t)magic != WIRE_MAGIC || !get_int(f, &s->n_in) || !get_int(f, &s->n_ints) ||
        !get_int(f, &s->n_out))
        return false;
    if (s->n_in < 0 || s->n_in > WIRE_MAX_ARRAYS || s->n_ints < 0 || s->n_ints > WIRE_MAX_INTS || s->n_out < 0 ||
        s->n_out > WIRE_MAX_ARRAYS)
        return false;
    bool ok = true;
    for (int k = 0; k < s->n_in; k++) ok = ok && get_int(f, &s->in_len[k]);
    for (int k = 0; k < s->n_ints; k++) ok = ok && get_int(f, &s->ints[k]);
    for (int k = 0; k < s->n_out; k++) ok = ok && get_int(f, &s->out_len[k]);
    return ok && wire_shape_valid(s);
}

bool wire_write_doubles(FILE *f, const double *v, int n) {
    return n == 0 || fwrite(v, sizeof *v, (size_t)n, f) == (size_t)n;
}

bool wire_read_doubles(FILE *f, double *v, int n) { return n == 0 || fread(v, sizeof *v, (size_t)n, f) == (size_t)n; }
