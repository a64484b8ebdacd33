"""What each lesson endpoint answers, as serializers (one per computation in ``panels/``).

They only document: the views answer the computation's dict as it is. Each endpoint's view
names its own (``LessonView.result_serializer``), so the OpenAPI schema types every lesson
result and tests/web/lessons/conftest.py validates every 200 the lesson tests get against it.
Arrays whose rank follows the input (an (H, W) or a (C, H, W) image) are ``NdArrayField``.
"""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

F, I, S, B = (
    serializers.FloatField,
    serializers.IntegerField,
    serializers.CharField,
    serializers.BooleanField,
)


def vec(**kw) -> serializers.ListField:
    return serializers.ListField(child=F(), **kw)


def ints(**kw) -> serializers.ListField:
    return serializers.ListField(child=I(), **kw)


def mat(**kw) -> serializers.ListField:
    return serializers.ListField(child=vec(), **kw)


def imat(**kw) -> serializers.ListField:
    return serializers.ListField(child=ints(), **kw)


def cube(**kw) -> serializers.ListField:
    return serializers.ListField(child=mat(), **kw)


def strs(**kw) -> serializers.ListField:
    return serializers.ListField(child=S(), **kw)


@extend_schema_field(
    {"type": "array", "items": {}, "description": "nested lists of numbers, the input's rank"}
)
class NdArrayField(serializers.JSONField):
    """An array whose rank follows the input's ((H, W) or (C, H, W))."""


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class PaddingField(serializers.JSONField):
    """A padding as given: "valid", "same" or a number of zeros per side."""


# --- maximum likelihood --------------------------------------------------------------------
class NllResultSerializer(serializers.Serializer):
    probs = vec()
    true_class = I()
    one_hot = vec()
    nll = F(allow_null=True, help_text="null when infinite (p = 0 for the true class)")
    cross_entropy_terms = serializers.ListField(
        child=F(allow_null=True), help_text="null: infinite"
    )
    likelihood = F()
    normalised_from = F(allow_null=True)


class GaussianNllResultSerializer(serializers.Serializer):
    N = I()
    sigma = F()
    half_sse = F()
    scaled_half_sse = F()
    constant = F()
    nll = F()
    nll_direct = F(allow_null=True, help_text="null when infinite")
    residuals = vec()


class MleVarianceRowSerializer(serializers.Serializer):
    N = I()
    mean_mle = F()
    expected_mle = F()
    mean_unbiased = F()
    sd_mle = F()
    bias = F()


class MleVarianceResultSerializer(serializers.Serializer):
    sigma = F()
    variance = F()
    repeats = I()
    rows = MleVarianceRowSerializer(many=True)


# --- propagation ---------------------------------------------------------------------------
class TraceLayerSerializer(serializers.Serializer):
    l = I()  # noqa: E741 - the notes' layer index
    activation = S()
    W = mat()
    b = vec()
    u = vec()
    a = vec()
    dE_da = vec()
    delta = vec()
    dE_dW = mat()
    dE_db = vec()
    update_W = mat()
    update_b = vec()
    W_after = mat()
    b_after = vec()


class GradientCheckSerializer(serializers.Serializer):
    l = I()  # noqa: E741
    weight = S()
    backprop = F()
    finite_difference = F()


class NetworkTraceResultSerializer(serializers.Serializer):
    x = vec()
    y = NdArrayField(help_text="the target: class index(es) or values")
    loss_name = S()
    lr = F()
    layers = TraceLayerSerializer(many=True)
    y_hat = vec()
    loss = F()
    loss_after = F()
    gradient_checks = GradientCheckSerializer(many=True)


class GraphNodeSerializer(serializers.Serializer):
    id = S()
    label = S()
    value = F()
    kind = S()


class GraphStepSerializer(serializers.Serializer):
    node = S()
    grad = F()
    local = F()
    rule = S()

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared as a class attribute
        return {**super().get_fields(), "from": S(allow_null=True, help_text="the node before")}


class GraphLayerSerializer(serializers.Serializer):
    u = F()
    a = F()
    E = F()
    dE_da = F()
    delta = F()
    dE_dW = vec()
    dE_db = F()


class BackpropGraphResultSerializer(serializers.Serializer):
    nodes = GraphNodeSerializer(many=True)
    edges = serializers.ListField(child=strs(min_length=2, max_length=2), help_text="[from, to]")
    backward = GraphStepSerializer(many=True)
    layer = GraphLayerSerializer()


# --- SGD -----------------------------------------------------------------------------------
class SgdRunSerializer(serializers.Serializer):
    batch_size = I()
    lr = F()
    epoch_loss = serializers.ListField(child=F(allow_null=True), help_text="null: not finite")
    step_loss = serializers.ListField(child=F(allow_null=True), help_text="null: not finite")
    step_stride = I()
    updates = I()
    wall_s = F()
    accuracy = F(allow_null=True, help_text="null once diverged")
    diverged = S(allow_null=True, help_text="why the run stopped, if it did")
    gradient_noise = F(required=False)


