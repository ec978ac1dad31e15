#ifndef WORKBOOK_BATCHNORM_H
#define WORKBOOK_BATCHNORM_H
// Batch normalisation of N samples of D features, feature by feature.
//   x, y, xhat are (N,D) row-major; gamma, beta, mean, var are (D).
// Training mode (batch statistics):
//   μ_d = (1/N) Σ_b x[b,d]      σ²_d = (1/N) Σ_b (x[b,d] − μ_d)²   (biased)
//   x̂[b,d] = (x[b,d] − μ_d) / √(σ²_d + ε)     y[b,d] = γ_d x̂[b,d] + β_d
// Test mode uses running averages instead of the batch's statistics.
// Buffers are the caller's; backward accumulates with +=.

// Writes y, xhat, and the batch's mean and (biased) variance.
void batchnorm_forward_train(double *y, double *xhat, double *mean, double *var, const double *x,
                             const double *gamma, const double *beta, int n, int d, double eps);
// The compact closed form, with σ_d = √(σ²_d + ε):
//   dx[b,d] += (1/N) (γ_d/σ_d) (N dy[b,d] − Σ_b' dy[b',d] − x̂[b,d] Σ_b' dy[b',d] x̂[b',d])
//   dgamma_d += Σ_b dy[b,d] x̂[b,d]        dbeta_d += Σ_b dy[b,d]
void batchnorm_backward(double *dx, double *dgamma, double *dbeta, const double *dy, const double *xhat,
                        const double *var, const double *gamma, int n, int d, double eps);
// Running averages, as PyTorch keeps them (momentum m, 0.1 there):
//   run_mean ← (1 − m) run_mean + m μ    run_var ← (1 − m) run_var + m σ² N/(N − 1)
// (the unbiased variance; with N = 1 the biased one, 0, is used).
void batchnorm_update_running(double *run_mean, double *run_var, const double *mean, const double *var, int n,
                              int d, double momentum);
// Test mode: y[b,d] = γ_d (x[b,d] − run_mean_d) / √(run_var_d + ε) + β_d.
void batchnorm_forward_eval(double *y, const double *x, const double *gamma, const double *beta,
                            const double *run_mean, const double *run_var, int n, int d, double eps);
#endif
