"""What the playground sends, REST and websocket alike: its replies as serializers.

These serializers are never used to build a reply (session.py builds them as dicts of NumPy
arrays, which orjson writes as they are): they document each reply's shape, so the OpenAPI
schema carries them as named components (nnweb.core.ws_schema) and the front end's types are
generated from them (frontend/ts/playground/types.ts). tests/web/playground/test_messages.py
validates real replies against the components, so the documented shape cannot drift from the
sent one.

Names follow the lecture notes: ``u`` and ``a`` per layer, ``delta`` (δ), ``dE_da``, ``dE_dW``,
``dE_db``; ``a0`` is the input a^(0) and ``y_hat`` the output ŷ = a^(L).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .serializers import ConfigSerializer


def _choice(*values: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[(v, v) for v in values])


def matrix(**kw) -> serializers.ListField:
    return serializers.ListField(child=serializers.ListField(child=serializers.FloatField()), **kw)


def vector(**kw) -> serializers.ListField:
    return serializers.ListField(child=serializers.FloatField(), **kw)


def history_point(**kw) -> serializers.ListField:
    """``[iteration, train E, test E, train accuracy, test accuracy]`` (null where a number
    does not apply: no test set, or accuracy in regression)."""
    return serializers.ListField(child=serializers.FloatField(allow_null=True), **kw)


_MATRIX = {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}
_VECTOR = {"type": "array", "items": {"type": "number"}}


@extend_schema_field({"oneOf": [_MATRIX, _VECTOR]})
class MatrixOrVectorField(serializers.JSONField):
    """A weight matrix W^(l) or a bias vector b^(l); targets: class indices or a matrix."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"oneOf": [{"type": "array", "items": _MATRIX}, _MATRIX]},
    }
)
class PerSampleField(serializers.JSONField):
    """Per-sample gradients of a mini-batch: each parameter's gradient for every sample."""


def param_dict(**kw) -> serializers.DictField:
    """``{"W1": matrix, "b1": vector, ...}``: one entry per parameter, named as the notes do."""
    return serializers.DictField(child=MatrixOrVectorField(), **kw)


class PlaygroundSettingsSerializer(ConfigSerializer):
    """The playground's settings as the server holds them: every field present."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = True
        return fields


class LayerViewSerializer(serializers.Serializer):
    """One layer's numbers, as far as the forward and backward passes have been revealed."""

    l = serializers.IntegerField()  # noqa: E741 - the notes' layer index
    activation = serializers.CharField()
    n_in = serializers.IntegerField()
    n_out = serializers.IntegerField()
    u = matrix(required=False)
    a = matrix(required=False)
    f_prime = matrix(required=False, help_text="f′(u) as the engine computes it (not softmax)")
    dE_da = matrix(required=False, allow_null=True)
    delta = matrix(required=False)
    dE_dW = matrix(required=False)
    dE_db = vector(required=False)


class PlaygroundSelectionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="'sample' or 'batch'")
    indices = serializers.ListField(child=serializers.IntegerField())
    x = matrix()
    t = MatrixOrVectorField(help_text="targets: class indices, or a matrix for regression")


class PlaygroundStageMessageSerializer(serializers.Serializer):
    """The numbers revealed so far for the chosen sample or mini-batch (every stepping action)."""

    type = _choice("stage")
    action = serializers.CharField()
    phase = _choice("idle", "forward", "backward", "updated")
    l = serializers.IntegerField(allow_null=True)  # noqa: E741
    L = serializers.IntegerField()
    forward_done = serializers.IntegerField()
    backward_done = serializers.IntegerField()
    next = _choice("forward", "backward", "update")
    iteration = serializers.IntegerField()
    epoch = serializers.IntegerField()
    selection = PlaygroundSelectionSerializer()
    m = serializers.IntegerField(help_text="samples in the selection")
    layers = LayerViewSerializer(many=True)
    a0 = matrix(required=False)
    trace_params = param_dict(required=False, help_text="the weights the traced pass used")
    loss = serializers.FloatField(required=False)
    losses = vector(required=False)
    y_hat = matrix(required=False)
    update = param_dict(required=False, help_text="what the last update changed")
    params = param_dict(required=False, help_text="the weights now")
    per_sample = PerSampleField(required=False)
    mean = param_dict(required=False)
    metrics = history_point(required=False, allow_null=True, help_text="the last history point")


