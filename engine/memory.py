"""Keep freed array memory in the process for the next training step (glibc malloc only).

One training step of a small CNN allocates and frees tens of MB of arrays (im2col matrices,
activations, deltas). With glibc's default malloc settings many of them are mapped fresh from
the kernel and given back when freed (large blocks are mmap'ed, the top of the heap is
trimmed), so the next step page-faults on new, kernel-zeroed pages again: measured on the
engine_vs_torch.py CNNs, about 2,500 (LeNet-like) and 5,500 (3x32x32 net) page faults per step
and 30-45 % of the step's CPU time spent in the kernel. Raising the mmap threshold to 32 MiB
(blocks below it come from the heap) and the trim threshold to 128 MiB (that much free heap is
kept) lets every step reuse the previous step's memory: no page faults after the first step.
The cost is that a process which trained keeps up to that much freed memory for reuse.

``keep_freed_memory()`` runs once when ``engine`` is imported. It does nothing where the C
library is not glibc, or when the environment sets ``NNWEB_ENGINE_DEFAULT_MALLOC=1``.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 128 << 20

_done: bool | None = None


def keep_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds (see the module docstring); True if they were set
    (now or by an earlier call)."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if not sys.platform.startswith("linux") or os.environ.get("NNWEB_ENGINE_DEFAULT_MALLOC"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        if not hasattr(libc, "gnu_get_libc_version"):  # musl and others: leave them alone
            return False
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return _done
