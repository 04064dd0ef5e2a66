"""examples/cnn_digits.py: the small CNN trains and says how well it does, and how fast.

The full run (12 epochs: about 99% of the 360 test images, in seconds on one
core) is the example's own; here two epochs show that it learns, run as a
script on one core (BLAS limited to one thread, as the issue's target says).
"""

import os
import re
import subprocess
import sys

from support import ROOT

ONE_CORE = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def test_two_epochs_already_read_most_digits():
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "cnn_digits.py"), "--epochs", "2"],
        capture_output=True, text=True, check=True, env={**os.environ, **ONE_CORE},
    )  # fmt: skip
    match = re.fullmatch(
        r"test accuracy (\d+\.\d)% on 360 images, trained in \d+\.\d s\n", done.stdout
    )
    assert match, done.stdout
    assert float(match[1]) >= 95.0


def test_the_test_split_holds_360_images_of_one_channel(example):
    x_train, x_test, y_train, y_test = example("cnn_digits").digit_images()
    assert x_test.shape == (360, 1, 8, 8) and x_train.shape == (1437, 1, 8, 8)
    assert len(y_test) == 360 and 0.0 <= x_train.min() and x_train.max() <= 1.0