class NetworkViewSerializer(serializers.Serializer):
    sizes = serializers.ListField(child=serializers.IntegerField())
    activations = serializers.ListField(child=serializers.CharField())
    loss = _choice("cross_entropy", "half_sse")
    inputs = serializers.ListField(child=serializers.CharField())
    input_labels = serializers.ListField(child=serializers.CharField())
    fixed = serializers.BooleanField(help_text="an imported model: its layers cannot change")


class PlaygroundDataSerializer(serializers.Serializer):
    source = serializers.CharField()
    problem = _choice("classification", "regression")
    n_classes = serializers.IntegerField()
    class_names = serializers.ListField(child=serializers.CharField())
    X = matrix()
    y = MatrixOrVectorField()
    train_idx = serializers.ListField(child=serializers.IntegerField())
    test_idx = serializers.ListField(child=serializers.IntegerField())
    extent = serializers.ListField(child=vector(), allow_null=True)
    n_inputs = serializers.IntegerField()


class PlaygroundMetricsSerializer(serializers.Serializer):
    train_loss = serializers.FloatField()
    test_loss = serializers.FloatField(allow_null=True)
    train_acc = serializers.FloatField(allow_null=True)
    test_acc = serializers.FloatField(allow_null=True)


class PlaygroundStateMessageSerializer(serializers.Serializer):
    """The whole session: what a page draws from scratch (on opening, after a change of data
    set or network)."""

    type = _choice("state")
    session = serializers.CharField()
    config = PlaygroundSettingsSerializer()
    limits = serializers.DictField(child=serializers.IntegerField())
    network = NetworkViewSerializer()
    params = param_dict()
    data = PlaygroundDataSerializer()
    grid = serializers.IntegerField(allow_null=True)
    thumb = serializers.IntegerField(allow_null=True)
    curve = serializers.IntegerField(allow_null=True)
    iteration = serializers.IntegerField()
    epoch = serializers.IntegerField()
    playing = serializers.BooleanField()
    history = serializers.ListField(child=history_point())
    metrics = PlaygroundMetricsSerializer(help_text="of the network now, on the data now")
    stage = PlaygroundStageMessageSerializer()


class PlaygroundMetricsMessageSerializer(PlaygroundMetricsSerializer):
    """After training by mini-batches or epochs (and play/pause): the numbers and the weights."""

    type = _choice("metrics")
    action = serializers.CharField()
    iteration = serializers.IntegerField()
    epoch = serializers.IntegerField()
    playing = serializers.BooleanField()
    history = serializers.ListField(child=history_point(), help_text="the last 200 points")
    params = param_dict()


class GradcheckEntrySerializer(serializers.Serializer):
    index = serializers.ListField(child=serializers.IntegerField())
    backprop = serializers.FloatField()
    numeric = serializers.FloatField()


class GradcheckRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    rel_error = serializers.FloatField()
    ok = serializers.BooleanField()
    entries = GradcheckEntrySerializer(many=True)


class PlaygroundGradcheckMessageSerializer(serializers.Serializer):
    """Back propagation's gradients beside central differences, per parameter."""

    type = _choice("gradcheck")
    selection = serializers.ListField(child=serializers.IntegerField())
    eps = serializers.FloatField()
    ok = serializers.BooleanField()
    rows = GradcheckRowSerializer(many=True)


MESSAGES = [
    PlaygroundStageMessageSerializer,
    PlaygroundStateMessageSerializer,
    PlaygroundMetricsMessageSerializer,
    PlaygroundGradcheckMessageSerializer,
]