class SgdCompareResultSerializer(serializers.Serializer):
    n = I()
    epochs = I()
    lr = F()
    runs = SgdRunSerializer(many=True)


class LrCompareResultSerializer(serializers.Serializer):
    batch_size = I()
    epochs = I()
    runs = SgdRunSerializer(many=True)


# --- why CNNs ------------------------------------------------------------------------------
class ParamCountResultSerializer(serializers.Serializer):
    input_shape = ints()
    output_shape = ints()
    dense_weights = I()
    dense_biases = I()
    dense_params = I()
    conv_weights = I()
    conv_biases = I()
    conv_params = I()
    ratio = F()
    inputs_per_output_dense = I()
    inputs_per_output_conv = I()
    warning = S(allow_null=True)


class EquivarianceResultSerializer(serializers.Serializer):
    image = mat()
    kernel = mat()
    dy = I()
    dx = I()
    conv_then_shift = mat()
    shift_then_conv = mat()
    abs_diff = mat()
    max_diff = F()
    max_diff_interior = F()
    interior = serializers.ListField(child=serializers.ListField(child=B()))


# --- convolution ---------------------------------------------------------------------------
class ConvWindowSerializer(serializers.Serializer):
    out = ints(help_text="the output's row, column")
    top_left = ints()
    products = mat()
    sum = F()


class Conv2dResultSerializer(serializers.Serializer):
    image = mat()
    kernel = mat()
    padded = mat()
    pad = ints()
    stride = I()
    output = mat()
    output_shape = ints()
    windows = ConvWindowSerializer(many=True)


class ConvImageResultSerializer(serializers.Serializer):
    image = mat()
    kernel = mat()
    output = mat()
    presets = strs()


class ConvVolumeResultSerializer(serializers.Serializer):
    image = NdArrayField()
    kernels = NdArrayField()
    volume = cube()
    volume_shape = ints()
    shape_text = S()


class Conv1dResultSerializer(serializers.Serializer):
    signal = vec()
    kernel = vec()
    convolution = vec()
    correlation = vec()
    offset = I()
    symmetric_kernel = B()


class OutputSizeResultSerializer(serializers.Serializer):
    width = I()
    kernel = I()
    stride = I()
    padding = PaddingField()
    pad_before = I()
    pad_after = I()
    output = I()
    numerator = I()
    leftover = I()
    warning = S(allow_null=True)
    notes_formula = F()
    notes_formula_agrees = B()
    formula = S()


# --- activations ---------------------------------------------------------------------------
class ActivationResultSerializer(serializers.Serializer):
    name = S()
    alpha = F()
    u = vec()
    f = vec()
    df = vec()


class LinearCollapseResultSerializer(serializers.Serializer):
    W1 = mat()
    b1 = vec()
    W2 = mat()
    b2 = vec()
    W = mat()
    b = vec()
    x = mat()
    two_layers = mat()
    one_layer = mat()
    with_relu = mat()
    max_diff_linear = F()
    max_diff_relu = F()


class ReluPoolResultSerializer(serializers.Serializer):
    x = NdArrayField()
    relu_of_max = NdArrayField()
    max_of_relu = NdArrayField()
    relu_of_avg = NdArrayField()
    avg_of_relu = NdArrayField()
    max_diff_max = F()
    max_diff_avg = F()


# --- pooling -------------------------------------------------------------------------------
class PoolResultSerializer(serializers.Serializer):
    x = NdArrayField()
    mode = S()
    size = I()
    stride = I()
    output = NdArrayField()
    output_shape = ints()
    input_shape = ints()
    argmax = NdArrayField(allow_null=True, help_text="max pooling: each output's input position")
    upstream = NdArrayField()
    grad_input = NdArrayField()


class PoolShiftResultSerializer(serializers.Serializer):
    x = mat()
    shifted = mat()
    dy = I()
    dx = I()
    mode = S()
    size = I()
    pooled = mat()
    pooled_shifted = mat()
    inputs_unchanged = I()
    inputs = I()
    outputs_unchanged = I()
    outputs = I()
    max_change = F()
    features = I()
    features_moved = I()


# --- fully connected / CNN training --------------------------------------------------------
class CnnEpochSerializer(serializers.Serializer):
    epoch = I()
    train_loss = F()
    test_loss = F()
    test_accuracy = F()


class CnnMisclassifiedSerializer(serializers.Serializer):
    image = NdArrayField()
    true = I()
    pred = I()
    p = F()


class CnnExampleSerializer(serializers.Serializer):
    label = I()
    image = NdArrayField()
    conv = NdArrayField()
    pool = NdArrayField()
    flat_len = I()
    probs = vec()


