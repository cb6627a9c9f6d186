#!/usr/bin/env python3
"""End-to-end: the seed's `safe_ai_refactor` (checkpoint, risky rewrite, rollback) against the helios CLI on PATH.

Commits a checkpoint (with uncommitted work: changed, added and deleted files), takes
`helios rev-parse HEAD`, lets a fake refactoring agent rewrite every source file, add new files
in new folders and delete some, commits that, lets fake tests fail and rolls back with
`helios checkout <checkpoint>`. Asserts every file is back to its checkpoint bytes, the files
and folders the refactor added are gone, the deleted ones are back, HEAD is the checkpoint, and
the refactor commit is not lost (branch main still points at it, as git leaves a branch when
HEAD is detached).
"""

import os
import sys

from e2e_support import (check, check_clean, check_equal, check_log, helios, main, rev_parse, snapshot,
                         write)

PACKAGES, MODULES = 5, 10


def original_codebase():
    files = {"README.md": "Inventory service.\n", "tests/test_basic.py": "def test_true():\n    assert True\n"}
    for p in range(PACKAGES):
        files[f"src/pkg{p}/__init__.py"] = ""
        for m in range(MODULES):
            files[f"src/pkg{p}/module{m}.py"] = (
                f"class Service{p}{m}:\n"
                f"    def __init__(self):\n"
                f"        self.store = Store{p}()\n\n"
                f"    def run(self, n):\n"
                f"        return n * {p + m + 1}\n")
    return files


def fake_refactor(files):
    """Stands in for the AI agent: every class takes its dependency through the constructor,
    a container module appears in new folders, and two files are dropped."""
    changes = {}
    for path, text in files.items():
        if path.startswith("src/") and path.endswith(".py") and "class " in text:
            changes[path] = text.replace("def __init__(self):\n        self.store = Store",
                                         "def __init__(self, store):\n        self.store = store  # was Store") + "\n# refactored: dependency injection\n"
    changes["src/di/__init__.py"] = "from .container import Container\n"
    changes["src/di/container.py"] = "class Container:\n    def register(self, kind, factory):\n        pass\n"
    changes["src/pkg2/services/registry.py"] = "REGISTRY = {}\n"
    deletions = ["tests/test_basic.py", "src/pkg1/module3.py"]
    return changes, deletions


def run_all_tests(repo):
    """Fake test suite: the container must be able to resolve what it registers; the refactor forgot."""
    with open(os.path.join(repo, "src/di/container.py"), encoding="utf-8") as f:
        return "def resolve" in f.read()


def safe_ai_refactor(repo):
    """The seed's workflow; returns (succeeded, checkpoint id, refactor commit id)."""
    helios("commit", "-m", "Checkpoint before AI refactor", cwd=repo)
    checkpoint = rev_parse("HEAD", repo)
    refactor_commit = None
    try:
        current, _ = snapshot(repo)
        changes, deletions = fake_refactor({k: v.decode() for k, v in current.items()})
        for file_path, new_content in changes.items():
            write(os.path.join(repo, file_path), new_content)
        for file_path in deletions:
            os.remove(os.path.join(repo, file_path))
        helios("commit", "-m", "AI refactoring complete", cwd=repo)
        refactor_commit = rev_parse("HEAD", repo)
        check_clean(repo)
        if run_all_tests(repo):
            print("AI refactoring successful")
            return True, checkpoint, refactor_commit
        raise RuntimeError("Tests failed or quality checks failed")
    except RuntimeError as e:  # the seed catches Exception; a failed helios command must not look like failed tests
        print(f"AI refactoring failed: {e}")
        helios("checkout", checkpoint, cwd=repo)
        print("Rolled back to safe state")
        return False, checkpoint, refactor_commit


def workflow(base):
    repo = os.path.join(base, "repo")
    os.makedirs(repo)
    helios("init", cwd=repo)
    for path, text in original_codebase().items():
        write(os.path.join(repo, path), text)
    helios("commit", "-m", "initial", cwd=repo)
    initial = rev_parse("HEAD", repo)

    # Work in progress that only the checkpoint commit records: a change, a new file, a deletion.
    write(os.path.join(repo, "src/pkg0/module0.py"), "class Service00:\n    pass  # work in progress\n")
    write(os.path.join(repo, "src/pkg0/new_feature.py"), "FEATURE = True\n")
    os.remove(os.path.join(repo, "src/pkg4/module9.py"))
    at_checkpoint, dirs_at_checkpoint = snapshot(repo)

    succeeded, checkpoint, refactor_commit = safe_ai_refactor(repo)
    check(not succeeded, "the fake tests must fail so that the workflow rolls back")
    check(refactor_commit is not None and refactor_commit != checkpoint, "the refactor was committed")

    after, dirs_after = snapshot(repo)
    for path in sorted(at_checkpoint):
        check(path in after, f"{path} is missing after the rollback (the refactor deleted it; checkout must restore it)")
        check(after[path] == at_checkpoint[path], f"{path} does not have its checkpoint content after the rollback:\n"
                                                  f"  expected {at_checkpoint[path][:80]!r}...\n  actual   {after[path][:80]!r}...")
    extra = sorted(set(after) - set(at_checkpoint))
    check(not extra, f"files the refactor added are still there after the rollback: {extra}")
    extra_dirs = sorted(dirs_after - dirs_at_checkpoint)
    check(not extra_dirs, f"folders the refactor added are still there (empty) after the rollback: {extra_dirs}")
    check_equal(rev_parse("HEAD", repo), checkpoint, "HEAD after `helios checkout <checkpoint>`")
    check_equal(rev_parse("main", repo), refactor_commit,
                "branch main after checking out the checkpoint by id (the refactor commit must not be lost)")
    check_log(repo, [("Checkpoint before AI refactor", checkpoint), ("initial", initial)])
    check_clean(repo)
    print(f"rolled back {len(at_checkpoint)} files to {checkpoint[:12]}; refactor kept on main at {refactor_commit[:12]}")


if __name__ == "__main__":
    sys.exit(main("safe_refactor", workflow))
