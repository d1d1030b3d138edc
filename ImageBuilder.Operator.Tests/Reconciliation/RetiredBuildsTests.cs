using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class RetiredBuildsTests
{
    private const string Map = RetiredBuilds.ConfigMapName;
    private static readonly TimeSpan Remember = TimeSpan.FromHours(24);
    private readonly InMemoryObjects<V1ConfigMap> _maps = new();
    private readonly FakeTimeProvider _time = new(Builds.Now);

    private RetiredBuilds Retired() => new(new OperatorConfigMaps(_maps, _maps, _maps), _time, MsOptions.Create(new RetentionOptions { RememberDeleted = Remember }));

    private static string Until(TimeSpan fromNow) => (Builds.Now + fromNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private void Stored(Dictionary<string, string> data, string resourceVersion = "3") =>
        _maps.With(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = Map, NamespaceProperty = "team", ResourceVersion = resourceVersion }, Data = data });

    [Fact]
    public async Task Remember_NoMapYet_CreatesItWithTheNameUntilTheRememberPeriodEnds()
    {
        await Retired().RememberAsync(Builds.New(), CancellationToken.None);

        var map = Assert.Single(_maps.Created);
        Assert.Equal(new Dictionary<string, string> { ["app"] = Until(Remember) }, map.Data);
        Assert.Equal(["app"], await Retired().ReadAsync("team", CancellationToken.None));
    }

    [Fact]
    public async Task Remember_ExistingMap_KeepsLiveNamesAndDropsExpiredOnes()
    {
        Stored(new Dictionary<string, string> { ["live"] = Until(TimeSpan.FromHours(1)), ["expired"] = Until(TimeSpan.FromSeconds(-1)), ["garbled"] = "soon" });

        await Retired().RememberAsync(Builds.New(), CancellationToken.None);

        var map = Assert.Single(_maps.Replaced);
        Assert.Equal("3", map.Metadata.ResourceVersion);
        Assert.Equal(["app", "live"], _maps.Get(new ObjectKey("team", Map))!.Data.Keys.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string?> Races => new()
    {
        // the write another deletion's compare-and-swap wins: create (no map yet) or replace
        null,
        "3",
    };

    [Theory]
    [MemberData(nameof(Races))]
    public async Task Remember_AnotherDeletionWroteFirst_ReadsAgainAndKeepsBothNames(string? existing)
    {
        if (existing is not null)
        {
            Stored([], existing);
        }
        var raced = existing is null ? nameof(InMemoryObjects<V1ConfigMap>.CreateAsync) : nameof(InMemoryObjects<V1ConfigMap>.ReplaceAsync);
        _maps.BeforeNext(raced, () => Stored(new Dictionary<string, string> { ["other"] = Until(TimeSpan.FromHours(2)) }, resourceVersion: "4"));

        await Retired().RememberAsync(Builds.New(), CancellationToken.None);

        Assert.Equal(["app", "other"], (await Retired().ReadAsync("team", CancellationToken.None)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Read_OnlyNamesStillRemembered()
    {
        Stored(new Dictionary<string, string> { ["live"] = Until(TimeSpan.FromMinutes(1)), ["expired"] = Until(TimeSpan.Zero) });

        Assert.Equal(["live"], await Retired().ReadAsync("team", CancellationToken.None));
        Assert.Empty(await Retired().ReadAsync("elsewhere", CancellationToken.None));
    }
}