class CnnTrainResultSerializer(serializers.Serializer):
    dataset = S()
    classes = strs()
    architecture = strs()
    n_train = I()
    n_test = I()
    history = CnnEpochSerializer(many=True)
    wall_s = F()
    kernels = NdArrayField()
    confusion = imat()
    accuracy = F()
    misclassified = CnnMisclassifiedSerializer(many=True)
    examples = CnnExampleSerializer(many=True)


# --- Mask R-CNN ----------------------------------------------------------------------------
class RoiCellsSerializer(serializers.Serializer):
    y = ints()
    x = ints()


class RoiBinSerializer(serializers.Serializer):
    row = I()
    col = I()
    y = ints()
    x = ints()
    cells = I()
    empty = B()
    value = F(allow_null=True)
    argmax = ints(allow_null=True)


class RoiSummarySerializer(serializers.Serializer):
    cells = I()
    dropped = I()
    shared = I()
    bins_per_cell = serializers.DictField(child=I(), help_text="cells by how many bins read them")
    shared_rows = ints()
    shared_cols = ints()
    dropped_rows = ints()
    dropped_cols = ints()


class RoiQuantisedStrideSerializer(serializers.Serializer):
    rule = S()
    stride_exact = vec()
    stride = ints()
    rows = imat()
    cols = imat()
    dropped_rows = ints()
    dropped_cols = ints()
    outside_rows = ints()
    outside_cols = ints()
    edge_error = vec()
    dropped = I()
    outside = I()


class RoiPoolResultSerializer(serializers.Serializer):
    """RoI pooling: each bin reads whole feature cells (rounded bounds)."""

    method = S()
    roi = vec()
    spatial_scale = F()
    output_size = ints()
    feature_size = ints()
    rule = S()
    roi_cells = RoiCellsSerializer()
    roi_size = ints()
    bin_size = vec()
    rows = imat()
    cols = imat()
    bins = RoiBinSerializer(many=True)
    coverage = imat()
    dropped = serializers.ListField(child=serializers.JSONField(), help_text="cells no bin reads")
    shared = imat()
    summary = RoiSummarySerializer()
    quantised_stride = RoiQuantisedStrideSerializer(required=False, allow_null=True)
    feature = mat()
    size = I()


class AlignPointSerializer(serializers.Serializer):
    y = F()
    x = F()
    inside = B()
    neighbours = serializers.ListField(
        child=serializers.DictField(), help_text="the four cells read and their weights"
    )
    value = F()


class AlignBinSerializer(serializers.Serializer):
    row = I()
    col = I()
    y = vec()
    x = vec()
    points = AlignPointSerializer(many=True)
    value = F()


class RoiAlignResultSerializer(serializers.Serializer):
    """RoI Align: each bin averages bilinear samples (no rounding)."""

    method = S()
    mode = S()
    aligned = B()
    sampling_ratio = I()
    roi = vec()
    spatial_scale = F()
    output_size = ints()
    feature_size = ints()
    rule = S()
    roi_feature = vec()
    roi_size = vec()
    bin_size = vec()
    grid = ints()
    bins = AlignBinSerializer(many=True)
    feature = mat()
    size = I()


RoiResultSerializer = PolymorphicProxySerializer(
    component_name="RoiResult",
    serializers={"roi_pool": RoiPoolResultSerializer, "roi_align": RoiAlignResultSerializer},
    resource_type_field_name="method",
)


class MaskHeadResultSerializer(serializers.Serializer):
    m = I()
    classes = strs()
    true_class = I()
    probabilities = cube()
    target = mat()
    loss = F()
    loss_all_maps = F()
    grad_nonzero_per_class = serializers.ListField(child=B())
    outputs = I()
    penalised = I()


class AnchorSerializer(serializers.Serializer):
    box = vec()
    objectness = F()
    deltas = vec()


class InspectDetectionSerializer(serializers.Serializer):
    box = vec()
    label = S()
    score = F()


class MaskRcnnInspectResultSerializer(serializers.Serializer):
    image = I()
    size = ints()
    pixels = S(help_text="the image as a PNG data: URL")
    classes = strs()
    feature_shape = ints()
    stride = I()
    anchor_sizes = ints()
    n_anchors = I()
    top_anchors = AnchorSerializer(many=True)
    objectness_max_per_cell = mat()
    n_before_nms = I()
    proposals_before_nms = mat()
    n_after_nms = I()
    proposals_after_nms = mat()
    best_proposal = I()
    best_box = vec()
    roi_crop = mat()
    class_probs = vec()
    refined_boxes = serializers.DictField(child=vec(), help_text="by class name")
    detections = InspectDetectionSerializer(many=True)
    mask28 = mat(allow_null=True, help_text="null without a detection")
    pasted_pixels = S(allow_null=True, help_text="null without a detection")
