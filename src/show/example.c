#include "example.h"

const double EXAMPLE_X[EXAMPLE_X_H * EXAMPLE_X_W] = {8, 9, 2, 7, 0, 3, 0, 8, 8, 8, 9, 9};
const double EXAMPLE_K[EXAMPLE_K_SIZE * EXAMPLE_K_SIZE] = {1, 1, 1, 2};
const double EXAMPLE_FEATURE_MAP[2 * 3] = {23, 14, 25, 27, 29, 35};
const double EXAMPLE_POOLED[2] = {29, 35};
const double EXAMPLE_W[2] = {0.05, -0.03};
const double EXAMPLE_B = 0.1;
const double EXAMPLE_Y = 1.0;
