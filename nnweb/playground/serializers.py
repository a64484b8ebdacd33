"""What the playground accepts, REST and websocket alike: one DRF serializer per body.

The action serializers (one per action, picked by its ``action`` name) check each message's
types and ranges before ``actions.dispatch`` runs it; what depends on the session (a sample
index below the number of samples, a parameter's shape) is checked by the action itself.
Settings go through ``ConfigSerializer``, whose one rule set is ``config.validate`` (the same
rules apply to saved experiments and classroom links), so a refusal reads as a student would
say it: ``hidden layer 2: '4x' is not a whole number``. Its declared fields type the settings in
the OpenAPI schema.

A refusal is a DRF ValidationError: the REST views answer it in the API's one error shape and
the websocket sends the same error items (errors.error_items).
"""

from __future__ import annotations

import math

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from . import config as cfgmod
from . import features
from .controls import HIDEABLE_CONTROLS
from .errors import dotted


class ConfigSerializer(serializers.Serializer):
    """The playground's settings (every one optional: missing ones keep their value)."""

    dataset = serializers.CharField(
        required=False, max_length=100, help_text="a toy data set or dataset:<id>"
    )
    noise = serializers.FloatField(required=False, min_value=0, max_value=1)
    n_samples = serializers.IntegerField(required=False, min_value=4, max_value=cfgmod.MAX_SAMPLES)
    train_ratio = serializers.FloatField(required=False, min_value=0.1, max_value=0.9)
    features = serializers.ListField(
        child=serializers.ChoiceField(choices=list(features.FEATURES)), required=False
    )
    hidden = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=cfgmod.MAX_WIDTH),
        max_length=cfgmod.MAX_LAYERS,
        required=False,
        help_text="neurons per hidden layer",
    )
    activations = serializers.ListField(
        child=serializers.ChoiceField(choices=list(cfgmod.HIDDEN_ACTIVATIONS)), required=False
    )
    problem = serializers.ChoiceField(choices=list(cfgmod.PROBLEMS), required=False)
    init = serializers.ChoiceField(choices=list(cfgmod.INITS), required=False)
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    lr = serializers.FloatField(required=False, min_value=0, max_value=10)
    batch_size = serializers.IntegerField(required=False, min_value=1, max_value=cfgmod.MAX_SAMPLES)
    momentum = serializers.FloatField(required=False, min_value=0, max_value=0.99)
    l2 = serializers.FloatField(required=False, min_value=0, max_value=1)
    speed = serializers.IntegerField(required=False, min_value=1, max_value=cfgmod.MAX_SPEED)
    fps = serializers.IntegerField(required=False, min_value=1, max_value=cfgmod.MAX_FPS)
    added = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=3, max_length=3),
        max_length=cfgmod.MAX_EDITS,
        required=False,
        help_text="points added by hand: [x1, x2, target]",
    )
    removed = serializers.ListField(
        child=serializers.IntegerField(min_value=0), required=False, help_text="points removed"
    )

    def to_internal_value(self, data) -> dict:
        """The settings as given, once ``config.validate`` accepts them (against the session's
        current settings, ``context["base"]``, and the limits of ``context["anonymous"]``)."""
        try:
            cfgmod.validate(
                data,
                anonymous=self.context.get("anonymous", True),
                base=self.context.get("base"),
            )
        except cfgmod.ConfigError as exc:
            if exc.field == "config":  # not an object at all: the error is about "config"
                raise serializers.ValidationError([str(exc)]) from None
            raise serializers.ValidationError({dotted(exc.field): [str(exc)]}) from None
        return data


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class MessageIdField(serializers.Field):
    """A client's message id, echoed in the reply (a string or a number)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            raise serializers.ValidationError("must be a string or a number")
        return data

    def to_representation(self, value):
        return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise serializers.ValidationError("must be a finite number")
    return value


class ActionSerializer(serializers.Serializer):
    """Every action message: its name and an optional id echoed in the reply."""

    action = serializers.CharField()  # each action's own serializer narrows it to its name
    id = MessageIdField(required=False)


class SampleActionSerializer(ActionSerializer):
    sample = serializers.IntegerField(
        required=False, min_value=0, help_text="training sample index (default: the selected one)"
    )


class SelectSerializer(SampleActionSerializer):
    samples = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        min_length=1,
        max_length=cfgmod.MAX_SAMPLES,
        help_text="several training samples (a mini-batch)",
    )


class ConfigureSerializer(ActionSerializer):
    config = ConfigSerializer()


class SetParamSerializer(ActionSerializer):
    name = serializers.CharField(max_length=8, help_text="W1, b1, W2, ...")
    index = serializers.ListField(
        child=serializers.IntegerField(min_value=0), min_length=1, max_length=2
    )
    value = serializers.FloatField(min_value=-1e6, max_value=1e6, validators=[_finite])


class AddPointSerializer(ActionSerializer):
    point = serializers.ListField(
        child=serializers.FloatField(min_value=-1e6, max_value=1e6, validators=[_finite]),
        min_length=3,
        max_length=3,
        help_text="[x1, x2, target]",
    )


class RemovePointSerializer(ActionSerializer):
    index = serializers.IntegerField(min_value=0, help_text="a row of the state's data")


class SaveSerializer(ActionSerializer):
    name = serializers.CharField(max_length=120)
    experiment = serializers.IntegerField(
        required=False, allow_null=True, help_text="an experiment of yours to overwrite"
    )


def action_request_schema(serializers_by_action: dict) -> PolymorphicProxySerializer:
    """The REST action body in the schema: one of the action serializers, by ``action``."""
    return PolymorphicProxySerializer(
        component_name="PlaygroundAction",
        serializers=serializers_by_action,
        resource_type_field_name="action",
    )


class SessionCreateSerializer(serializers.Serializer):
    """Open a session from settings, a saved experiment, a model or a classroom link."""

    config = ConfigSerializer(required=False)
    experiment = serializers.IntegerField(required=False, allow_null=True)
    model = serializers.IntegerField(required=False, allow_null=True)
    classroom = serializers.CharField(required=False, allow_null=True, max_length=64)


class ExperimentSaveSerializer(serializers.Serializer):
    session = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=120)
    experiment = serializers.IntegerField(
        required=False, allow_null=True, help_text="an experiment of yours to overwrite"
    )


class ClassroomLinkCreateSerializer(serializers.Serializer):
    config = ConfigSerializer(required=False)
    hide = serializers.ListField(
        child=serializers.ChoiceField(
            choices=list(HIDEABLE_CONTROLS),
            error_messages={
                "invalid_choice": f"unknown control '{{input}}'; controls: "
                f"{', '.join(HIDEABLE_CONTROLS)}"
            },
        ),
        required=False,
        help_text="controls the link turns off",
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
