using System.CommandLine;
using Helios.Core.Errors;
using Helios.Core.Refs;
using Helios.Core.Repositories;

namespace Helios.Cli.Commands;

/// <summary>branch, checkout, switch, reset: moving between and along lines of work.</summary>
internal static class BranchCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        var name = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "Branch to create (list branches when omitted)." };
        var start = new Argument<string?>("base") { Arity = ArgumentArity.ZeroOrOne, Description = "Where the new branch starts (default: HEAD)." };
        var delete = new Option<string[]>("--delete", "-d", "-D") { Description = "Delete these branches (their commits stay until gc)." };
        root.Subcommands.Add(CommandBuilder.Create("branch", "List, create or delete branches.",
            p => Branch(context, p.GetValue(name), p.GetValue(start), p.GetValue(delete) ?? []), name, start, delete));

        var target = new Argument<string?>("revision") { Arity = ArgumentArity.ZeroOrOne, Description = "A branch to switch to, or a commit to detach HEAD at." };
        var newBranch = new Option<string?>("-b") { Description = "Create this branch at the revision (default HEAD) and switch to it." };
        root.Subcommands.Add(CommandBuilder.Create("checkout", "Switch to a branch or a commit, writing only the files that differ.",
            p => Checkout(context, p.GetValue(target), p.GetValue(newBranch)), target, newBranch));

        var switchTarget = new Argument<string?>("branch") { Arity = ArgumentArity.ZeroOrOne, Description = "The branch to switch to (a commit with --detach)." };
        var create = new Option<string?>("--create", "-c") { Description = "Create this branch at the revision (default HEAD) and switch to it." };
        var detach = new Option<bool>("--detach") { Description = "Detach HEAD at the given commit." };
        root.Subcommands.Add(CommandBuilder.Create("switch", "Switch to a branch.", p =>
        {
            string? branch = p.GetValue(switchTarget);
            if (p.GetValue(create) is null && !p.GetValue(detach) && branch is not null && BranchName.Validate(branch) is null
                && context.Repository.TryGetBranch(BranchName.Parse(branch)) is null)
            {
                throw new NotFoundException(branch, $"Branch '{branch}' does not exist; create it with 'helios switch -c {branch}'.");
            }

            return Checkout(context, branch, p.GetValue(create));
        }, switchTarget, create, detach));

        var hard = new Option<bool>("--hard") { Description = "Also make the files match the target, discarding local changes to tracked files." };
        var soft = new Option<bool>("--soft") { Description = "Move the branch only; files and staged paths stay as they are." };
        var mixed = new Option<bool>("--mixed") { Description = "Move the branch and unstage paths; files stay as they are (the default)." };
        var resetTarget = new Argument<string?>("revision") { Arity = ArgumentArity.ZeroOrOne, Description = "The commit to move to (default HEAD)." };
        root.Subcommands.Add(CommandBuilder.Create("reset", "Move the current branch to another commit.",
            p => Reset(context, p.GetValue(resetTarget) ?? "HEAD", p.GetValue(hard), p.GetValue(soft), p.GetValue(mixed)), resetTarget, hard, soft, mixed));
    }

    private static int Branch(CliContext context, string? name, string? start, string[] delete)
    {
        var repository = context.Repository;
        if (delete.Length > 0)
        {
            if (name is not null)
            {
                throw new HeliosException(HeliosErrorCode.InvalidArgument, "Give branches to delete with -d only, not a new branch name too.");
            }

            foreach (var branch in delete)
            {
                var parsed = BranchName.Parse(branch);
                var head = repository.TryGetBranch(parsed);
                repository.DeleteBranch(parsed, context.Agent);
                context.Out.WriteLine($"Deleted branch {branch} (was {head?.ToShortString()}).");
            }

            return ExitCodes.Success;
        }

        if (name is null)
        {
            var current = repository.CurrentBranch;
            foreach (var branch in repository.ListBranches())
            {
                context.Out.WriteLine($"{(branch.Name == current ? '*' : ' ')} {branch.Name}");
            }

            return ExitCodes.Success;
        }

        var at = repository.ResolveRevision(start ?? "HEAD");
        repository.CreateBranch(BranchName.Parse(name), at, context.Agent);
        return ExitCodes.Success;
    }

    private static int Checkout(CliContext context, string? revision, string? newBranch)
    {
        var repository = context.Repository;
        if (newBranch is not null)
        {
            var branch = BranchName.Parse(newBranch);
            var at = repository.ResolveRevision(revision ?? "HEAD");
            repository.CreateBranch(branch, at, context.Agent);
            context.Worktree.Checkout(newBranch);
            context.Error.WriteLine($"Switched to a new branch '{newBranch}'");
            return ExitCodes.Success;
        }

        if (revision is null)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "Name a branch or commit to check out (or use -b NAME to create a branch).");
        }

        context.Worktree.Checkout(revision);
        context.Error.WriteLine(repository.CurrentBranch is { } current
            ? $"Switched to branch '{current}'"
            : $"HEAD is now at {repository.HeadCommit?.ToShortString()}");
        return ExitCodes.Success;
    }

    private static int Reset(CliContext context, string revision, bool hard, bool soft, bool mixed)
    {
        if ((hard ? 1 : 0) + (soft ? 1 : 0) + (mixed ? 1 : 0) > 1)
        {
            throw new HeliosException(HeliosErrorCode.InvalidArgument, "Choose one of --hard, --soft and --mixed.");
        }

        var target = context.Repository.ResolveRevision(revision);
        var mode = hard ? ResetMode.Hard : ResetMode.Soft;
        context.Worktree.Reset(target, mode, keepStaged: soft);
        if (hard)
        {
            var commit = context.Repository.ReadCommit(target);
            context.Out.WriteLine($"HEAD is now at {target.ToShortString()} {commit.Subject}");
        }

        return ExitCodes.Success;
    }
}
