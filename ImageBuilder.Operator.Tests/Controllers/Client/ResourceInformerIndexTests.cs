using System.Net;
using System.Threading.Channels;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageBuilder.Operator.Tests.Controllers.Client;

/// <summary>The informer's secondary indexes follow its cache through adds, changes that move an object to another key, deletes and relists.</summary>
public sealed class ResourceInformerIndexTests : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    private static readonly CacheIndex<V1ConfigMap> ByTeam = new("team", m => m.Metadata.Labels?.TryGetValue("team", out var team) == true ? team : null);
    private readonly ScriptedResourceClient<V1ConfigMap> _client = new();
    private readonly ResourceInformer<V1ConfigMap> _informer;
    private readonly Seen _seen = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public ResourceInformerIndexTests()
    {
        _informer = new(_client, new InformerSettings { ResyncPeriod = TimeSpan.Zero }, TimeProvider.System, NullLogger<ResourceInformer<V1ConfigMap>>.Instance);
        _informer.AddHandler(_seen);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
    }

    private static V1ConfigMap Map(string name, string? team) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            Labels = team is null ? null : new Dictionary<string, string> { ["team"] = team },
        },
    };

    private async Task StartAsync(params V1ConfigMap[] listed)
    {
        _run = _informer.RunAsync(_stop.Token);
        await _client.AskedAsync();
        await _client.AnswerListAsync(listed);
        using var guard = new CancellationTokenSource(Guard);
        await _informer.WaitForSyncAsync(guard.Token);
        await _seen.NextAsync(listed.Length);
    }

    private string[] Team(string team, IObjectCache<V1ConfigMap>? cache = null) =>
        [.. (cache ?? _informer).ByIndex(ByTeam, team).Select(m => m.Metadata.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Index_FollowsAddsChangesOfKeyDeletesAndARelist()
    {
        _informer.AddIndex(ByTeam);
        await StartAsync(Map("a", "blue"), Map("b", "blue"), Map("c", "red"), Map("d", null));
        Assert.Equal(["a", "b"], Team("blue"));
        Assert.Equal(["c"], Team("red"));
        Assert.Empty(Team("green"));

        await _client.SendAsync(WatchEventType.Modified, Map("b", "red"));
        await _seen.NextAsync(1);
        Assert.Equal(["a"], Team("blue"));
        Assert.Equal(["b", "c"], Team("red"));

        await _client.SendAsync(WatchEventType.Added, Map("e", "blue"));
        await _client.SendAsync(WatchEventType.Deleted, Map("a", "blue"));
        await _client.SendAsync(WatchEventType.Modified, Map("c", null));
        await _seen.NextAsync(3);
        Assert.Equal(["e"], Team("blue"));
        Assert.Equal(["b"], Team("red"));

        // A 410 Gone: the informer lists again, and what vanished or moved meanwhile leaves its old key.
        await _client.ReportErrorAsync(new KubernetesException(new V1Status { Code = (int)HttpStatusCode.Gone, Reason = "Expired" }));
        await _client.AnswerListAsync(Map("c", "green"), Map("f", "blue"), Map("g", null));
        var relisted = await _seen.NextAsync(6);
        Assert.Equal(["add f", "add g", "delete b", "delete d", "delete e", "update c"], relisted.Order(StringComparer.Ordinal));
        Assert.Equal(["f"], Team("blue"));
        Assert.Equal(["c"], Team("green"));
        Assert.Empty(Team("red"));
    }

    [Fact]
    public async Task Index_AHandlerToldOfAChange_FindsItUnderItsNewKeyAlready()
    {
        _informer.AddIndex(ByTeam);
        await StartAsync(Map("a", "blue"));
        _seen.OnEach = () => Team("red");

        await _client.SendAsync(WatchEventType.Modified, Map("a", "red"));
        await _seen.NextAsync(1);

        Assert.Equal(["a"], _seen.LastLookup!);
    }

    [Fact]
    public async Task AddIndex_AfterObjectsAreCached_FilesThemToo()
    {
        await StartAsync(Map("a", "blue"), Map("b", "red"));

        _informer.AddIndex(ByTeam);

        Assert.Equal(["a"], Team("blue"));
        Assert.Equal(["b"], Team("red"));
    }

    [Fact]
    public async Task Index_KeyFunctionThrows_LeavesThatObjectOutAndTheCacheGoesOn()
    {
        var fragile = new CacheIndex<V1ConfigMap>("fragile", m => m.Metadata.Name == "bad" ? throw new InvalidOperationException("no key") : "all");
        _informer.AddIndex(fragile);
        await StartAsync(Map("bad", null), Map("good", null));

        await _client.SendAsync(WatchEventType.Added, Map("later", null));
        await _seen.NextAsync(1);

        Assert.Equal(["good", "later"], _informer.ByIndex(fragile, "all").Select(m => m.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.NotNull(_informer.Get(new ObjectKey("ns", "bad")));
    }

    [Fact]
    public void ByIndex_IndexNeverAdded_FailsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => _informer.ByIndex(ByTeam, "blue"));

        Assert.Contains("'team'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddIndex_SameIndexTwice_KeepsOneButAnotherOfTheSameNameFails()
    {
        _informer.AddIndex(ByTeam);
        _informer.AddIndex(ByTeam);

        Assert.Throws<ArgumentException>(() => _informer.AddIndex(new CacheIndex<V1ConfigMap>("team", m => m.Metadata.Name)));
    }

    [Fact]
    public async Task ByIndex_OfACacheWithoutIndexes_ScansItsObjects()
    {
        // The interface's default, which the in-memory caches of the step tests answer with: the same answer, by a scan.
        await StartAsync(Map("a", "blue"), Map("b", "red"), Map("c", "blue"));

        Assert.Equal(["a", "c"], Team("blue", new Unindexed(_informer)));
    }

    /// <summary>The informer's objects behind the interface alone, without its indexes.</summary>
    private sealed class Unindexed(IObjectCache<V1ConfigMap> inner) : IObjectCache<V1ConfigMap>
    {
        public bool HasSynced => inner.HasSynced;

        public V1ConfigMap? Get(ObjectKey key) => inner.Get(key);

        public IReadOnlyList<V1ConfigMap> List(string? @namespace = null) => inner.List(@namespace);

        public Task WaitForSyncAsync(CancellationToken cancellationToken) => inner.WaitForSyncAsync(cancellationToken);
    }

    /// <summary>What the informer announced, in order; optionally a lookup made from inside each notification.</summary>
    private sealed class Seen : IInformerHandler<V1ConfigMap>
    {
        private readonly Channel<string> _events = Channel.CreateUnbounded<string>();

        public Func<string[]>? OnEach { get; set; }

        public string[]? LastLookup { get; private set; }

        public void OnAdd(V1ConfigMap obj) => Record("add " + obj.Name());

        public void OnUpdate(V1ConfigMap oldObj, V1ConfigMap newObj) => Record("update " + newObj.Name());

        public void OnDelete(V1ConfigMap obj) => Record("delete " + obj.Name());

        public async Task<List<string>> NextAsync(int count)
        {
            using var guard = new CancellationTokenSource(Guard);
            var events = new List<string>();
            while (events.Count < count)
            {
                events.Add(await _events.Reader.ReadAsync(guard.Token));
            }
            return events;
        }

        private void Record(string what)
        {
            if (OnEach is { } lookup)
            {
                LastLookup = lookup();
            }
            _events.Writer.TryWrite(what);
        }
    }
}
