namespace ImageBuilder.GitHubServer;

/// <summary>One repository of the test server: a bare git repository on disk plus what GitHub keeps beside git.</summary>
public sealed class TestRepository
{
    private readonly object _gate = new();
    private readonly List<TestRelease> _releases = [];
    private readonly List<(FaultKind Kind, string? PathContains)> _faults = [];
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);

    internal TestRepository(long id, string owner, string name, string gitDirectory, string defaultBranch, bool isPrivate, DateTimeOffset createdAt)
    {
        Id = id;
        Owner = owner;
        Name = name;
        GitDirectory = gitDirectory;
        DefaultBranch = defaultBranch;
        IsPrivate = isPrivate;
        CreatedAt = createdAt;
    }

    public long Id { get; }
    public string Owner { get; }
    public string Name { get; }
    public string FullName => $"{Owner}/{Name}";
    /// <summary>The bare repository (<c>…/owner/name.git</c>).</summary>
    public string GitDirectory { get; }
    public string DefaultBranch { get; }
    public bool IsPrivate { get; }
    public DateTimeOffset CreatedAt { get; }

    public IReadOnlyList<TestRelease> Releases
    {
        get
        {
            lock (_gate)
            {
                return [.. _releases];
            }
        }
    }

    internal void GrantToken(string token)
    {
        lock (_gate)
        {
            _tokens.Add(token);
        }
    }

    internal bool Allows(string? token)
    {
        lock (_gate)
        {
            return !IsPrivate || (token is not null && _tokens.Contains(token));
        }
    }

    internal void AddRelease(TestRelease release)
    {
        lock (_gate)
        {
            _releases.Add(release);
        }
    }

    internal void InjectFault(FaultKind kind, int count, string? pathContains)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Add((kind, pathContains));
            }
        }
    }

    /// <summary>The first pending fault for a request to <paramref name="path"/>, removed; null when none applies.</summary>
    internal FaultKind? TakeFault(string path)
    {
        lock (_gate)
        {
            var index = _faults.FindIndex(f => f.PathContains is null || path.Contains(f.PathContains, StringComparison.Ordinal));
            if (index < 0)
            {
                return null;
            }
            var kind = _faults[index].Kind;
            _faults.RemoveAt(index);
            return kind;
        }
    }
}
