"""What the playground's REST views answer, as serializers (the socket's messages are in
messages.py; the REST replies reuse them).

Like messages.py these serializers only document: the views build their replies as dicts
(NumPy arrays included) and orjson writes them. They give each response body a named schema
component, so the front end's types are generated from them, and
tests/web/playground/test_rest_schema.py validates real responses against those components.
"""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from . import config as cfgmod
from .controls import HIDEABLE_CONTROLS
from .messages import (
    PlaygroundGradcheckMessageSerializer,
    PlaygroundMetricsMessageSerializer,
    PlaygroundMetricsSerializer,
    PlaygroundSettingsSerializer,
    PlaygroundStageMessageSerializer,
    PlaygroundStateMessageSerializer,
    history_point,
    param_dict,
)


def _const(*values: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=[(v, v) for v in values])


# --- GET /api/playground/options/ ----------------------------------------------------------
class PlaygroundDatasetOptionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="a toy data set, or dataset:<id> for an upload")
    problem = serializers.CharField(
        allow_null=True, help_text="classification or regression (an upload's task)"
    )
    description = serializers.CharField()


class PlaygroundFeatureOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField(help_text="as the page writes it: x₁², sin(x₁) ...")


class PlaygroundLimitsSerializer(serializers.Serializer):
    """The limits in force for the caller (visitors have smaller ones): config.limits."""

    max_layers = serializers.IntegerField()
    max_width = serializers.IntegerField()
    max_samples = serializers.IntegerField()
    max_speed = serializers.IntegerField()
    max_fps = serializers.IntegerField()


class PlaygroundOptionsSerializer(serializers.Serializer):
    """What the controls offer: data sets, input features, activations, the limits."""

    datasets = PlaygroundDatasetOptionSerializer(many=True)
    features = PlaygroundFeatureOptionSerializer(many=True)
    activations = serializers.ListField(child=_const(*cfgmod.HIDDEN_ACTIVATIONS))
    problems = serializers.ListField(child=serializers.CharField())
    inits = serializers.ListField(child=serializers.CharField())
    limits = PlaygroundLimitsSerializer()
    defaults = PlaygroundSettingsSerializer()
    hideable = serializers.ListField(child=_const(*HIDEABLE_CONTROLS))


# --- experiments ---------------------------------------------------------------------------
class ExperimentSummarySerializer(serializers.Serializer):
    """One saved experiment in a list (``Experiment.summary()``)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    dataset = serializers.CharField(allow_null=True)
    hidden = serializers.ListField(child=serializers.IntegerField(), allow_null=True)
    iteration = serializers.IntegerField()
    last = history_point(allow_null=True, help_text="the last history point")
    created = serializers.DateTimeField(allow_null=True)
    updated = serializers.DateTimeField(allow_null=True)


class ExperimentListSerializer(serializers.Serializer):
    experiments = ExperimentSummarySerializer(many=True, help_text="newest first")


class ExperimentSavedSerializer(serializers.Serializer):
    """A session saved as an experiment (POST /experiments/, or the "save" action)."""

    type = _const("saved")
    experiment = ExperimentSummarySerializer()


class NetworkSpecLayerSerializer(serializers.Serializer):
    """One layer of the engine's ``Sequential.spec()``: its type and its arguments."""

    type = serializers.CharField(help_text="Dense, ...")


class NetworkSpecSerializer(serializers.Serializer):
    """The architecture an experiment rebuilds (engine ``Sequential.spec()``)."""

    format = serializers.CharField(help_text="nnweb.engine.sequential/1")
    loss = serializers.CharField()
    dtype = serializers.CharField()
    seed = serializers.IntegerField(allow_null=True)
    init = serializers.JSONField(help_text="the initialiser, as engine.init describes it")
    layers = NetworkSpecLayerSerializer(many=True)


class ExperimentDetailSerializer(ExperimentSummarySerializer):
    """One experiment with everything it reopens with."""

    config = PlaygroundSettingsSerializer()
    network = NetworkSpecSerializer()
    params = param_dict()
    history = serializers.ListField(child=history_point())


# --- classroom links -----------------------------------------------------------------------
class ClassroomLinkSerializer(serializers.Serializer):
    """A classroom link (``ClassroomLink.as_dict()``): its settings and the controls it hides."""

    id = serializers.IntegerField()
    token = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    config = PlaygroundSettingsSerializer()
    hide = serializers.ListField(child=_const(*HIDEABLE_CONTROLS))
    url = serializers.CharField(help_text="the playground page opened through the link")
    created = serializers.DateTimeField(allow_null=True)


class ClassroomLinkListSerializer(serializers.Serializer):
    links = ClassroomLinkSerializer(many=True)


# --- POST /api/playground/sessions/<id>/actions/ -------------------------------------------
class EncodedArraySerializer(serializers.Serializer):
    """One array of a REST frame (frames.encode_arrays_b64)."""

    dtype = serializers.CharField(help_text="f4, u1, ... (little-endian)")
    shape = serializers.ListField(child=serializers.IntegerField())
    b64 = serializers.CharField(help_text="the array's bytes in C order, base64")


class PlaygroundFrameReplySerializer(PlaygroundMetricsSerializer):
    """A play frame over REST ("frame", and "play" which trains one frame's worth): its numbers
    and its heavy arrays base64-encoded (out, out_range, neurons, neuron_range, curve_x,
    curve, and each parameter W1, b1 ...). The socket sends the same frame as binary."""

    # labelled, so that its choice set is not the "frame" action's (one enum each)
    type = serializers.ChoiceField(choices=[("frame", "a play frame")])
    iteration = serializers.IntegerField()
    epoch = serializers.IntegerField()
    playing = serializers.BooleanField()
    grid = serializers.IntegerField(allow_null=True, help_text="points per side of the grid")
    thumb = serializers.IntegerField()
    arrays = serializers.DictField(child=EncodedArraySerializer())


ACTION_REPLY = PolymorphicProxySerializer(
    component_name="PlaygroundActionReply",
    serializers={
        "state": PlaygroundStateMessageSerializer,
        "stage": PlaygroundStageMessageSerializer,
        "metrics": PlaygroundMetricsMessageSerializer,
        "gradcheck": PlaygroundGradcheckMessageSerializer,
        "frame": PlaygroundFrameReplySerializer,
        "saved": ExperimentSavedSerializer,
    },
    resource_type_field_name="type",
)
"""The reply to one action, by its ``type`` (the socket sends the same ones, frames as binary)."""
