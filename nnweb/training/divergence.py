"""When a run has diverged: non-finite weights, or a loss many orders above where it began.

The engine already stops on a NaN/inf loss (TrainingDiverged). A large learning rate with
high momentum can instead blow the loss up to 1e16 while every number stays finite: such a
network predicts nothing useful and must not be published, so the run fails as diverged.
No run that learns anything ends ``FACTOR`` times above its starting loss, while an
exploding one passes that bound within an epoch or two.
"""

from __future__ import annotations

import math

import numpy as np

from engine import TrainingDiverged

FACTOR = 1e4  # "many orders above its start": four orders of magnitude


def check_weights(params: dict[str, np.ndarray], where: str) -> None:
    """Raise TrainingDiverged naming the first parameter that holds a NaN or inf."""
    for name, v in params.items():
        if not np.isfinite(v).all():
            raise TrainingDiverged(f"parameter {name} became non-finite {where}")


def check_loss(loss: float, start: float, where: str, lr: float, momentum: float) -> None:
    """Raise TrainingDiverged when ``loss`` is not finite or ``FACTOR`` × above ``start``."""
    hint = f"try a smaller learning rate (lr={lr:g}) or momentum ({momentum:g})"
    if not math.isfinite(loss):
        raise TrainingDiverged(f"validation loss became {loss} {where}; {hint}")
    if math.isfinite(start) and loss > FACTOR * max(start, 1e-12):
        raise TrainingDiverged(
            f"validation loss {loss:.3g} {where} is more than {FACTOR:.0e} times its start "
            f"({start:.3g}); {hint}"
        )
