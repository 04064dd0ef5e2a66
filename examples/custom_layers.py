"""Writing your own layers, losses and optimizers: the code of the page "Write your own layer".

Every layer follows the same contract (see ``nanonet.Layer``):

* ``forward(x)`` computes the output and keeps what backward needs;
* ``backward(grad)`` receives dC/d(output), *adds* dC/d(parameter) to each
  parameter's ``.grad``, and returns dC/d(input).

A loss is a ``nanonet.Loss`` with ``forward(prediction, target)`` and
``backward()``; an optimizer is a ``nanonet.Optimizer`` with
``update(value, grad, state)``. Parameters are plain attributes holding a
``Parameter``: nanonet finds them by itself. Run
``python examples/custom_layers.py`` to check everything with gradcheck and
to train a small network with the three layers, the loss and the optimizer
on the two moons; it prints::

    gradcheck passed for Softplus, Bias, Scale and HuberLoss
    two moons, Scale, Dense, Softplus, Dense and Bias, LabelHuberLoss and RMSprop:
    loss 0.017, accuracy 99.5% after 1000 steps
"""

from __future__ import annotations

import numpy as np

from nanonet import (
    Dense,
    Layer,
    Loss,
    Optimizer,
    Parameter,
    Sequential,
    Tanh,
    accuracy,
    gradcheck,
    one_hot,
    sigmoid,
)
from nanonet.datasets import moons


# --8<-- [start:softplus]
class Softplus(Layer):
    """y = log(1 + exp(x)), a smooth ReLU: a layer without parameters.

    Its derivative is the chapter's sigmoid, dy/dx = sigmoid(x), so forward
    keeps the input.
    """

    def forward(self, x):
        self.x = x
        return np.logaddexp(0.0, x)  # log(1 + exp(x)), without overflow

    def backward(self, grad):
        return grad * sigmoid(self.x)


# --8<-- [end:softplus]


# --8<-- [start:bias]
class Bias(Layer):
    """y = x + b: a layer with one trainable number.

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


# --8<-- [start:scale]
class Scale(Layer):
    """y = x * a, one trainable factor per feature: an array parameter.

    x has shape (samples, features) and a shape (features,). Each factor
    multiplies its feature in every sample, so its gradient is a sum over
    the samples: dC/da = sum(grad * x, axis=0); dC/dx = grad * a.
    """

    def __init__(self, features):
        self.a = Parameter(np.ones(features))

    def forward(self, x):
        self.x = x
        return x * self.a.value

    def backward(self, grad):
        self.a.grad += np.sum(grad * self.x, axis=0)
        return grad * self.a.value

    def extra_repr(self):
        return f"features={self.a.shape[0]}"


# --8<-- [end:scale]


# --8<-- [start:huber]
class HuberLoss(Loss):
    """The mean Huber loss: squared error for small errors, absolute error for large ones.

    For d = prediction - target: 1/2 d**2 where |d| <= delta, and
    delta * (|d| - delta / 2) beyond, so outliers pull less than with MSE.
    Its derivative is d, clipped to [-delta, delta]. (PyTorch: nn.HuberLoss.)
    """

    def __init__(self, delta=1.0):
        self.delta = delta

    def forward(self, prediction, target):
        self.d = prediction - target
        small = np.abs(self.d) <= self.delta
        losses = np.where(small, 0.5 * self.d**2, self.delta * (np.abs(self.d) - self.delta / 2))
        return float(np.mean(losses))

    def backward(self):
        return np.clip(self.d, -self.delta, self.delta) / np.size(self.d)


# --8<-- [end:huber]


# --8<-- [start:labels]
class LabelHuberLoss(HuberLoss):
    """The Huber loss between the scores and the one-hot rows of class labels.

    Its targets are class labels, one integer per sample, not values shaped
    like the prediction, so it overrides check_target: the labels are checked
    and turned into one-hot rows where they enter, and forward and backward
    (Huber's) never see a label.
    """

    def check_target(self, target, prediction):
        labels, shape = np.asarray(target), np.shape(prediction)
        if len(shape) != 2 or labels.shape != shape[:1]:
            raise ValueError(
                f"{type(self).__name__} takes one class label per sample, "
                "for scores of shape (samples, classes): got labels of "
                f"shape {labels.shape} for scores of shape {shape}"
            )
        return one_hot(labels, shape[1])  # (its errors name bad labels)


# --8<-- [end:labels]


# --8<-- [start:rmsprop]
class RMSprop(Optimizer):
    """Divide each step by a running average of the gradient's size (Hinton, 2012).

    v <- alpha * v + (1 - alpha) * g**2, then w <- w - lr * g / (sqrt(v) + eps):
    a parameter whose gradients are large takes smaller steps. (PyTorch:
    torch.optim.RMSprop, whose defaults these are.)
    """

    hyperparameters = ("lr", "alpha", "eps")

    def __init__(self, parameters, lr=0.01, alpha=0.99, eps=1e-8):
        self.alpha, self.eps = alpha, eps
        super().__init__(parameters, lr)

    def update(self, value, grad, state):
        v = state.get("square_avg", 0.0 * grad)
        v = self.alpha * v + (1 - self.alpha) * grad * grad
        state["square_avg"] = v
        return value - self.lr * grad / (np.sqrt(v) + self.eps)


# --8<-- [end:rmsprop]


# --8<-- [start:train]
def train_moons(steps=1000):
    """The two moons, with all three layers, LabelHuberLoss and RMSprop."""
    x, y = moons(200, noise=0.1, rng=0)
    model = Sequential(
        Scale(2),  # yours
        Dense(2, 8, rng=1),
        Softplus(),  # yours
        Dense(8, 2, rng=2),
        Bias(0.0),  # yours
    )
    loss_fn = LabelHuberLoss()
    optimizer = RMSprop(model.parameters(), lr=0.01)
    for step in range(steps):
        loss = loss_fn(model(x), y)  # y: the class labels, 0 or 1
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
    return model, optimizer, loss, accuracy(model(x), y)


# --8<-- [end:train]


def check_all() -> None:
    """gradcheck each layer alone, inside a network, and the loss."""
    x = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 0.1]])
    for layer in (Softplus(), Bias(0.3), Scale(2)):
        assert gradcheck(layer, x)
    assert gradcheck(Sequential(Scale(2), Softplus(), Bias(-0.2), Tanh()), x)
    assert gradcheck(HuberLoss(), [0.5, -3.0, 0.2], [0.0, 0.0, 1.0])
    assert gradcheck(LabelHuberLoss(), [[0.5, -3.0], [0.2, 1.0]], np.array([0, 1]))


def main() -> None:
    check_all()
    print("gradcheck passed for Softplus, Bias, Scale and HuberLoss")
    _, _, loss, score = train_moons()
    print("two moons, Scale, Dense, Softplus, Dense and Bias, LabelHuberLoss and RMSprop:")
    print(f"loss {loss:.3f}, accuracy {score:.1%} after 1000 steps")


if __name__ == "__main__":
    main()
