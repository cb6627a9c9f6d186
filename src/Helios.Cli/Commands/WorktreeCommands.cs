using System.CommandLine;
using Helios.Core.Errors;
using Helios.Core.Objects;
using Helios.Core.Refs;
using Helios.Core.Repositories;
using Helios.Core.WorkingTrees;

namespace Helios.Cli.Commands;

/// <summary>worktree add, list, remove: one directory per agent, all sharing one store.</summary>
internal static class WorktreeCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        var worktree = new Command("worktree", "Manage worktrees: extra working directories on their own branches, sharing this repository's store.");

        var path = new Argument<string>("path") { Description = "The new worktree's directory (must not exist, or be empty)." };
        var start = new Argument<string?>("commit-ish") { Arity = ArgumentArity.ZeroOrOne, Description = "A branch to check out, or where the new branch starts (default HEAD)." };
        var branch = new Option<string?>("-b") { Description = "Create this branch for the worktree (default: the directory's name when no existing branch is given)." };
        var detach = new Option<bool>("--detach") { Description = "Check out the commit with a detached HEAD instead of a branch." };
        var force = new Option<bool>("--force", "-f") { Description = "Check out a branch even when another worktree has it checked out." };
        worktree.Subcommands.Add(CommandBuilder.Create("add", "Create a worktree and check out a branch in it.",
            p => AddWorktree(context, p.GetValue(path)!, p.GetValue(start), p.GetValue(branch), p.GetValue(detach), p.GetValue(force)), path, start, branch, detach, force));

        worktree.Subcommands.Add(CommandBuilder.Create("list", "List the worktrees: path, commit and branch.", _ => List(context)));

        var removePath = new Argument<string>("path") { Description = "The worktree to remove." };
        var forceRemove = new Option<bool>("--force", "-f") { Description = "Remove even with uncommitted changes (they are lost)." };
        worktree.Subcommands.Add(CommandBuilder.Create("remove", "Delete a worktree's directory and forget it (its branch stays).",
            p => Remove(context, p.GetValue(removePath)!, p.GetValue(forceRemove)), removePath, forceRemove));

        root.Subcommands.Add(worktree);
    }

    private static int AddWorktree(CliContext context, string path, string? start, string? newBranch, bool detach, bool force)
    {
        var repository = context.Repository;
        string target = Path.GetFullPath(Path.Combine(context.CurrentDirectory, path));

        // Decide what the worktree checks out before touching the disk, so bad input changes nothing.
        BranchName? existing = newBranch is null && !detach && start is not null && BranchName.Validate(start) is null
            && repository.TryGetBranch(BranchName.Parse(start)) is not null ? BranchName.Parse(start) : null;
        if (existing is { } shared && !force && repository.CheckedOutBranches().Contains(shared))
        {
            // Two worktrees on one branch: each commit from one makes the other's files stale.
            throw new HeliosException(HeliosErrorCode.InvalidState, $"Branch '{shared}' is already checked out in another worktree; use -b NEW to start a branch from it, or --force.");
        }

        var at = existing is null ? repository.ResolveRevision(start ?? "HEAD") : (ObjectId?)null;
        BranchName? create = existing is null && !detach ? BranchName.Parse(newBranch ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(target))) : null;
        if (create is { } c && repository.TryGetBranch(c) is not null)
        {
            throw new HeliosException(HeliosErrorCode.AlreadyExists, $"Branch '{c}' already exists; check it out with 'helios worktree add {path} {c}' or pick another name with -b.");
        }

        bool madeDirectory = !Directory.Exists(target);
        var layout = context.Layout.Register(target);
        try
        {
            if (detach)
            {
                repository.CreateHead(layout.Head, RefTarget.To(at!.Value), null, context.Agent);
            }
            else
            {
                var branchName = existing ?? create!.Value;
                repository.CreateHead(layout.Head, RefTarget.Follow(branchName.Ref), create is { } n ? (n, at!.Value) : null, context.Agent);
            }

            using var linked = CliContext.Open(layout);
            new WorkingTree(linked, layout.Root, layout.IndexFile, layout.Agent).Populate();
            context.Error.WriteLine($"Preparing worktree {layout.Name} at {target} ({(detach ? $"detached HEAD {at!.Value.ToShortString()}" : $"branch '{existing ?? create}'")})");
            return ExitCodes.Success;
        }
        catch
        {
            // Leave nothing half-made behind: the registration, the HEAD, the new branch and the directory go.
            context.Layout.Unregister(layout.Name!);
            if (repository.Refs.Read(layout.Head) is not null)
            {
                repository.DeleteHead(layout.Head, context.Agent);
            }

            if (create is { } created && repository.TryGetBranch(created) == at)
            {
                repository.DeleteBranch(created, context.Agent);
            }

            if (madeDirectory)
            {
                Directory.Delete(target, recursive: true);
            }

            throw;
        }
    }

    private static int List(CliContext context)
    {
        var main = WorktreeLayout.Main(context.Layout.MainRoot);
        var rows = new List<(string Path, RefName Head)> { (main.Root, RefName.Head) };
        rows.AddRange(context.Layout.ListLinked().Select(w => (w.Path, WorktreeLayout.HeadOf(w.Name))));
        int width = rows.Max(r => r.Path.Length);
        foreach (var (worktreePath, head) in rows)
        {
            var target = context.Repository.Refs.Read(head);
            var branchRef = target?.Symbolic;
            var commit = branchRef is { } b ? context.Repository.Refs.Read(b)?.Id : target?.Id;
            string where = branchRef is { } r ? $"[{BranchName.FromRef(r)?.Value ?? r.Value}]" : "(detached HEAD)";
            context.Out.WriteLine($"{worktreePath.PadRight(width)}  {commit?.ToShortString() ?? "(no commit)",-12} {where}");
        }

        return ExitCodes.Success;
    }

    private static int Remove(CliContext context, string path, bool force)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(context.CurrentDirectory, path)));
        var info = context.Layout.ListLinked().FirstOrDefault(w => w.Path == target)
            ?? throw new NotFoundException(path, $"'{path}' is not a linked worktree of this repository (see 'helios worktree list').");
        var layout = context.Layout.Linked(info);
        if (context.Layout.Root == layout.Root)
        {
            throw new HeliosException(HeliosErrorCode.InvalidState, "Cannot remove the worktree you are in; run the command from another worktree.");
        }

        if (Directory.Exists(layout.Root) && !force)
        {
            using var linked = CliContext.Open(layout);
            if (new WorkingTree(linked, layout.Root, layout.IndexFile, layout.Agent).HasTrackedChanges())
            {
                throw new HeliosException(HeliosErrorCode.Conflict, $"Worktree '{path}' has uncommitted changes; commit them, or use --force to discard them.");
            }
        }

        if (Directory.Exists(layout.Root))
        {
            Directory.Delete(layout.Root, recursive: true);
        }

        context.Repository.DeleteHead(layout.Head, context.Agent);
        context.Layout.Unregister(info.Name);
        return ExitCodes.Success;
    }
}
