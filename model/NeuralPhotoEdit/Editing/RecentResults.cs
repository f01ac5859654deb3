namespace NeuralPhotoEdit.Editing;

/// <summary>Results by key, the most recently used kept: at most <c>count</c> of them and <c>bytes</c> in
/// all (by <c>size</c>); safe to use from several threads.</summary>
public sealed class RecentResults<T>(int count, long bytes, Func<T, long> size) where T : class
{
    readonly LinkedList<(string Key, T Value)> _entries = new();
    readonly Lock _gate = new();

    public T? Find(string key)
    {
        lock (_gate)
            for (var node = _entries.First; node is not null; node = node.Next)
                if (node.Value.Key == key)
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    return node.Value.Value;
                }
        return null;
    }

    public void Add(string key, T value)
    {
        if (size(value) > bytes) return;
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
                if (node.Value.Key == key) { _entries.Remove(node); break; }
            _entries.AddFirst((key, value));
            while (_entries.Count > count || _entries.Sum(e => size(e.Value)) > bytes) _entries.RemoveLast();
        }
    }

    public void Clear()
    {
        lock (_gate) _entries.Clear();
    }
}
