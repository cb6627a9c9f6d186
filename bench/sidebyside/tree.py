#!/usr/bin/env python3
"""Generates and modifies the file trees the side-by-side benchmark runs on.

File i of an N-file tree lives at dNN/dNN/fNN.txt: 100 files per directory, directories
nested two deep (100,000 files = 10 top directories x 100 subdirectories x 100 files).
Contents are small text files (64-511 bytes), fixed by the seed, so every run and both tools
see the same bytes.

  tree.py gen N ROOT [ROOT...]     write the N-file tree into each ROOT (same bytes in each)
  tree.py modify N K [ROOT]        append a line to K files spread over the tree (default ROOT .)
"""

import os
import random
import sys

FILES_PER_DIR = 100
WORDS = ("state agent commit branch score variant tree blob merge index value "
         "return result buffer vector search update apply check").split()


def path_of(i):
    d = i // FILES_PER_DIR
    return os.path.join(f"d{d // 100:02d}", f"d{d % 100:02d}", f"f{i % FILES_PER_DIR:02d}.txt")


def content_of(rng, i):
    size = rng.randrange(64, 512)
    parts = [f"file {i}\n"]
    length = len(parts[0])
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9))) + "\n"
        parts.append(line)
        length += len(line)
    return "".join(parts)[:size - 1].encode() + b"\n"


def gen(n, roots):
    rng = random.Random(20261122)
    made = set()
    for i in range(n):
        rel = path_of(i)
        data = content_of(rng, i)
        parent = os.path.dirname(rel)
        for root in roots:
            if (root, parent) not in made:
                os.makedirs(os.path.join(root, parent), exist_ok=True)
                made.add((root, parent))
            with open(os.path.join(root, rel), "wb") as f:
                f.write(data)


def modify(n, k, root):
    """Appends "modified <count>" to k files spread evenly over the tree. The count is one more
    than the file's earlier such lines, so every call changes the bytes, and two copies of a tree
    modified the same number of times stay identical."""
    if k > n:
        sys.exit(f"tree.py: cannot modify {k} files of {n}")
    for j in range(k):
        path = os.path.join(root, path_of(j * n // k))
        with open(path, "rb") as f:
            count = f.read().count(b"\nmodified ") + 1
        with open(path, "ab") as f:
            f.write(f"modified {count}\n".encode())


def main(argv):
    if len(argv) >= 3 and argv[0] == "gen":
        gen(int(argv[1]), argv[2:])
    elif len(argv) in (3, 4) and argv[0] == "modify":
        modify(int(argv[1]), int(argv[2]), argv[3] if len(argv) == 4 else ".")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
