"""Opening a model-zoo model's task in the playground (/playground/?model=<id>).

The model's ONNX file becomes an engine network (engine.onnx.load through
nnweb.modelzoo.services.load_network); its data is the dataset it was trained on when nnweb
trained it (an uploaded dataset the user may see, or a built-in one), else the 2-D toy chosen
in the settings for a network with two inputs.
"""

from __future__ import annotations

from nnweb.datasets.selectors import visible_datasets
from nnweb.datasets.services import load_arrays
from nnweb.modelzoo import selectors as zoo_selectors
from nnweb.modelzoo import services as zoo
from nnweb.training.builtins import load_builtin

from .config import Config, ConfigError
from .data import PlaygroundData, build
from .data import load as load_toy


def _dense_only(net) -> None:
    for l, layer in enumerate(net.layers, start=1):
        if type(layer).__name__ != "Dense":
            raise ConfigError(
                "model",
                f"the playground steps fully connected networks; layer {l} of this model is "
                f"a {type(layer).__name__}",
            )


def _run_data(model, user, cfg: Config) -> tuple | None:
    run = model.training_runs.order_by("-id").first() if hasattr(model, "training_runs") else None
    if run is None:
        return None
    if run.dataset_id is not None:
        ds = visible_datasets(user).filter(pk=run.dataset_id).first()
        if ds is not None:
            X, y, meta = load_arrays(ds)
            names = (meta or {}).get("class_names") or []
            return X, y, f"dataset {ds.name!r}", names
    if run.builtin:
        try:
            X, y, meta = load_builtin(run.builtin)
        except KeyError:
            return None
        return X, y, f"built-in {run.builtin!r}", meta.get("class_names") or []
    return None


def model_network(model_id, user, cfg: Config) -> tuple[object, PlaygroundData, Config]:
    """(engine network, data, config describing them) for model ``model_id``."""

    try:
        model = zoo_selectors.get_model(model_id, user)
    except Exception:  # noqa: BLE001 - DoesNotExist, bad id
        raise ConfigError("model", f"no model {model_id!r} in the model zoo") from None
    if model.task not in ("classification", "regression"):
        raise ConfigError("model", f"a {model.get_task_display()} model has no playground task")
    try:
        net = zoo.load_network(model).net
    except ValueError as exc:
        raise ConfigError("model", str(exc)) from None
    _dense_only(net)
    problem = model.task
    cfg = Config(**{**cfg.to_dict(), "problem": problem})
    found = _run_data(model, user, cfg)
    n_in = net.layers[0].n_in
    if found is not None:
        X, y, source, names = found
        data = build(cfg, X, y, source, names or model.class_names)
        if data.n_inputs != n_in:
            raise ConfigError(
                "model", f"the model takes {n_in} inputs, its data has {data.n_inputs}"
            )
        features = ["x1", "x2"] if data.n_inputs == 2 else cfg.features
    elif n_in == 2 or (n_in == len(cfg.features)):
        data = load_toy(cfg, user)
        features = cfg.features if len(cfg.features) == n_in else ["x1", "x2"]
    else:
        raise ConfigError(
            "model", f"no data for this model's task ({n_in} inputs) is available to you"
        )
    cfg = Config(
        **{
            **cfg.to_dict(),
            "dataset": f"model:{model.pk}",
            "features": features,
            "hidden": [layer.n_out for layer in net.layers[:-1]],
            "activations": [layer.activation for layer in net.layers[:-1]],
            "added": [],
            "removed": [],
        }
    )
    if problem == "classification" and net.loss != "cross_entropy":
        raise ConfigError("model", "a classification model needs a softmax output layer")
    return net, data, cfg
