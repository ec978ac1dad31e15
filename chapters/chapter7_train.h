#ifndef CHAPTER7_TRAIN_H
#define CHAPTER7_TRAIN_H
// Chapter 7's options, data and section 7.7: mini-batch SGD with momentum on
// the ten UCI digits, the loss per epoch, the confusion matrix and the
// per-class accuracy on the held-out images, and the --plot files.
#include "chapter7_net.h"
#include "dataset.h"
#include "options.h"
#include "report.h"

#define DEFAULT_DATA "data/digits-10.csv"
#define DEFAULT_C1 8
#define DEFAULT_C2 16
#define MAX_CHANNELS 64
#define DEFAULT_EPOCHS 20
#define MAX_EPOCHS 1000
#define DEFAULT_BATCH 32
#define DEFAULT_LR 0.05
#define LR_MAX 10.0

// SGD with momentum 0.9, the usual choice: about 10 batches' gradients add up.
#define MOMENTUM 0.9

// A fifth of the images held out for testing.
#define TEST_FRACTION 0.2

// Training as the options ask (defaults above).
typedef struct {
    const char *data_path;
    int epochs, batch, c1, c2, images;
    double lr;
} TrainConfig;

// From the texts of --data, --epochs, --batch, --lr, --channels and --images
// (v[0..5], NULL when absent), validated (exits 2 on a bad one).
TrainConfig config_from(const char *const *v);

// The images of c.data_path, split into train and test (a seeded shuffle).
void load_data(Dataset *train, Dataset *test, const TrainConfig *c, uint64_t seed);

typedef struct {
    int done; // epochs run (fewer than asked when the loss stopped being finite)
    double *train_loss, *test_loss, *test_acc; // epochs + 1 entries (0: before training)
    int confusion[CLASSES][CLASSES];           // [true][predicted] on the test set, after training
} History;

typedef struct {
    const Arch *a;
    Acts t;
    double *theta, *grads, *velocity, *scratch, *bx;
    int *by;
    Bug bug;
} Trainer;

// Section 7.7: trains a fresh network on trs with the bug, tests it on te.
void section_7_7_training(Report *r, const Arch *a, const Dataset *trs, const Dataset *te,
                          const TrainConfig *c, const CommonOptions *opt, Bug bug);

#endif
