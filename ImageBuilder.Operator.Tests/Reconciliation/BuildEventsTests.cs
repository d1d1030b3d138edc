using System.Net;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class BuildEventsTests
{
    private readonly InMemoryObjects<Corev1Event> _events = new();
    private readonly FakeTimeProvider _time = new(Builds.Now);

    private BuildEvents Events() => new(_events, _time, NullLogger<BuildEvents>.Instance);

    [Fact]
    public async Task Record_Events_EachCreatedOnTheBuildInItsNamespace()
    {
        var build = Builds.New();
        build.Metadata.ResourceVersion = "42";

        await Events().RecordAsync(build, [("Normal", "BuildStarted", "Attempt 1 started."), ("Warning", "RetryScheduled", "Attempt 1 failed.")], CancellationToken.None);

        Assert.Equal([("Normal", "BuildStarted", "Attempt 1 started."), ("Warning", "RetryScheduled", "Attempt 1 failed.")],
            _events.Created.Select(e => (e.Type, e.Reason, e.Message)));
        Assert.All(_events.Created, e =>
        {
            Assert.Equal("team", e.Metadata.NamespaceProperty);
            Assert.StartsWith("app.", e.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal(("ImageBuild", "app", "uid-1", "42"), (e.InvolvedObject.Kind, e.InvolvedObject.Name, e.InvolvedObject.Uid, e.InvolvedObject.ResourceVersion));
            Assert.Equal((BuildEvents.Component, BuildEvents.Component), (e.Source.Component, e.ReportingComponent));
            Assert.Equal((Builds.Now.UtcDateTime, 1), (e.FirstTimestamp!.Value, e.Count!.Value));
        });
        Assert.Equal(2, _events.Created.Select(e => e.Metadata.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(1024, 1024)]
    [InlineData(1025, 1024)]
    [InlineData(5000, 1024)]
    public async Task Record_LongMessage_CutToTheApiLimit(int length, int recorded)
    {
        await Events().RecordAsync(Builds.New(), [("Warning", "BuildFailed", new string('x', length))], CancellationToken.None);

        Assert.Equal(recorded, Assert.Single(_events.Created).Message.Length);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)] // the namespace is being deleted
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task Record_ApiRefusesOne_IsBestEffortAndRecordsTheRest(HttpStatusCode answer)
    {
        _events.FailNext(nameof(InMemoryObjects<Corev1Event>.CreateAsync), ApiErrors.Status(answer));

        await Events().RecordAsync(Builds.New(), [("Normal", "First", "lost"), ("Normal", "Second", "kept")], CancellationToken.None);

        Assert.Equal("Second", Assert.Single(_events.Created).Reason);
    }
}
