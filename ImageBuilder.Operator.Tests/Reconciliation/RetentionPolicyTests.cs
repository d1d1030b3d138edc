using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class RetentionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetentionPolicy Policy = new(TimeSpan.FromHours(1), TimeSpan.FromMinutes(10), 2, 1);

    private static ImageBuild Done(string name, double requestedMinutesAgo, string phase, double finishedMinutesAgo, bool notified = true) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "team",
            Uid = "uid-" + name,
            Annotations = new Dictionary<string, string> { [Annotations.RequestedAt] = RequestOrder.Stamp(Now.AddMinutes(-requestedMinutesAgo)) },
        },
        Spec = new ImageBuildSpec { UserId = "u", ApplicationId = "app" },
        Status = new ImageBuildStatus
        {
            Phase = phase,
            CompletionTime = Now.AddMinutes(-finishedMinutesAgo).UtcDateTime,
            Notification = notified && !Phases.IsSilent(phase) ? new NotificationStatus { Queue = "q", MessageId = "m" } : null,
        },
    };

    public static TheoryData<string, ImageBuild[], string[]> Cases() => new()
    {
        { "young and within limits: kept", [Done("a", 5, Phases.Succeeded, 4)], [] },
        { "succeeded past its ttl", [Done("a", 70, Phases.Succeeded, 61)], ["a:ttl"] },
        { "failed past the failed ttl", [Done("a", 20, Phases.Failed, 11)], ["a:ttl"] },
        { "superseded counts as failed", [Done("a", 20, Phases.Superseded, 11)], ["a:ttl"] },
        { "not notified yet: never", [Done("a", 70, Phases.Succeeded, 61, notified: false)], [] },
        { "unfinished: never", [Done("a", 70, Phases.Building, 61)], [] },
        {
            "beyond the succeeded limit of 2, oldest request goes",
            [Done("a", 3, Phases.Succeeded, 1), Done("b", 2, Phases.Succeeded, 1), Done("c", 1, Phases.Succeeded, 1)], ["a:limit"]
        },
        {
            "limits count per outcome",
            [Done("a", 4, Phases.Succeeded, 1), Done("b", 3, Phases.Failed, 1), Done("c", 2, Phases.Succeeded, 1), Done("d", 1, Phases.Cancelled, 1)], ["b:limit"]
        },
        {
            "an unsettled newer build still takes a place",
            [Done("a", 3, Phases.Succeeded, 1), Done("b", 2, Phases.Succeeded, 1), Done("c", 1, Phases.Succeeded, 0, notified: false)], ["a:limit"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Doomed(string why, ImageBuild[] builds, string[] expected)
    {
        var doomed = RetentionPolicy.Doomed(builds, _ => Policy, Now).Select(d => $"{d.Build.Metadata.Name}:{d.Why}").Order(StringComparer.Ordinal);
        Assert.True(expected.SequenceEqual(doomed), $"{why}: got [{string.Join(", ", doomed)}]");
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2h0m5s", 7205)]
    [InlineData("24h", 86400)]
    public void ParseDuration_GoStyle(string text, int seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), RetentionPolicy.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("1d")]
    [InlineData("-1h")]
    [InlineData("1.5h")]
    [InlineData("99999999999999999999h")]
    public void ParseDuration_RefusesWhatTheCrdWouldNotHoldOrTooLong(string text) => Assert.Null(RetentionPolicy.ParseDuration(text));

    [Fact]
    public void For_ObjectOverridesWin_AndAnUnreadableOneIsNamed()
    {
        var options = new RetentionOptions { TtlAfterSucceeded = TimeSpan.FromDays(7), TtlAfterFailed = TimeSpan.FromDays(2), SucceededLimit = 10, FailedLimit = 5 };

        var policy = RetentionPolicy.For(new RetentionSpec { TtlAfterSucceeded = "90s", SucceededLimit = 2 }, options, out var invalid);
        Assert.Equal(new RetentionPolicy(TimeSpan.FromSeconds(90), TimeSpan.FromDays(2), 2, 5), policy);
        Assert.Null(invalid);

        var fallback = RetentionPolicy.For(new RetentionSpec { TtlAfterFailed = "9999999999999h" }, options, out invalid);
        Assert.Equal(TimeSpan.FromDays(2), fallback.TtlAfterFailed);
        Assert.Equal(("ttlAfterFailed", "9999999999999h"), invalid);
    }

    [Fact]
    public void Validator_ReportsEveryBadValueWithItsPath()
    {
        var result = new RetentionOptionsValidator().Validate(null, new RetentionOptions
        {
            TtlAfterSucceeded = TimeSpan.Zero,
            TtlAfterFailed = TimeSpan.FromDays(4000),
            SucceededLimit = 0,
            FailedLimit = 10001,
            RememberDeleted = TimeSpan.FromSeconds(5),
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "TtlAfterSucceeded", "TtlAfterFailed", "SucceededLimit", "FailedLimit", "RememberDeleted" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith($"Retention:{key} ", StringComparison.Ordinal));
        }
        Assert.True(new RetentionOptionsValidator().Validate(null, new RetentionOptions()).Succeeded);
    }
}
