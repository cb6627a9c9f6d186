#!/usr/bin/env python3
"""End-to-end: the seed's five agents working on one problem at once, against the helios CLI on PATH.

Five threads each add their OWN worktree (`helios worktree add ../agent-i -b agent-i-experiment`,
all at once in the same repository), then commit attempts there, rolling back with
`helios reset --hard HEAD~1` every attempt that does not beat the agent's best, and return
`helios rev-parse HEAD`. Asserts each branch's log (exactly the kept attempts above the base
commit), that the worktrees stay isolated from each other and from main, that
`helios worktree list` lists all five, and that the winner's files are as expected.
The seed's last step, merging the winner into main, runs only when `helios merge --help`
succeeds (merge belongs to another issue).
"""

import concurrent.futures
import os
import subprocess
import sys

from e2e_support import (check, check_clean, check_equal, check_log, fake_generate, fake_score, helios, main, read,
                         rev_parse, score_of_text, snapshot, write)

AGENTS = 5
MAX_ITERATIONS = 6
TARGET_SCORE = 990
PROBLEM = "Optimize database queries"
BASE_FILES = {"README.md": "Five agents, one problem.\n", "problem.txt": PROBLEM + "\n"}


def expected_run(agent_id):
    """What the fake generator and scorer make agent_id keep, computed without helios."""
    best, kept, iterations = 0, [], 0
    while iterations < MAX_ITERATIONS and best < TARGET_SCORE:
        score = score_of_text(fake_generate(f"{PROBLEM} (agent {agent_id})", iterations))
        if score > best:
            best = score
            kept.append(iterations)
        iterations += 1
    return best, kept, iterations


def run_ai_agent_experiment(agent_id, problem_description, repo, base):
    """The seed's agent loop, each agent in its own worktree instead of sharing one checkout."""
    branch_name = f"agent-{agent_id}-experiment"
    helios("worktree", "add", f"../agent-{agent_id}", "-b", branch_name, cwd=repo)
    work = os.path.join(base, f"agent-{agent_id}")
    check(os.path.isdir(work), f"`helios worktree add ../agent-{agent_id}` did not create {work}")
    check_equal(snapshot(work)[0], {k: v.encode() for k, v in BASE_FILES.items()},
                f"files of the new worktree {work} (must be the base commit's)")

    solution = os.path.join(work, f"solution_{agent_id}.py")
    best_score, best_code, iterations, kept = 0, None, 0, []
    while iterations < MAX_ITERATIONS and best_score < TARGET_SCORE:
        code = fake_generate(f"{problem_description} (agent {agent_id})", iterations)
        write(solution, code)
        helios("commit", "-m", f"Agent {agent_id} attempt {iterations}", cwd=work)
        commit = rev_parse("HEAD", work)
        score = fake_score(solution)
        if score > best_score:
            best_score, best_code = score, code
            kept.append((f"Agent {agent_id} attempt {iterations}", commit))
        else:
            helios("reset", "--hard", "HEAD~1", cwd=work)
            check_equal(read(solution), best_code,
                        f"agent {agent_id}: {solution} after rolling back attempt {iterations} (must be its best so far)")
        iterations += 1
    return agent_id, best_score, rev_parse("HEAD", work), kept


def workflow(base):
    repo = os.path.join(base, "repo")
    os.makedirs(repo)
    helios("init", cwd=repo)
    for name, text in BASE_FILES.items():
        write(os.path.join(repo, name), text)
    helios("commit", "-m", "base", cwd=repo)
    base_commit = rev_parse("HEAD", repo)

    expected = {a: expected_run(a) for a in range(AGENTS)}
    for a, (best, kept, iterations) in expected.items():
        print(f"agent {a}: expected to keep attempts {kept} of {iterations}, best score {best}")
    check(any(len(kept) < iterations for _, kept, iterations in expected.values()),
          "the fake scores never roll back an attempt: the test would not exercise reset")

    with concurrent.futures.ThreadPoolExecutor(max_workers=AGENTS) as executor:
        futures = [executor.submit(run_ai_agent_experiment, i, PROBLEM, repo, base) for i in range(AGENTS)]
        results = [f.result() for f in futures]

    for agent_id, best_score, head, kept in results:
        best, kept_iterations, _ = expected[agent_id]
        work = os.path.join(base, f"agent-{agent_id}")
        check_equal(best_score, best, f"agent {agent_id}: best score")
        check_equal([s for s, _ in kept], [f"Agent {agent_id} attempt {i}" for i in kept_iterations],
                    f"agent {agent_id}: attempts kept")
        check_equal(head, kept[-1][1], f"agent {agent_id}: HEAD (its last kept attempt)")
        check_equal(rev_parse(f"agent-{agent_id}-experiment", repo), head,
                    f"branch agent-{agent_id}-experiment seen from the main worktree")
        check_log(work, list(reversed(kept)) + [("base", base_commit)])
        check_clean(work)
        files = {k: v.encode() for k, v in BASE_FILES.items()}
        files[f"solution_{agent_id}.py"] = fake_generate(f"{PROBLEM} (agent {agent_id})", kept_iterations[-1]).encode()
        check_equal(snapshot(work)[0], files, f"agent {agent_id}: files of {work} (only its own solution, its best)")

    # Main did not move and saw none of the agents' files.
    check_equal(rev_parse("main", repo), base_commit, "branch main after the agents ran")
    check_equal(rev_parse("HEAD", repo), base_commit, "HEAD of the main worktree after the agents ran")
    check_equal(snapshot(repo)[0], {k: v.encode() for k, v in BASE_FILES.items()}, "files of the main worktree")
    check_log(repo, [("base", base_commit)])
    check_clean(repo)

    listing = helios("worktree", "list", cwd=repo).stdout
    for agent_id in range(AGENTS):
        work = os.path.join(base, f"agent-{agent_id}")
        check(work in listing, f"`helios worktree list` does not list {work}:\n{listing}")

    winner = max(results, key=lambda r: (r[1], -r[0]))
    winner_id, winner_score, winner_head, _ = winner
    print(f"Agent {winner_id} won with score {winner_score}")
    winner_file = os.path.join(base, f"agent-{winner_id}", f"solution_{winner_id}.py")
    check_equal(read(winner_file), fake_generate(f"{PROBLEM} (agent {winner_id})", expected[winner_id][1][-1]),
                f"the winner's {winner_file}")

    merge_help = subprocess.run(["helios", "merge", "--help"], cwd=repo, capture_output=True, text=True)
    if merge_help.returncode != 0:
        print("merge step skipped pending the merge issue (`helios merge --help` exited "
              f"{merge_help.returncode})")
        return
    if "helios merge" not in merge_help.stdout:
        # Seen with the first working-directory CLI: an unknown command followed by --help prints
        # the root help and exits 0, so exit 0 alone does not prove that merge exists.
        print("merge step skipped pending the merge issue: `helios merge --help` exited 0 but printed "
              "no usage of `helios merge` (an unknown command with --help should fail)")
        return
    helios("checkout", "main", cwd=repo)
    helios("merge", winner_head, cwd=repo)
    check_equal(read(os.path.join(repo, f"solution_{winner_id}.py")), read(winner_file),
                "the winner's solution in main after `helios merge`")
    check_clean(repo)
    print(f"merged agent {winner_id}'s {winner_head[:12]} into main")


if __name__ == "__main__":
    sys.exit(main("parallel_agents", workflow))
