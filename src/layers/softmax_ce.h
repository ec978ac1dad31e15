#ifndef WORKBOOK_SOFTMAX_CE_H
#define WORKBOOK_SOFTMAX_CE_H
// Softmax with cross-entropy over a batch, the mean over the batch.
//   logits z is (N,K) row-major, labels y holds N class indices in [0, K).
//   p[b,k] = exp(z[b,k] − m_b) / Σ_j exp(z[b,j] − m_b),   m_b = max_j z[b,j]
//   L = (1/N) Σ_b (m_b + log Σ_j exp(z[b,j] − m_b) − z[b,y_b])
// Subtracting m_b (the log-sum-exp shift) changes nothing in exact
// arithmetic, and keeps every exp in (0, 1]: exp(z) itself overflows to
// inf from z ≈ 709.8 on. Buffers are the caller's.

// Writes p (N,K) and returns L; *scale (may be NULL) receives the sum of
// the magnitudes of the terms L adds, (1/N) Σ_b (|m_b| + |log Σ| + |z_y|).
double softmax_ce_forward(double *p, double *scale, const double *z, const int *y, int n, int k);
// dz += (p − onehot(y)) / N.
void softmax_ce_backward(double *dz, const double *p, const int *y, int n, int k);
#endif
