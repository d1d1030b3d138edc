using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Metrics;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.RabbitMq;
using ImageBuilder.Operator.Retries;
using ImageBuilder.Operator.Tests.Metrics;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Retries;

public sealed class RetrySchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);

    private static ImageBuild Build(DateTime? nextAttemptTime, string? released = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "ib-1",
            NamespaceProperty = "ns",
            Uid = "uid-1",
            Annotations = released is null ? null : new Dictionary<string, string> { [Annotations.RetryReleased] = released },
        },
        Status = new ImageBuildStatus { NextAttemptTime = nextAttemptTime, Phase = Phases.Retrying },
    };

    private RabbitMqRetryScheduler RabbitScheduler(TimeSpan grace)
    {
        var rabbit = MsOptions.Create(new RabbitMqOptions());
        var retry = MsOptions.Create(new RetryOptions { ReleaseGracePeriod = grace });
        var connection = new RabbitMqConnection(rabbit, retry, _clock, NullLogger<RabbitMqConnection>.Instance);
        var publisher = new RabbitMqPublisher(connection, _clock, NullLogger<RabbitMqPublisher>.Instance);
        return new RabbitMqRetryScheduler(publisher, connection, retry, new OperatorMetrics(), NullLogger<RabbitMqRetryScheduler>.Instance);
    }

    [Fact]
    public void TimerIsReleased_BeforeAndAtNextAttemptTime_FollowsTheClock()
    {
        var build = Build(Start.AddSeconds(30).UtcDateTime);
        var scheduler = new TimerRetryScheduler(new OperatorMetrics());

        Assert.False(scheduler.IsReleased(build, 2, _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(scheduler.IsReleased(build, 2, _clock.GetUtcNow()));
    }

    [Fact]
    public async Task TimerScheduleAsync_CompletesAtOnceWithoutTouchingTheBuild_ReleaseFollowsNextAttemptTimeOnly()
    {
        // Without a broker nothing is sent: the release is status.nextAttemptTime on the operator's clock alone.
        var build = Build(Start.AddSeconds(30).UtcDateTime);
        var before = k8s.KubernetesJson.Serialize(build);
        var scheduler = new TimerRetryScheduler(new OperatorMetrics());

        var scheduling = scheduler.ScheduleAsync(build, 2, TimeSpan.FromSeconds(30), new BuildFailure(), CancellationToken.None);

        Assert.True(scheduling.IsCompletedSuccessfully);
        await scheduling;
        Assert.Equal(before, k8s.KubernetesJson.Serialize(build));
        Assert.False(scheduler.IsReleased(build, 2, _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(scheduler.IsReleased(build, 2, _clock.GetUtcNow()));
    }

    [Fact]
    public async Task TimerScheduleAsync_CountsTheRetryByFault()
    {
        // The schedulers count the retries they take, so the count does not depend on how a scheduler was wired.
        var metrics = new OperatorMetrics();

        await new TimerRetryScheduler(metrics).ScheduleAsync(Build(null), 2, TimeSpan.FromSeconds(10), new BuildFailure { Fault = Faults.Service }, CancellationToken.None);

        Assert.Equal(1, MetricsText.Value(await MetricsText.ExportAsync(metrics), """imagebuilder_retries_scheduled_total{fault="service"}"""));
    }

    [Theory]
    [InlineData(null, 2, false)]
    [InlineData("1", 2, false)]
    [InlineData("2", 2, true)]
    [InlineData("3", 2, true)]
    [InlineData("garbage", 2, false)]
    public void RabbitIsReleased_ByAnnotation_OnlyForThatAttemptOrLater(string? annotation, int nextAttempt, bool released)
    {
        var build = Build(Start.AddSeconds(30).UtcDateTime, annotation);

        Assert.Equal(released, RabbitScheduler(TimeSpan.FromMinutes(5)).IsReleased(build, nextAttempt, _clock.GetUtcNow()));
    }

    [Fact]
    public void RabbitIsReleased_ReleaseNeverArrived_GrantedAfterGracePeriod()
    {
        var build = Build(Start.AddSeconds(30).UtcDateTime);
        var scheduler = RabbitScheduler(TimeSpan.FromMinutes(5));

        _clock.Advance(TimeSpan.FromSeconds(30) + TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.False(scheduler.IsReleased(build, 2, _clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(scheduler.IsReleased(build, 2, _clock.GetUtcNow()));
    }
}
