#!/usr/bin/python3
"""The speed reference for chapter 7: the same training in NumPy.

Not part of the workbook (which needs no Python); ./build.sh bench --numpy
runs it beside bin/07_sgd to compare whole-process times. It trains the
same network the same way: 784 -> 128 -> 64 -> 10 (or --hidden 16,16 for
784 -> 16 -> 16 -> 10), ReLU, softmax and
cross-entropy, He initialisation, 1000 steps of plain SGD on shuffled
batches of 100 with learning rate 0.3, float32, then tests once.

Needs Debian's python3-numpy with libopenblas0-pthread installed (without
it NumPy uses the reference BLAS, about 7 times slower).
"""
import sys
import time

import numpy as np


def load(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    start = time.perf_counter()
    args = sys.argv[1:]
    hidden = [128, 64]
    if args[:1] == ["--hidden"]:
        hidden = [int(n) for n in args[1].split(",")]
        args = args[2:]
    data = args[0] if args else "data/mnist"
    x_train = load(data + "/train-images-idx3-ubyte", 16).reshape(-1, 784)
    y_train = load(data + "/train-labels-idx1-ubyte", 8)
    x_test = load(data + "/t10k-images-idx3-ubyte", 16).reshape(-1, 784)
    y_test = load(data + "/t10k-labels-idx1-ubyte", 8)
    x_train = x_train.astype(np.float32) / 255
    x_test = x_test.astype(np.float32) / 255

    rng = np.random.default_rng(1)
    sizes = [784] + hidden + [10]
    weights = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32)
               for a, b in zip(sizes, sizes[1:])]
    biases = [np.zeros(b, np.float32) for b in sizes[1:]]

    def forward(x):
        activations = [x]
        for layer, (w, b) in enumerate(zip(weights, biases)):
            z = activations[-1] @ w + b
            if layer + 1 < len(weights):
                z = np.maximum(z, 0)
            activations.append(z)
        z = activations[-1]
        z = np.exp(z - z.max(axis=1, keepdims=True))
        activations[-1] = z / z.sum(axis=1, keepdims=True)
        return activations

    order = rng.permutation(len(x_train))
    position = 0
    train_start = time.perf_counter()
    for _ in range(1000):
        if position + 100 > len(order):
            order = rng.permutation(len(x_train))
            position = 0
        batch = order[position:position + 100]
        position += 100
        activations = forward(x_train[batch])
        delta = activations[-1].copy()
        delta[np.arange(100), y_train[batch]] -= 1
        delta /= 100
        for layer in reversed(range(len(weights))):
            grad_w = activations[layer].T @ delta
            grad_b = delta.sum(axis=0)
            if layer > 0:
                delta = (delta @ weights[layer].T) * (activations[layer] > 0)
            weights[layer] -= np.float32(0.3) * grad_w
            biases[layer] -= np.float32(0.3) * grad_b
    train_seconds = time.perf_counter() - train_start

    accuracy = (forward(x_test)[-1].argmax(axis=1) == y_test).mean()
    print(f"test accuracy: {100 * accuracy:.2f}%")
    print(f"training {train_seconds:.2f} s, whole process "
          f"{time.perf_counter() - start:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
