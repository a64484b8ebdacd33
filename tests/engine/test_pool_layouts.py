"""Max pooling against a per-window loop: ties, odd sizes and memory layouts.

The 2x2 stride-2 path works by reshape and keeps boolean masks, the other sizes keep an index;
both must pick the first maximum of each window in row-major order (as PyTorch), send delta
there, and return dE/dx in the input's memory order (channel-major after a convolution,
channels-last in the detection model).
"""

import numpy as np
import pytest

from engine.layers import max_pool_argmax, max_pool_backward, max_pool_forward


def reference(x, k, s, delta):
    m, C, H, W = x.shape
    Ho, Wo = (H - k) // s + 1, (W - k) // s + 1
    u = np.zeros((m, C, Ho, Wo))
    arg = np.zeros((m, C, Ho, Wo), np.int64)
    dx = np.zeros(x.shape)
    for n in range(m):
        for c in range(C):
            for y in range(Ho):
                for xx in range(Wo):
                    win = x[n, c, y * s : y * s + k, xx * s : xx * s + k]
                    p = int(np.argmax(win))  # the first maximum in row-major order
                    u[n, c, y, xx] = win.flat[p]
                    arg[n, c, y, xx] = p
                    dx[n, c, y * s + p // k, xx * s + p % k] += delta[n, c, y, xx]
    return u, arg, dx


LAYOUTS = {
    "sample-major": lambda a: a,
    "channel-major": lambda a: np.ascontiguousarray(a.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3),
    "channels-last": lambda a: np.ascontiguousarray(a.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("k,s", [(2, 2), (3, 3), (2, 1), (3, 2)])
@pytest.mark.parametrize("shape", [(2, 3, 6, 8), (1, 2, 7, 5)])
def test_max_pool_matches_a_window_loop(layout, k, s, shape):
    rng = np.random.default_rng(hash((layout, k, s, shape)) % 2**32)
    x = LAYOUTS[layout](rng.integers(-2, 3, size=shape).astype(np.float32))  # many ties
    u, cache = max_pool_forward(x, k, s)
    delta = rng.normal(size=u.shape).astype(np.float32)
    ref_u, ref_arg, ref_dx = reference(x, k, s, delta)
    np.testing.assert_array_equal(u, ref_u)
    np.testing.assert_array_equal(max_pool_argmax(cache), ref_arg)
    dx = max_pool_backward(delta, cache)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-6, atol=1e-6)
    assert dx.dtype == np.float32
    if min(u.shape) > 1:  # (an axis of length 1 has no place in the memory order)
        by_stride = sorted(range(4), key=lambda a: -x.strides[a])
        assert sorted(range(4), key=lambda a: -dx.strides[a]) == by_stride
