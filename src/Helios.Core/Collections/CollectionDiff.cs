using Helios.Core.Objects;

namespace Helios.Core.Collections;

/// <summary>
/// The differences between two trees, found by walking both in key order as streams of items,
/// where an item is a leaf entry or a whole child subtree. Two subtree items with the same first key
/// and id hold the same entries and are skipped together, unread; otherwise the subtree that starts
/// first (or, at the same key, the taller one) is opened. Node boundaries depend on keys only, so
/// outside the changed key ranges both trees hold the same nodes and the walk reads O(changes × height) nodes.
/// </summary>
internal static class CollectionDiff
{
    public static IEnumerable<(byte[] Key, StoredValue? Old, StoredValue? New)> Changes(CollectionTree tree, ObjectId fromRoot, ObjectId toRoot)
    {
        if (fromRoot == toRoot)
        {
            yield break;
        }

        var a = new ItemStream(tree, tree.ReadNode(fromRoot, null));
        var b = new ItemStream(tree, tree.ReadNode(toRoot, null));
        while (!a.AtEnd || !b.AtEnd)
        {
            int c = a.AtEnd ? 1 : b.AtEnd ? -1 : CollectionKey.Compare(a.Key, b.Key);
            if (c < 0)
            {
                if (a.IsSubtree) a.Open();
                else
                {
                    yield return (a.Key, a.Value, null);
                    a.Advance();
                }
            }
            else if (c > 0)
            {
                if (b.IsSubtree) b.Open();
                else
                {
                    yield return (b.Key, null, b.Value);
                    b.Advance();
                }
            }
            else if (a.IsSubtree && b.IsSubtree && a.Child == b.Child)
            {
                a.Advance();
                b.Advance();
            }
            else if (a.IsSubtree || b.IsSubtree)
            {
                if (a.ItemLevel >= b.ItemLevel) a.Open();
                else b.Open();
            }
            else
            {
                if (a.Value != b.Value)
                {
                    yield return (a.Key, a.Value, b.Value);
                }

                a.Advance();
                b.Advance();
            }
        }
    }

    /// <summary>A tree as a stream of items in key order: the next unread entry of the deepest opened node.</summary>
    private sealed class ItemStream
    {
        private readonly CollectionTree _tree;
        private readonly Stack<(CollectionNode Node, int Index)> _frames = new();

        public ItemStream(CollectionTree tree, CollectionNode root)
        {
            _tree = tree;
            Push(root);
        }

        public bool AtEnd => _frames.Count == 0;

        private CollectionNode Node => _frames.Peek().Node;

        private int Index => _frames.Peek().Index;

        public byte[] Key => Node.KeyArray(Index);

        /// <summary>True when the item is a child subtree, false when it is a leaf entry.</summary>
        public bool IsSubtree => !Node.IsLeaf;

        /// <summary>The level of the item's node: the child's level for a subtree, -1 for a leaf entry.</summary>
        public int ItemLevel => Node.Level - 1;

        public ObjectId Child => Node.Child(Index);

        public StoredValue Value => Node.Value(Index);

        public void Advance()
        {
            var (node, index) = _frames.Pop();
            if (index + 1 < node.Count)
            {
                _frames.Push((node, index + 1));
            }
        }

        /// <summary>Replaces the current subtree item by the items of its node.</summary>
        public void Open()
        {
            var (node, index) = _frames.Peek();
            var child = _tree.ReadNode(node.Child(index), node.Level - 1);
            Advance();
            Push(child);
        }

        private void Push(CollectionNode node)
        {
            if (node.Count > 0)
            {
                _frames.Push((node, 0));
            }
        }
    }
}
