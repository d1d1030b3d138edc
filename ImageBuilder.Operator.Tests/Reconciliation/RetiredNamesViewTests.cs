using System.Net;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Tests.Controllers.Client;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>The copy's rules, with its informer (the runtime's, on a scripted client) answered call by call.</summary>
public sealed class RetiredNamesViewTests
{
    private const string Ns = "ns";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 21, 0, 0, TimeSpan.Zero);

    private static V1ConfigMap Map(params (string Name, DateTimeOffset Until)[] entries) => new()
    {
        Metadata = new V1ObjectMeta { Name = RetiredBuilds.ConfigMapName, NamespaceProperty = Ns },
        Data = entries.ToDictionary(e => e.Name, e => e.Until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal),
    };

    [Fact]
    public async Task BeforeTheFirstList_NotCurrent_SoTheWriterReadsLive()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        var view = new RetiredNamesView(run.Informer, Ns);
        Assert.False(view.IsCurrent);
        Assert.Null(view.Names(Now));
    }

    [Fact]
    public async Task ListWithoutConfigMap_CurrentAndEmpty()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        var view = new RetiredNamesView(run.Informer, Ns);
        await run.Server.AnswerListAsync();
        Assert.Empty(view.Names(Now)!);
    }

    [Fact]
    public async Task ModifiedEvent_ReplacesTheNames()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        var view = new RetiredNamesView(run.Informer, Ns);
        await run.Server.AnswerListAsync(Map(("ib-a", Now.AddHours(1))));
        await run.Server.SendAsync(WatchEventType.Modified, Map(("ib-a", Now.AddHours(1)), ("ib-b", Now.AddHours(2))));
        Assert.Equal(["ib-a", "ib-b"], view.Names(Now)!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BookmarkChangesNothing_DeletedEmpties()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        var view = new RetiredNamesView(run.Informer, Ns);
        await run.Server.AnswerListAsync(Map(("ib-a", Now.AddHours(1))));
        await run.Server.SendAsync(WatchEventType.Bookmark, new V1ConfigMap { Metadata = new V1ObjectMeta { ResourceVersion = "9" } });
        Assert.Contains("ib-a", view.Names(Now)!);
        await run.Server.SendAsync(WatchEventType.Deleted, Map(("ib-a", Now.AddHours(1))));
        Assert.Empty(view.Names(Now)!);
    }

    [Fact]
    public async Task EntriesExpireAsTimePasses_WithoutANewEvent()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        var view = new RetiredNamesView(run.Informer, Ns);
        await run.Server.AnswerListAsync(Map(("ib-soon", Now.AddMinutes(1)), ("ib-later", Now.AddHours(1))));
        Assert.Equal(2, view.Names(Now)!.Count);
        Assert.Equal(["ib-later"], view.Names(Now.AddMinutes(2))!);
        Assert.Empty(view.Names(Now.AddHours(2))!);
    }

    [Fact]
    public async Task UnreadableEntry_IsNotAName()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        var view = new RetiredNamesView(run.Informer, Ns);
        var map = Map(("ib-a", Now.AddHours(1)));
        map.Data["ib-garbage"] = "not a time";
        await run.Server.AnswerListAsync(map);
        Assert.Equal(["ib-a"], view.Names(Now)!);
    }

    [Fact]
    public async Task Invalidated_NotCurrentUntilListedAgain()
    {
        await using var run = await ScriptedInformer<V1ConfigMap>.StartAsync();
        var view = new RetiredNamesView(run.Informer, Ns);
        await run.Server.AnswerListAsync(Map(("ib-a", Now.AddHours(1))));
        await run.Server.ReportErrorAsync(new KubernetesException(new V1Status { Code = (int)HttpStatusCode.Gone }));
        Assert.Null(view.Names(Now));
        await run.Server.AnswerListAsync(Map(("ib-b", Now.AddHours(1))));
        Assert.Equal(["ib-b"], view.Names(Now)!);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    public void OnlyANewDeliveryOfAStillPresentName_UsesTheCopy(bool redelivered, bool nameVanished, bool live) =>
        Assert.Equal(live, RetiredNamesCache.MustReadLive(redelivered, nameVanished));
}
