#!/usr/bin/env python3
"""Times torch.autograd.gradcheck on chapter 6's network, for comparison with
`make bench` (issue 9's reference ratio). Optional: needs PyTorch (Debian:
apt-get install python3-torch, then run with /usr/bin/python3). Never run by
make check.

The network: conv (C kernels KxK, one input channel, bias, valid, stride 1)
-> 2x2 max-pool, stride 1 -> flatten -> dense to 1 (with bias) -> sigmoid ->
BCE against y = 1, in float64. gradcheck checks every input entry and every
parameter, like the C full check (P entries). Seeded random values, so no
ties in the max-pool. One thread; the median over repetitions lasting at
least 0.2 s per figure.
"""
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("error: PyTorch is not installed; run: sudo apt-get install python3-torch "
             "(and use /usr/bin/python3)")

MIN_TOTAL_SECONDS = 0.2
SIZES = [(3, 4, 2, 1), (8, 8, 3, 4), (16, 16, 3, 8)]


def loss(x, w, b, dw, db):
    a = F.conv2d(x, w, b)
    p = F.max_pool2d(a, 2, stride=1).flatten(1)
    z = F.linear(p, dw, db)
    return F.binary_cross_entropy_with_logits(z, torch.ones_like(z))


def median_seconds(fn):
    samples, start = [], time.perf_counter()
    while len(samples) < 5 or time.perf_counter() - start < MIN_TOTAL_SECONDS:
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(42)
    for h, w, k, c in SIZES:
        ph, pw = h - k, w - k
        flat = c * ph * pw

        def rand(*shape, lo=-0.5, hi=0.5):
            t = torch.rand(*shape, generator=gen, dtype=torch.float64) * (hi - lo) + lo
            return t.requires_grad_()

        args = (rand(1, 1, h, w, lo=0.0, hi=1.0), rand(c, 1, k, k), rand(c), rand(1, flat), rand(1))
        p = sum(a.numel() for a in args)
        assert torch.autograd.gradcheck(loss, args)
        t = median_seconds(lambda: torch.autograd.gradcheck(loss, args))
        print(f"torch input={h}x{w} kernel={k} channels={c} params={p} gradcheck_us={t * 1e6:.1f} "
              f"torch={torch.__version__}")


if __name__ == "__main__":
    main()
