"""Writing your own layers: three examples, checked with gradcheck, trained on XOR.

Every layer follows the same contract (see ``nanonet.Layer``):

* ``forward(x)`` computes the output and caches what backward needs;
* ``backward(grad)`` receives dC/d(output), *adds* dC/d(parameter) to each
  parameter's ``.grad``, and returns dC/d(input).

Parameters are plain attributes holding a ``Parameter``: nanonet finds them
by itself. Run ``python examples/custom_layers.py`` to check the layers and
train a small network on XOR.
"""

from __future__ import annotations

import numpy as np

from nanonet import SGD, Layer, MSELoss, Parameter, Sequential, Sigmoid, gradcheck


# --8<-- [start:tanh]
class Tanh(Layer):
    """The hyperbolic tangent, y = tanh(x): a layer without parameters.

    Its derivative can be written with its own output, dy/dx = 1 - y**2,
    so forward caches the output, as Sigmoid does.
    """

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad):
        return grad * (1.0 - self.y**2)


# --8<-- [end:tanh]


# --8<-- [start:bias]
class Bias(Layer):
    """Add a trainable number, y = x + b: a layer with one scalar Parameter.

    dy/db = 1 for every sample, so dC/db is the sum of the incoming
    gradient over the batch; dy/dx = 1, so the gradient passes through.
    """

    def __init__(self, b=0.0):
        self.b = Parameter(b)

    def forward(self, x):
        return x + self.b.value

    def backward(self, grad):
        self.b.grad += float(np.sum(grad))
        return grad


# --8<-- [end:bias]


# --8<-- [start:dense]
class Dense(Layer):
    """A fully connected layer, y = x @ W.T + b: array Parameters.

    ``x`` is a batch of shape (samples, in_features); ``W`` has shape
    (out_features, in_features) and ``b`` shape (out_features,), as in
    PyTorch's ``nn.Linear``. The gradients are matrix products:
    dC/dW = grad.T @ x, dC/db = grad summed over samples, dC/dx = grad @ W.
    """

    def __init__(self, in_features, out_features, *, rng=None):
        rng = np.random.default_rng(rng)
        bound = 1.0 / np.sqrt(in_features)  # PyTorch's default initialisation
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)))
        self.bias = Parameter(rng.uniform(-bound, bound, out_features))

    def forward(self, x):
        if np.ndim(x) != 2 or np.shape(x)[1] != self.weight.shape[1]:
            raise ValueError(
                f"Dense expects inputs of shape (samples, {self.weight.shape[1]}), "
                f"got {np.shape(x)}"
            )
        self.x = x
        return x @ self.weight.value.T + self.bias.value

    def backward(self, grad):
        self.weight.grad += grad.T @ self.x
        self.bias.grad += grad.sum(axis=0)
        return grad @ self.weight.value

    def extra_repr(self):
        out_features, in_features = self.weight.shape
        return f"in_features={in_features}, out_features={out_features}"


# --8<-- [end:dense]


# --8<-- [start:xor-data]
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])
# --8<-- [end:xor-data]


def check_layers() -> None:
    """gradcheck each layer, alone and inside a network."""
    x = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 0.1]])
    for layer in (Tanh(), Bias(0.3), Dense(2, 3, rng=0)):
        assert gradcheck(layer, x)
    assert gradcheck(Sequential(Dense(2, 3, rng=1), Tanh(), Bias(-0.2), Dense(3, 1, rng=2)), x)


# --8<-- [start:xor]
def train_xor(steps: int = 2000, lr: float = 2.0, seed: int = 0) -> tuple[Sequential, list[float]]:
    """Train Dense(2, 4) - Tanh - Dense(4, 1) - Sigmoid on XOR; return the model and losses."""
    model = Sequential(Dense(2, 4, rng=seed), Tanh(), Dense(4, 1, rng=seed + 1), Sigmoid())
    loss_fn = MSELoss()
    optimizer = SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        losses.append(loss_fn(model(XOR_INPUTS), XOR_TARGETS))
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return model, losses


# --8<-- [end:xor]


def main() -> None:
    check_layers()
    print("gradcheck passed for Tanh, Bias and Dense")
    model, losses = train_xor()
    print(model)
    print(f"loss: {losses[0]:.4f} at the start, {losses[-1]:.6f} after {len(losses)} steps")
    for x, y in zip(XOR_INPUTS, model(XOR_INPUTS), strict=True):
        print(f"{x} -> {y[0]:.3f}")


if __name__ == "__main__":
    main()
