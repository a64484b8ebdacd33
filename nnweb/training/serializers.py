"""Serializers of the training API: the request to start a run and what a run looks like.

The network and optimizer objects are typed here so the schema (and the front end's types)
say what they hold; the exact ranges are checked once, by ``networks.normalize_spec`` and
``services.normalize_optimizer``, whose messages name the field.
"""

from __future__ import annotations

from rest_framework import serializers

from .networks import HIDDEN_ACTIVATIONS, NETWORK_TYPES

WHOLE = {"invalid": "must be a whole number."}
NUMBER = {"invalid": "must be a number."}


class ConvBlockSerializer(serializers.Serializer):
    filters = serializers.IntegerField(error_messages=WHOLE, required=False, help_text="1 to 64")
    kernel = serializers.IntegerField(error_messages=WHOLE, required=False, help_text="1 to 7")
    pool = serializers.IntegerField(error_messages=WHOLE, required=False, help_text="0 (none) to 4")


class NetworkSpecSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(NETWORK_TYPES), required=False, default="mlp")
    hidden = serializers.ListField(
        child=serializers.IntegerField(error_messages=WHOLE),
        required=False,
        help_text="units of each hidden layer",
    )
    activation = serializers.ChoiceField(choices=list(HIDDEN_ACTIVATIONS), required=False)
    conv = ConvBlockSerializer(many=True, required=False, help_text="CNN only: 1 to 4 blocks")
    init = serializers.CharField(required=False, help_text="Mask R-CNN only")


class OptimizerSerializer(serializers.Serializer):
    lr = serializers.FloatField(error_messages=NUMBER, required=False, help_text="learning rate η")
    batch_size = serializers.IntegerField(
        error_messages=WHOLE, required=False, help_text="mini-batch size m"
    )
    momentum = serializers.FloatField(error_messages=NUMBER, required=False)
    l2 = serializers.FloatField(error_messages=NUMBER, required=False, help_text="L2 weight decay")
    epochs = serializers.IntegerField(error_messages=WHOLE, required=False)
    val_fraction = serializers.FloatField(error_messages=NUMBER, required=False)
    seed = serializers.IntegerField(error_messages=WHOLE, required=False)


class CreateRunSerializer(serializers.Serializer):
    """One of ``dataset`` (an uploaded data set's id) or ``builtin``, a network, an optimizer."""

    dataset = serializers.IntegerField(required=False, allow_null=True)
    builtin = serializers.CharField(required=False, allow_blank=True)
    network = NetworkSpecSerializer(required=False)
    optimizer = OptimizerSerializer(required=False)


class RunSummarySerializer(serializers.Serializer):
    """A run as listed: everything but the loss history."""

    id = serializers.IntegerField()
    owner = serializers.CharField(allow_null=True)
    dataset = serializers.IntegerField(allow_null=True)
    builtin = serializers.CharField(allow_blank=True)
    dataset_name = serializers.CharField(allow_blank=True)
    task = serializers.CharField()
    network = serializers.DictField(help_text="the checked network spec")
    optimizer = serializers.DictField(help_text="the checked optimizer settings")
    n_params = serializers.IntegerField(allow_null=True)
    class_names = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    cancel_requested = serializers.BooleanField()
    epoch = serializers.IntegerField()
    total_epochs = serializers.IntegerField()
    step = serializers.IntegerField()
    total_steps = serializers.IntegerField()
    progress = serializers.FloatField()
    train_loss = serializers.FloatField(allow_null=True)
    val_loss = serializers.FloatField(allow_null=True)
    accuracy = serializers.FloatField(allow_null=True)
    ap = serializers.FloatField(allow_null=True)
    metrics = serializers.DictField()
    confusion = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), allow_null=True
    )
    history_from = serializers.IntegerField()
    history_len = serializers.IntegerField()
    elapsed_seconds = serializers.FloatField(allow_null=True)
    eta_seconds = serializers.FloatField(allow_null=True)
    created = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    heartbeat_at = serializers.DateTimeField(allow_null=True)
    has_onnx = serializers.BooleanField()
    result_model = serializers.IntegerField(allow_null=True)
    result_model_url = serializers.CharField(allow_null=True)
    version = serializers.IntegerField()


class HistoryPointSerializer(serializers.Serializer):
    """One epoch's point of a run's loss history (nnweb.training.tasks)."""

    epoch = serializers.IntegerField()
    step = serializers.IntegerField()
    train_loss = serializers.FloatField()
    val_loss = serializers.FloatField(allow_null=True, help_text="null when nothing was held out")
    val_accuracy = serializers.FloatField(required=False, help_text="classification runs only")
    t = serializers.FloatField(required=False, help_text="seconds since the run started")


class RunSerializer(RunSummarySerializer):
    """One run with its loss history (one point per epoch, from ``history_from``)."""

    history = HistoryPointSerializer(many=True)


class BuiltinChoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    task = serializers.CharField()


class UploadedChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    task = serializers.CharField()
    owner = serializers.CharField()
    n_samples = serializers.IntegerField()


class QuotaSerializer(serializers.Serializer):
    role = serializers.CharField()
    max_params = serializers.IntegerField()
    max_epochs = serializers.IntegerField()
    max_seconds = serializers.IntegerField()
    max_active = serializers.IntegerField()


class ChoicesSerializer(serializers.Serializer):
    builtin = BuiltinChoiceSerializer(many=True)
    uploaded = UploadedChoiceSerializer(many=True)
    quota = QuotaSerializer(allow_null=True, help_text="null for anonymous visitors")
