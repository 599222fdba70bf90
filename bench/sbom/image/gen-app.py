"""Writes N deterministic application files (Python modules, JSON configs, text assets).

Deterministic so that two builds of the benchmark image carry the same bytes.
"""
import json
import os
import random
import sys

root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(1234)
words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
for i in range(count):
    pkg = os.path.join(root, f"pkg{i // 100:02d}")
    os.makedirs(pkg, exist_ok=True)
    kind = i % 3
    if kind == 0:
        body = "\n".join(
            f"def {rng.choice(words)}_{j}(x):\n    return x * {rng.randint(1, 999)} + {j}\n" for j in range(40)
        )
        path = os.path.join(pkg, f"module_{i}.py")
    elif kind == 1:
        body = json.dumps({"id": i, "tags": rng.sample(words, 4), "weights": [rng.random() for _ in range(64)]}, indent=2)
        path = os.path.join(pkg, f"config_{i}.json")
    else:
        body = " ".join(rng.choice(words) for _ in range(600))
        path = os.path.join(pkg, f"asset_{i}.txt")
    with open(path, "w") as f:
        f.write(body)
