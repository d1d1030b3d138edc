using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Reconciliation;
using k8s.Autorest;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class ImageBuildStoreTests
{
    private static readonly ObjectKey Key = new("team", "app");
    private readonly InMemoryObjects<ImageBuild> _api = new();
    private readonly InMemoryObjects<ImageBuild> _cache = new();

    private ImageBuildStore Store() => new(_api, _api, _cache);

    private static Task<ImageBuild?> GetAppAsync(ImageBuildStore store) => store.GetAsync("team", "app", CancellationToken.None);

    /// <summary>A store that has just written <paramref name="written"/> over a Pending build: its reads go live until the cache shows that write.</summary>
    private async Task<ImageBuildStore> AfterOwnWriteAsync(ImageBuildStatus written)
    {
        var store = Store();
        await store.WriteStatusIfChangedAsync(Stored(s => s.Phase = Phases.Pending), written, CancellationToken.None);
        return store;
    }

    /// <summary>The build as the apiserver holds it (resourceVersion 10), and the same copy in the cache.</summary>
    private ImageBuild Stored(Action<ImageBuildStatus>? status = null, long generation = 1)
    {
        var build = Builds.New();
        build.Metadata.Generation = generation;
        build.Metadata.ResourceVersion = "10";
        if (status is not null)
        {
            build.Status = new ImageBuildStatus { ObservedGeneration = 1 };
            status(build.Status);
        }
        _api.With(build);
        _cache.With(build);
        return build;
    }

    private static V1Condition Ready(string reason) =>
        new() { Type = ConditionTypes.Ready, Status = "False", Reason = reason, Message = reason, LastTransitionTime = Builds.Now.UtcDateTime, ObservedGeneration = 1 };

    public static TheoryData<string, Action<ImageBuildStatus>?, long, Action<ImageBuildStatus>, bool> Writes => new()
    {
        // case, status stored (null: none yet), generation, the new status, written
        { "first status", null, 1, s => s.Phase = Phases.Pending, true },
        { "first status, empty", null, 1, _ => { }, true },
        { "unchanged", s => s.Phase = Phases.Building, 1, s => s.Phase = Phases.Building, false },
        { "phase moved", s => s.Phase = Phases.Pending, 1, s => s.Phase = Phases.Building, true },
        { "spec changed: generation observed", s => s.Phase = Phases.Building, 2, s => s.Phase = Phases.Building, true },
        { "same condition", s => s.Conditions = [Ready(Reasons.BuildStarted)], 1, s => s.Conditions = [Ready(Reasons.BuildStarted)], false },
        { "condition changed", s => s.Conditions = [Ready(Reasons.BuildStarted)], 1, s => s.Conditions = [Ready(Reasons.RetryScheduled)], true },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task WriteStatusIfChanged_Case_WritesOnlyAChangeWithTheReadVersionAndTheGenerationObserved(
        string name, Action<ImageBuildStatus>? stored, long generation, Action<ImageBuildStatus> change, bool written)
    {
        var build = Stored(stored, generation);
        var status = ImageBuildStore.CopyStatus(build.Status);
        change(status);

        var wrote = await Store().WriteStatusIfChangedAsync(build, status, CancellationToken.None);

        Assert.True(written == wrote, name);
        Assert.Equal(written ? 1 : 0, _api.StatusWrites.Count);
        if (written)
        {
            var sent = _api.StatusWrites[0];
            Assert.Equal(("10", generation), (sent.Metadata.ResourceVersion, sent.Status!.ObservedGeneration));
            Assert.Equal(status.Phase, sent.Status.Phase);
            Assert.Equal("owner/app", sent.Spec.Source.Repo);
        }
    }

    [Fact]
    public async Task WriteStatusIfChanged_ObjectChangedSinceTheRead_FailsWithTheConflictAndWritesNothing()
    {
        // The reconcile is retried on fresh data: the step that decided on the old copy runs again.
        var build = Stored(s => s.Phase = Phases.Pending);
        var read = Builds.New();
        read.Metadata.ResourceVersion = "9";
        read.Status = build.Status;

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Store().WriteStatusIfChangedAsync(read, new ImageBuildStatus { Phase = Phases.Building }, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal(Phases.Pending, _api.Get(Key)!.Status!.Phase);
    }

    [Fact]
    public async Task WriteStatusIfChanged_ReconcileCancelled_TheWriteStillLands()
    {
        // The status records a Job that already exists: dropping the write would make the next reconcile adopt it blind.
        var build = Stored(s => s.Phase = Phases.Pending);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.True(await Store().WriteStatusIfChangedAsync(build, new ImageBuildStatus { Phase = Phases.Building, Job = "app-1" }, cancelled.Token));

        Assert.Equal("app-1", _api.Get(Key)!.Status!.Job);
    }

    [Fact]
    public async Task Get_CachedAndNothingWritten_ReadsTheCacheOnly()
    {
        var build = Stored(s => s.Phase = Phases.Building);

        Assert.Same(build, await GetAppAsync(Store()));
        Assert.Empty(_api.Reads);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_NotCached_ReadsLive(bool exists)
    {
        if (exists)
        {
            _api.With(Builds.New());
        }

        var build = await GetAppAsync(Store());

        Assert.Equal(exists, build is not null);
        Assert.Equal([("team", "app")], _api.Reads);
    }

    [Fact]
    public async Task Get_AfterOwnWrite_ReadsLiveUntilTheCacheShowsThatVersion()
    {
        var store = await AfterOwnWriteAsync(new ImageBuildStatus { Phase = Phases.Building, Job = "app-1" });
        var written = _api.Get(Key)!;

        var lagging = await GetAppAsync(store);
        _cache.With(written);
        var caughtUp = await GetAppAsync(store);
        var later = await GetAppAsync(store);

        Assert.Equal(("app-1", written.Metadata.ResourceVersion), (lagging!.Status!.Job, lagging.Metadata.ResourceVersion));
        Assert.Same(written, caughtUp);
        Assert.Same(written, later);
        Assert.Single(_api.Reads);
    }

    [Fact]
    public async Task WriteStatus_ManyBuildsOverAndNeverReadAgain_ForgetsTheWritesTheCacheShowsButNotALaggingOne()
    {
        // A terminal build's last status write wakes no reconcile (status-only changes are not enqueued), so no read
        // ever forgets it: the store must, once the cache shows it, or each finished build keeps an entry until deleted.
        var store = Store();
        ImageBuild Build(int i)
        {
            var build = Builds.New();
            build.Metadata.Name = $"app-{i}";
            // Not a number: the fake's writes number their versions from 1.
            build.Metadata.ResourceVersion = "created";
            _api.With(build);
            _cache.With(build);
            return build;
        }
        var lagging = Build(0);
        await store.WriteStatusIfChangedAsync(lagging, new ImageBuildStatus { Phase = Phases.Succeeded }, CancellationToken.None);
        for (var i = 1; i < ImageBuildStore.SweepAtLeast; i++)
        {
            var build = Build(i);
            await store.WriteStatusIfChangedAsync(build, new ImageBuildStatus { Phase = Phases.Succeeded }, CancellationToken.None);
            // The watch delivers this write to the cache before the next one; app-0's has not arrived.
            _cache.With(_api.Get(new ObjectKey("team", build.Metadata.Name))!);
        }

        // Kept: app-0, and the write that reached the threshold (the sweep ran before the cache showed it).
        Assert.Equal(2, store.PendingWrites);
        _api.Reads.Clear();
        var read = await store.GetAsync("team", "app-0", CancellationToken.None);
        Assert.Equal(Phases.Succeeded, read!.Status!.Phase);
        Assert.Equal([("team", "app-0")], _api.Reads);
    }

    [Fact]
    public async Task Get_AnotherWriterAfterOwnWrite_WaitsForTheCacheToShowTheirVersion()
    {
        var store = await AfterOwnWriteAsync(new ImageBuildStatus { Phase = Phases.Building });
        var theirs = _api.Get(Key)!;
        theirs.Metadata.ResourceVersion = "50"; // e.g. a cancel annotation written by a user

        var first = await GetAppAsync(store);
        _cache.With(theirs);
        var second = await GetAppAsync(store);

        Assert.Equal("50", first!.Metadata.ResourceVersion);
        Assert.Same(theirs, second);
        Assert.Single(_api.Reads);
    }

    [Fact]
    public async Task Get_DeletedAfterOwnWrite_NullThenTheCacheAgain()
    {
        var store = await AfterOwnWriteAsync(new ImageBuildStatus { Phase = Phases.Building });
        _api.Without("team", "app");

        Assert.Null(await GetAppAsync(store));
        var recreated = Builds.New();
        _cache.With(recreated);
        Assert.Same(recreated, await GetAppAsync(store));
        Assert.Single(_api.Reads);
    }

    [Fact]
    public async Task GetLive_BypassesTheCache()
    {
        Stored(s => s.Phase = Phases.Succeeded);

        var build = await Store().GetLiveAsync(Key, CancellationToken.None);

        Assert.Equal(Phases.Succeeded, build!.Status!.Phase);
        Assert.Equal([("team", "app")], _api.Reads);
    }
}
