#!/usr/bin/env python3
"""End-to-end: the seed's `test_multiple_ai_approaches` (best of N) against the helios CLI on PATH.

Each variation writes solution.py, commits "AI variant i" and is scored; a variation that does
not beat the best so far is rolled back with `helios reset --hard HEAD~1`. Asserts that
solution.py ends as the best variant, that every rollback restores the previous best, and that
`helios log --oneline` lists exactly the kept variants (newest first) above the initial commit.
"""

import os
import sys

from e2e_support import (CheckFailed, check, check_clean, check_equal, check_log, fake_generate, fake_score,
                         helios, main, read, rev_parse, score_of_text, write)

PROMPT = "Write an efficient sorting function"
VARIATIONS = 12


def test_multiple_ai_approaches(repo, prompt, num_variations):
    """The seed's loop, with the fake generator and scorer; also returns what it kept."""
    best_solution, best_score, kept = None, 0, []
    for i in range(num_variations):
        code = fake_generate(prompt, i)
        write(os.path.join(repo, "solution.py"), code)
        helios("commit", "-m", f"AI variant {i}", cwd=repo)
        commit = rev_parse("HEAD", repo)
        score = fake_score(os.path.join(repo, "solution.py"))
        if score > best_score:
            best_solution, best_score = code, score
            kept.append((f"AI variant {i}", commit))
        else:
            helios("reset", "--hard", "HEAD~1", cwd=repo)
            check_equal(rev_parse("HEAD", repo), kept[-1][1], f"HEAD after rolling back variant {i}")
            check_equal(read(os.path.join(repo, "solution.py")), best_solution,
                        f"solution.py after rolling back variant {i} (must be the best so far again)")
    return best_solution, best_score, kept


def workflow(base):
    repo = os.path.join(base, "repo")
    os.makedirs(repo)
    helios("init", cwd=repo)
    write(os.path.join(repo, "README.md"), "Best-of-N sorting experiment.\n")
    helios("commit", "-m", "initial", cwd=repo)
    initial = rev_parse("HEAD", repo)

    # What the fake scorer will decide, computed independently of helios.
    scores = [score_of_text(fake_generate(PROMPT, i)) for i in range(VARIATIONS)]
    expected_kept, best = [], 0
    for i, s in enumerate(scores):
        if s > best:
            expected_kept.append(i)
            best = s
    if len(expected_kept) < 2 or len(expected_kept) == VARIATIONS:
        raise CheckFailed(f"the fake scores {scores} keep {expected_kept}: the test must both keep and roll back variants")
    print(f"scores {scores}: keeps variants {expected_kept}, rolls back {VARIATIONS - len(expected_kept)}")

    best_code, best_score, kept = test_multiple_ai_approaches(repo, PROMPT, VARIATIONS)

    check_equal([s for s, _ in kept], [f"AI variant {i}" for i in expected_kept], "variants kept by the workflow")
    check_equal(best_score, max(scores), "best score")
    check_equal(read(os.path.join(repo, "solution.py")), fake_generate(PROMPT, expected_kept[-1]),
                "final solution.py (must be the best variant)")
    check_equal(best_code, fake_generate(PROMPT, expected_kept[-1]), "returned best solution")
    check_equal(rev_parse("HEAD", repo), kept[-1][1], "HEAD at the end (the best variant's commit)")
    check_equal(rev_parse("main", repo), kept[-1][1], "branch main at the end")
    check_log(repo, list(reversed(kept)) + [("initial", initial)])
    check_clean(repo)
    check(sorted(os.listdir(repo)) == [".helios", "README.md", "solution.py"],
          f"the working tree holds {sorted(os.listdir(repo))}, expected .helios, README.md, solution.py")
    print(f"final: variant {expected_kept[-1]} with score {best_score}; log lists {len(kept)} kept variants + initial")


if __name__ == "__main__":
    sys.exit(main("best_of_n", workflow))
