#ifndef WORKBOOK_EXAMPLE_H
#define WORKBOOK_EXAMPLE_H
// The running example shared by the chapters, so that they tell one story:
//   chapter 1: X ⋆ K = [23 14 25; 27 29 35]            (the article's feature map)
//   chapter 4: 2x2 max-pool, stride 1 → [29 35]          (the article's pooling)
//   chapter 3: z = W·[29 35] + b = 0.5, ŷ = σ(0.5), y = 1 (a dense layer + BCE)
//   chapter 5: the gradient flows back to X and K
//   chapter 6: all of it at once
// W is small so that z = 0.05·29 − 0.03·35 + 0.1 = 0.5 and the sigmoid does
// not saturate: the pooled values are used unscaled.

#define EXAMPLE_X_H 3
#define EXAMPLE_X_W 4
#define EXAMPLE_K_SIZE 2
#define EXAMPLE_POOL_SIZE 2
#define EXAMPLE_POOL_STRIDE 1

extern const double EXAMPLE_X[EXAMPLE_X_H * EXAMPLE_X_W];        // [8 9 2 7; 0 3 0 8; 8 8 9 9]
extern const double EXAMPLE_K[EXAMPLE_K_SIZE * EXAMPLE_K_SIZE]; // [1 1; 1 2]
extern const double EXAMPLE_FEATURE_MAP[2 * 3];                 // [23 14 25; 27 29 35]
extern const double EXAMPLE_POOLED[2];                          // [29 35]
extern const double EXAMPLE_W[2];                               // dense weights, 1x2: [0.05 -0.03]
extern const double EXAMPLE_B;                                  // dense bias: 0.1
extern const double EXAMPLE_Y;                                  // label: 1

#endif
