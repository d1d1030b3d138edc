using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Notifications;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Steps;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class AnnouncementRuleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static RequestOrder At(double seconds, string name) => new(T0.AddSeconds(seconds), name);

    public static TheoryData<string, RequestOrder, AnnouncedBuild?, string?, bool> Cases() => new()
    {
        { "nothing announced yet", At(1, "a"), null, null, true },
        { "an older one was announced", At(2, "b"), new AnnouncedBuild(At(1, "a"), T0), null, true },
        { "a newer one was announced: not announced", At(1, "a"), new AnnouncedBuild(At(2, "b"), T0), "b", false },
        { "this one was announced (a resend after a crash)", At(1, "a"), new AnnouncedBuild(At(1, "a"), T0), null, false },
        { "same instant, the name orders", At(1, "a"), new AnnouncedBuild(At(1, "b"), T0), "b", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide(string why, RequestOrder self, AnnouncedBuild? last, string? newer, bool record)
    {
        Assert.True(newer == AnnouncementRule.NewerAnnounced(self, last), why);
        Assert.True(record == AnnouncementRule.MustRecord(self, last), why);
    }

    [Fact]
    public void Entry_RoundTrips()
    {
        var entry = new AnnouncedBuild(new RequestOrder(T0.AddTicks(1234567), "ib-0123456789abcdef"), T0.AddMinutes(1));
        Assert.Equal(entry, NotificationOrder.Parse(NotificationOrder.Format(entry)));
        Assert.Null(NotificationOrder.Parse("garbage"));
    }

    [Fact]
    public async Task NotifyStep_OlderFinishesAfterNewerWasAnnounced_EndsSupersededAndSendsNothing()
    {
        var order = new InMemoryNotificationOrder();
        var sent = new List<BuildResponse>();
        var notifier = new RecordingNotifier(sent);
        var newer = Stamped(Builds.New(), "newer", 2);
        var older = Stamped(Builds.New(), "older", 1);
        var newerContext = Builds.Context(newer, s => { s.Phase = Phases.Succeeded; s.Commit = "c2"; });
        var olderContext = Builds.Context(older, s => { s.Phase = Phases.Succeeded; s.Commit = "c1"; s.Image = "r/18008/app:c1"; });
        var step = new NotifyStep(notifier, order, Builds.Outcomes(), NullLogger<NotifyStep>.Instance);

        await step.RunAsync(newerContext, CancellationToken.None);
        await Builds.RunAsync(step, olderContext);

        Assert.Equal("c2", Assert.Single(sent).BuildCommit);
        Assert.Equal(Phases.Superseded, olderContext.Status.Phase);
        Assert.Equal("team/newer", olderContext.Status.SupersededBy);
        Assert.Null(olderContext.Status.Notification);
        Assert.Equal(Reasons.NewerBuildAnnounced, olderContext.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
    }

    [Fact]
    public async Task NotifyStep_OlderFinishesFirst_BothAnnouncedInOrder()
    {
        var sent = new List<BuildResponse>();
        var step = new NotifyStep(new RecordingNotifier(sent), new InMemoryNotificationOrder(), Builds.Outcomes(), NullLogger<NotifyStep>.Instance);

        await step.RunAsync(Builds.Context(Stamped(Builds.New(), "older", 1), s => { s.Phase = Phases.Succeeded; s.Commit = "c1"; }), CancellationToken.None);
        await step.RunAsync(Builds.Context(Stamped(Builds.New(), "newer", 2), s => { s.Phase = Phases.Succeeded; s.Commit = "c2"; }), CancellationToken.None);

        Assert.Equal(["c1", "c2"], sent.Select(r => r.BuildCommit));
    }

    [Fact]
    public async Task NotifyStep_FailureAfterNewerAnnounced_StillTellsKusanali()
    {
        var sent = new List<BuildResponse>();
        var step = new NotifyStep(new RecordingNotifier(sent), new InMemoryNotificationOrder(), Builds.Outcomes(), NullLogger<NotifyStep>.Instance);

        await step.RunAsync(Builds.Context(Stamped(Builds.New(), "newer", 2), s => s.Phase = Phases.Succeeded), CancellationToken.None);
        await step.RunAsync(Builds.Context(Stamped(Builds.New(), "older", 1), s => s.Phase = Phases.Failed), CancellationToken.None);

        Assert.Equal(["success", "failed"], sent.Select(r => r.Status));
    }

    private static ImageBuild Stamped(ImageBuild build, string name, double seconds)
    {
        build.Metadata.Name = name;
        build.Metadata.Uid = "uid-" + name;
        build.Metadata.Annotations = new Dictionary<string, string> { [Annotations.RequestedAt] = RequestOrder.Stamp(T0.AddSeconds(seconds)) };
        return build;
    }

    private sealed class RecordingNotifier(List<BuildResponse> sent) : IBuildNotifier
    {
        public Task<string> NotifyAsync(BuildResponse response, string messageId, CancellationToken cancellationToken)
        {
            sent.Add(response);
            return Task.FromResult("q");
        }
    }
}
