using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Reconciliation;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class NotificationOrderTests
{
    private const string Map = NotificationOrder.ConfigMapName;
    private static readonly DateTimeOffset Requested = Builds.Now.AddMinutes(-30);
    private readonly InMemoryObjects<V1ConfigMap> _maps = new();
    private readonly FakeTimeProvider _time = new(Builds.Now);

    private NotificationOrder Order() => new(new OperatorConfigMaps(_maps, _maps, _maps), _time);

    private static ImageBuild Build(string name = "app", TimeSpan? requestedAfter = null)
    {
        var build = Builds.New();
        build.Metadata.Name = name;
        build.Metadata.Annotations = new Dictionary<string, string> { [Annotations.RequestedAt] = RequestOrder.Stamp(Requested + (requestedAfter ?? TimeSpan.Zero)) };
        return build;
    }

    private static string Entry(ImageBuild build, DateTimeOffset? claimedAt = null) =>
        NotificationOrder.Format(new AnnouncedBuild(RequestOrder.Of(build), claimedAt ?? Builds.Now.AddMinutes(-1)));

    private void Ledger(Dictionary<string, string> data, string resourceVersion = "3") =>
        _maps.With(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = Map, NamespaceProperty = "team", ResourceVersion = resourceVersion }, Data = data });

    private IDictionary<string, string> Stored() => _maps.Get(new ObjectKey("team", Map))!.Data;

    public static TheoryData<int?, string?, string[]> Claims => new()
    {
        // the ledger's build for the application, requested this many minutes after ours (null: none); answer; writes
        { null, null, ["CreateAsync team/" + Map] },
        { -5, null, ["ReplaceAsync team/" + Map] },  // an older build was announced: move the ledger to ours
        { 0, null, [] },                            // ours is recorded already (a retried notification)
        { 5, "team/newer", [] },                    // a newer build was announced: ours must not be
    };

    [Theory]
    [MemberData(nameof(Claims))]
    public async Task Claim_AgainstTheLedger_AnnouncesOnlyInRequestOrder(int? ledgerMinutes, string? newer, string[] writes)
    {
        var self = Build();
        if (ledgerMinutes is int minutes)
        {
            var other = minutes == 0 ? self : Build(minutes > 0 ? "newer" : "older", TimeSpan.FromMinutes(minutes));
            Ledger(new Dictionary<string, string> { [NotificationOrder.EntryKey(self)] = Entry(other) });
        }

        var answer = await Order().ClaimAsync(self, CancellationToken.None);

        Assert.Equal(newer, answer);
        Assert.Equal(writes, _maps.Journal);
        var recorded = NotificationOrder.Parse(Stored()[NotificationOrder.EntryKey(self)])!;
        Assert.Equal(newer is null ? "app" : "newer", recorded.Order.Name);
    }

    [Fact]
    public async Task Claim_Recorded_LabelledAsOursWithTheClaimInstant()
    {
        await Order().ClaimAsync(Build(), CancellationToken.None);

        var map = Assert.Single(_maps.Created);
        Assert.Equal(Annotations.ManagedByValue, map.Metadata.Labels[Annotations.ManagedByLabel]);
        Assert.Equal(new AnnouncedBuild(RequestOrder.Of(Build()), Builds.Now), NotificationOrder.Parse(Stored()[NotificationOrder.EntryKey(Build())]));
    }

    [Fact]
    public async Task Claim_OtherApplicationWroteBetweenReadAndWrite_ReadsAgainAndKeepsBothEntries()
    {
        var other = Build("other");
        other.Spec.ApplicationId = "other-app";
        Ledger([]);
        _maps.BeforeNext(nameof(InMemoryObjects<V1ConfigMap>.ReplaceAsync),
            () => Ledger(new Dictionary<string, string> { [NotificationOrder.EntryKey(other)] = Entry(other) }, resourceVersion: "4"));

        var answer = await Order().ClaimAsync(Build(), CancellationToken.None);

        Assert.Null(answer);
        Assert.Equal(new[] { NotificationOrder.EntryKey(Build()), NotificationOrder.EntryKey(other) }.Order(StringComparer.Ordinal), Stored().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["ReplaceAsync team/" + Map], _maps.Journal);
    }

    [Fact]
    public async Task Claim_NewerBuildClaimedBetweenReadAndWrite_IsNotAnnounced()
    {
        // Another leader announces a newer build of the same application while this claim is in flight.
        var self = Build();
        _maps.BeforeNext(nameof(InMemoryObjects<V1ConfigMap>.CreateAsync),
            () => Ledger(new Dictionary<string, string> { [NotificationOrder.EntryKey(self)] = Entry(Build("newer", TimeSpan.FromMinutes(5))) }));

        var answer = await Order().ClaimAsync(self, CancellationToken.None);

        Assert.Equal("team/newer", answer);
        Assert.Equal("newer", NotificationOrder.Parse(Stored()[NotificationOrder.EntryKey(self)])!.Order.Name);
    }

    [Fact]
    public async Task Claim_LosesEveryCompareAndSwap_GivesUpWithTheConflict()
    {
        Ledger([]);
        for (var i = 0; i < 8; i++)
        {
            var version = (100 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _maps.BeforeNext(nameof(InMemoryObjects<V1ConfigMap>.ReplaceAsync), () => Ledger([], version));
        }

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Order().ClaimAsync(Build(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Empty(_maps.Journal);
    }

    [Fact]
    public async Task Claim_Write_PrunesEntriesNotMovedForTheirLifetimeAndUnreadableOnes()
    {
        Ledger(new Dictionary<string, string>
        {
            ["app-stale"] = Entry(Build("stale"), claimedAt: Builds.Now - NotificationOrder.EntryLifetime),
            ["app-fresh"] = Entry(Build("fresh"), claimedAt: Builds.Now - NotificationOrder.EntryLifetime + TimeSpan.FromMinutes(1)),
            ["app-garbled"] = "not an entry",
        });

        await Order().ClaimAsync(Build(), CancellationToken.None);

        Assert.Equal(new[] { "app-fresh", NotificationOrder.EntryKey(Build()) }.Order(StringComparer.Ordinal), Stored().Keys.Order(StringComparer.Ordinal));
    }
}
