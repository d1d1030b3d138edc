using System.Net;
using ImageBuilder.Operator.Controllers;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Controllers.Client;

/// <summary>
/// When a reader may trust the informer's copy (<see cref="Operator.Controllers.Client.ResourceInformer{T}.IsCurrent"/>):
/// the real informer, driven call by call.
/// </summary>
public sealed class ResourceInformerIsCurrentTests
{
    private static V1ConfigMap Map(string name, string resourceVersion) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", ResourceVersion = resourceVersion } };

    private static KubernetesException Status(HttpStatusCode code) =>
        new(new V1Status { Code = (int)code, Message = code.ToString() });

    /// <summary>
    /// Not current now, and current again as soon as the resumed watch delivers <paramref name="map"/>: an interruption that
    /// is not a 410 costs no new list.
    /// </summary>
    private static async Task AssertCurrentAgainWhenTheResumedWatchDeliversAsync(ScriptedInformer<V1ConfigMap> run, WatchEventType type, V1ConfigMap map)
    {
        Assert.False(run.Informer.IsCurrent);
        await run.Server.SendAsync(type, map);

        Assert.True(run.Informer.IsCurrent);
        Assert.Equal(1, run.Informer.ListCount);
    }

    [Fact]
    public async Task FalseUntilTheFirstList_ThenTrue()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        Assert.False(run.Informer.IsCurrent);

        await run.Server.AnswerListAsync(Map("a", "1"));

        Assert.True(run.Informer.IsCurrent);
        Assert.NotNull(run.Informer.Get(new ObjectKey("ns", "a")));
    }

    [Fact]
    public async Task FailedFirstList_StaysFalse()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();

        await run.Server.FailAsync(new HttpRequestException("refused"));

        Assert.False(run.Informer.IsCurrent);
        Assert.Equal(1, run.Informer.FailureCount);
    }

    [Fact]
    public async Task WatchEndedOnSchedule_StaysTrue_ResumedWithoutAList()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        await run.Server.AnswerListAsync();

        await run.Server.EndWatchAsync();

        Assert.True(run.Informer.IsCurrent);
        Assert.Equal((1, 2), (run.Informer.ListCount, run.Informer.WatchCount));
    }

    [Fact]
    public async Task FailedWatch_FalseUntilTheResumedWatchDeliversAnEvent()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        await run.Server.AnswerListAsync(Map("a", "1"));

        await run.Server.FailAsync(new HttpRequestException("connection reset"));

        await AssertCurrentAgainWhenTheResumedWatchDeliversAsync(run, WatchEventType.Modified, Map("a", "5"));
    }

    [Fact]
    public async Task FailedWatch_TrueAgainWhenTheResumedWatchEndsOnSchedule()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        await run.Server.AnswerListAsync();
        await run.Server.FailAsync(new HttpRequestException("connection reset"));
        Assert.False(run.Informer.IsCurrent);

        await run.Server.EndWatchAsync();

        Assert.True(run.Informer.IsCurrent);
    }

    [Fact]
    public async Task Gone410_FalseUntilListedAgain()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        await run.Server.AnswerListAsync(Map("a", "1"));

        await run.Server.ReportErrorAsync(Status(HttpStatusCode.Gone));
        Assert.False(run.Informer.IsCurrent);
        await run.Server.AnswerListAsync(Map("b", "7"));

        Assert.True(run.Informer.IsCurrent);
        Assert.Equal(2, run.Informer.ListCount);
        Assert.Null(run.Informer.Get(new ObjectKey("ns", "a")));
    }

    [Fact]
    public async Task OtherErrorEvent_FalseUntilTheResumedWatchDeliversAnEvent()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        await run.Server.AnswerListAsync();

        await run.Server.ReportErrorAsync(Status(HttpStatusCode.InternalServerError));

        await AssertCurrentAgainWhenTheResumedWatchDeliversAsync(run, WatchEventType.Added, Map("a", "3"));
    }

    [Fact]
    public async Task StalledWatch_FalseFromTheTimeoutPlusGrace_UntilTheResumedWatchDeliversAnEvent()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        await run.Server.AnswerListAsync();
        var settings = ScriptedInformer<V1ConfigMap>.Settings;

        run.Time.Advance(settings.WatchTimeout + settings.WatchGrace - TimeSpan.FromSeconds(1));
        Assert.True(run.Informer.IsCurrent);
        await run.Server.AfterAsync(() => run.Time.Advance(TimeSpan.FromSeconds(1)));

        await AssertCurrentAgainWhenTheResumedWatchDeliversAsync(run, WatchEventType.Bookmark, Map("", "9"));
        Assert.Equal(2, run.Informer.WatchCount);
    }
}
