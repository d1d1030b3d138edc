using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Metrics;

public sealed class BuildPhaseClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time;
    private readonly BuildPhaseClock _clock;

    /// <summary>Each test's clock starts at <see cref="Start"/>; the test moves it.</summary>
    public BuildPhaseClockTests()
    {
        _time = new FakeTimeProvider(Start);
        _clock = new BuildPhaseClock(_time);
    }

    [Fact]
    public void Observe_MixedPhases_CountsEveryPhaseAndZeroForEmptyOnes()
    {
        var figures = _clock.Observe([Build("a", Phases.Building), Build("b", Phases.Building), Build("c", Phases.Succeeded), Build("d", null)]);

        Assert.Equal(2, figures[Phases.Building].Count);
        Assert.Equal(1, figures[Phases.Succeeded].Count);
        Assert.Equal(1, figures[Phases.Pending].Count);
        Assert.Equal(0, figures[Phases.Retrying].Count);
        Assert.Equal(0, figures[Phases.Failed].Count);
    }

    [Fact]
    public void Observe_NeverStartedPendingBuild_AgesFromItsCreation()
    {
        var figures = _clock.Observe([Build("a", Phases.Pending, created: Start.AddMinutes(-20))]);

        Assert.Equal(TimeSpan.FromMinutes(20).TotalSeconds, figures[Phases.Pending].OldestSeconds);
    }

    [Fact]
    public void Observe_BuildChangesPhase_ClockRestartsAtTheChange()
    {
        _clock.Observe([Build("a", Phases.Pending, created: Start)]);
        _time.Advance(TimeSpan.FromMinutes(3));
        _clock.Observe([Build("a", Phases.Building, created: Start)]);

        _time.Advance(TimeSpan.FromSeconds(90));
        var figures = _clock.Observe([Build("a", Phases.Building, created: Start)]);

        Assert.Equal(90, figures[Phases.Building].OldestSeconds);
        Assert.Equal(0, figures[Phases.Pending].OldestSeconds);
    }

    [Fact]
    public void Observe_PendingAgainAfterRetry_AgesFromWhenItWasSeenPending()
    {
        var retried = Build("a", Phases.Pending, created: Start.AddHours(-1), retries: 1);

        _clock.Observe([retried]);
        _time.Advance(TimeSpan.FromMinutes(2));
        var figures = _clock.Observe([retried]);

        Assert.Equal(120, figures[Phases.Pending].OldestSeconds);
    }

    [Fact]
    public void Observe_OldestOfSeveral_ReportsTheLongestWait()
    {
        _clock.Observe([Build("a", Phases.Retrying)]);
        _time.Advance(TimeSpan.FromMinutes(5));

        var figures = _clock.Observe([Build("a", Phases.Retrying), Build("b", Phases.Retrying)]);

        Assert.Equal(2, figures[Phases.Retrying].Count);
        Assert.Equal(300, figures[Phases.Retrying].OldestSeconds);
    }

    [Fact]
    public void Observe_BuildDeletedAndRecreatedWithSameName_StartsAFreshClock()
    {
        _clock.Observe([Build("a", Phases.Building, uid: "old")]);
        _time.Advance(TimeSpan.FromMinutes(10));
        _clock.Observe([]);

        var figures = _clock.Observe([Build("a", Phases.Building, uid: "new")]);

        Assert.Equal(0, figures[Phases.Building].OldestSeconds);
        Assert.Equal(1, figures[Phases.Building].Count);
    }

    [Fact]
    public void Observe_CreationInTheFuture_NeverNegative()
    {
        var figures = _clock.Observe([Build("a", Phases.Pending, created: Start.AddSeconds(3))]);

        Assert.Equal(0, figures[Phases.Pending].OldestSeconds);
    }

    internal static ImageBuild Build(string name, string? phase, DateTimeOffset? created = null, int retries = 0, string? uid = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ns",
            Uid = uid ?? "uid-" + name,
            // As the apiserver's JSON comes back: an Unspecified kind holding UTC.
            CreationTimestamp = created is { } c ? DateTime.SpecifyKind(c.UtcDateTime, DateTimeKind.Unspecified) : null,
        },
        Status = phase is null ? null : new ImageBuildStatus { Phase = phase, Retries = retries },
    };
}
