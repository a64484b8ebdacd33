"""Models built in PyTorch and exported by torch.onnx load into the engine with torch's outputs
and, for the same loss, torch's gradients (engine trace dE_dW / dE_db vs autograd)."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from engine.onnx import ModelRejected, load, load_model  # noqa: E402

torch.manual_seed(0)


def _export(module, x, dynamo=False) -> bytes:
    module.eval()
    if dynamo:
        prog = torch.onnx.export(
            module,
            (x,),
            None,
            dynamo=True,
            input_names=["x"],
            output_names=["y"],
            dynamic_shapes=({0: torch.export.Dim("N")},),
            verbose=False,
        )
        return prog.model_proto.SerializeToString()
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _legacy_export(module, x, buf)
        except (TypeError, RuntimeError, NotImplementedError):
            # the TorchScript-based exporter is gone in this torch: use torch.export's
            return _export(module, x, dynamo=True)
    return buf.getvalue()


def _legacy_export(module, x, buf) -> None:
    torch.onnx.export(
        module,
        (x,),
        buf,
        dynamo=False,
        opset_version=17,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "N"}, "y": {0: "N"}},
    )


class CNN(nn.Module):
    """conv -> maxpool -> relu (torch's usual order), conv stride 2, view-flatten, dropout."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.c2 = nn.Conv2d(4, 3, 3, stride=2)
        self.drop = nn.Dropout(0.25)
        self.fc = nn.Linear(3 * 2 * 2, 5)

    def forward(self, x):
        x = torch.relu(self.pool(self.c1(x)))
        x = F.leaky_relu(self.c2(x), 0.2)
        x = x.view(x.size(0), -1)
        return torch.softmax(self.fc(self.drop(x)), dim=1)


class MatMulMLP(nn.Module):
    """x @ W + b written by hand: exported as MatMul + Add."""

    def __init__(self):
        super().__init__()
        self.W1 = nn.Parameter(torch.randn(3, 4) * 0.5)
        self.b1 = nn.Parameter(torch.randn(4) * 0.1)
        self.W2 = nn.Parameter(torch.randn(4, 2) * 0.5)
        self.b2 = nn.Parameter(torch.randn(2) * 0.1)

    def forward(self, x):
        return torch.tanh(x @ self.W1 + self.b1) @ self.W2 + self.b2


def _cross_entropy(y_hat, t):
    return -torch.log(y_hat[torch.arange(len(t)), t]).mean()


def _half_sse(y_hat, y):
    return 0.5 * ((y_hat - y) ** 2).sum(dim=1).mean()


def _param_pairs(net):
    """[(l, engine layer)] for the engine's parameter layers, in order."""
    return net.param_layers()


def _check_gradients(module, net, x, target, loss_fn, weights):
    """weights: list of (torch W, torch b, transpose?) in the engine's layer order."""
    module.zero_grad()
    loss = loss_fn(module(x), target)
    loss.backward()
    trace = net.trace(x.detach().numpy().astype(np.float64), target.numpy())
    np.testing.assert_allclose(trace.loss, loss.item(), rtol=1e-5)
    pairs = _param_pairs(net)
    assert len(pairs) == len(weights)
    for (l, _), (W, b, transpose) in zip(pairs, weights):
        g = W.grad.numpy().T if transpose else W.grad.numpy()
        lt = trace.layers[l - 1]
        np.testing.assert_allclose(lt.dE_dW, g, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(lt.dE_db, b.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.fixture(scope="module")
def cnn_and_bytes():
    torch.manual_seed(1)
    module = CNN().eval()
    x = torch.randn(4, 2, 10, 10)
    return module, _export(module, x)


def test_torch_cnn_outputs_and_gradients(cnn_and_bytes):
    module, data = cnn_and_bytes
    info = load_model(data)
    net = info.net
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Conv2D", "MaxPool2D", "Conv2D", "Flatten", "Dense"]
    assert net.layers[0].activation == "relu"  # moved before the max pool: same function
    assert net.layers[2].activation == "leaky_relu" and net.layers[2].alpha == pytest.approx(0.2)
    assert net.layers[4].activation == "softmax" and net.loss == "cross_entropy"
    assert info.input_name == "x" and info.input_layout == "NCHW"

    x = torch.randn(6, 2, 10, 10)
    with torch.no_grad():
        expected = module(x).numpy()
    np.testing.assert_allclose(net.forward(x.numpy()), expected, rtol=1e-5, atol=1e-7)

    t = torch.tensor([0, 1, 2, 3, 4, 1])
    _check_gradients(
        module,
        net,
        x,
        t,
        _cross_entropy,
        [
            (module.c1.weight, module.c1.bias, False),
            (module.c2.weight, module.c2.bias, False),
            (module.fc.weight, module.fc.bias, False),
        ],
    )


def test_torch_mlp_gemm_with_regression_loss():
    torch.manual_seed(2)
    module = nn.Sequential(
        nn.Linear(3, 5), nn.Sigmoid(), nn.Linear(5, 4), nn.Softplus(), nn.Linear(4, 2), nn.Tanh()
    ).eval()
    x = torch.randn(7, 3)
    net = load(_export(module, x))
    assert [lay.activation for lay in net.layers] == ["sigmoid", "softplus", "tanh"]
    assert net.loss == "half_sse"
    with torch.no_grad():
        np.testing.assert_allclose(net.forward(x.numpy()), module(x).numpy(), rtol=1e-5, atol=1e-7)
    y = torch.randn(7, 2)
    _check_gradients(
        module,
        net,
        x,
        y,
        _half_sse,
        [(module[i].weight, module[i].bias, False) for i in (0, 2, 4)],
    )


def test_torch_matmul_add_and_identity_output():
    torch.manual_seed(3)
    module = MatMulMLP().eval()
    x = torch.randn(5, 3)
    data = _export(module, x)
    import onnx

    ops = [n.op_type for n in onnx.load_from_string(data).graph.node]
    assert "MatMul" in ops and "Add" in ops
    net = load(data)
    assert [type(lay).__name__ for lay in net.layers] == ["Dense", "Dense"]
    with torch.no_grad():
        np.testing.assert_allclose(net.forward(x.numpy()), module(x).numpy(), rtol=1e-5, atol=1e-7)
    y = torch.randn(5, 2)
    _check_gradients(
        module, net, x, y, _half_sse, [(module.W1, module.b1, True), (module.W2, module.b2, True)]
    )


def test_torch_same_padding_avgpool_and_flatten_module():
    torch.manual_seed(4)
    module = nn.Sequential(
        nn.Conv2d(1, 3, 2, padding="same"),  # even kernel: torch pads the extra pixel at the end
        nn.Tanh(),
        nn.AvgPool2d(2, stride=1),
        nn.Flatten(),
        nn.Linear(3 * 4 * 4, 3),
    ).eval()
    x = torch.randn(3, 1, 5, 5)
    net = load(_export(module, x))
    assert net.layers[0].padding == "same" and net.layers[0].activation == "tanh"
    assert type(net.layers[1]).__name__ == "AvgPool2D" and net.layers[1].stride == 1
    with torch.no_grad():
        np.testing.assert_allclose(net.forward(x.numpy()), module(x).numpy(), rtol=1e-5, atol=1e-7)
    y = torch.randn(3, 3)
    _check_gradients(
        module,
        net,
        x,
        y,
        _half_sse,
        [(module[0].weight, module[0].bias, False), (module[4].weight, module[4].bias, False)],
    )


def test_torch_unsupported_layers_are_named():
    module = nn.Sequential(nn.Conv2d(2, 2, 3, groups=2), nn.Flatten()).eval()
    with pytest.raises(ModelRejected, match=r"\(Conv\).*group=2"):
        load(_export(module, torch.randn(1, 2, 5, 5)))
    module = nn.Sequential(nn.Conv2d(1, 2, 3, dilation=2), nn.Flatten()).eval()
    with pytest.raises(ModelRejected, match=r"\(Conv\).*dilations=\[2, 2\]"):
        load(_export(module, torch.randn(1, 1, 7, 7)))
    module = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.BatchNorm1d(3)).eval()
    with pytest.raises(ModelRejected, match=r"\(BatchNormalization\).*right after"):
        load(_export(module, torch.randn(2, 3)))
    module = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.LayerNorm(3)).eval()
    with pytest.raises(ModelRejected, match="LayerNormalization.*not supported"):
        load(_export(module, torch.randn(2, 3)))


def test_torch_batch_norm_folds_into_the_layer_before():
    torch.manual_seed(5)
    module = nn.Sequential(
        nn.Conv2d(1, 3, 3),
        nn.BatchNorm2d(3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(3 * 4 * 4, 4),
        nn.BatchNorm1d(4),
        nn.Sigmoid(),
    )
    module.train()
    with torch.no_grad():  # running statistics that are not 0/1
        for _ in range(3):
            module(torch.randn(8, 1, 6, 6) * 2 + 1)
    module.eval()
    x = torch.randn(5, 1, 6, 6)
    net = load(_export(module, x))
    assert [type(lay).__name__ for lay in net.layers] == ["Conv2D", "Flatten", "Dense"]
    with torch.no_grad():
        np.testing.assert_allclose(net.forward(x.numpy()), module(x).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_torch_dynamo_exporter(cnn_and_bytes):
    module, _ = cnn_and_bytes
    x = torch.randn(3, 2, 10, 10)
    net = load(_export(module, x, dynamo=True))
    with torch.no_grad():
        np.testing.assert_allclose(net.forward(x.numpy()), module(x).numpy(), rtol=1e-5, atol=1e-7)
