using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Controllers;

[Collection(PlatformCollection.Name)]
public sealed class LeaseLeaderElectionTests(PlatformFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const string Lease = "image-builder-leader";
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestLogs(output)));

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task TwoCandidates_OneLease_ExactlyOneLeadsAndTheOtherTakesOverWhenItStops()
    {
        var ns = await fixture.CreateNamespaceAsync("lease-two");
        var counter = new LeaderCounter();
        await using var a = new Candidate(fixture.Kubernetes, ns, Lease, "replica-a", counter, _logs);
        await using var b = new Candidate(fixture.Kubernetes, ns, Lease, "replica-b", counter, _logs);

        var first = await Task.WhenAny(a.Leading, b.Leading).WaitAsync(RecordingHandler<object>.Guard);
        var (leader, follower) = first == a.Leading ? (a, b) : (b, a);
        var heldBy = await HolderAsync(ns);
        var followerLedMeanwhile = follower.Election.IsLeader;
        await leader.StopAsync();
        await follower.Leading.WaitAsync(RecordingHandler<object>.Guard);
        var thenHeldBy = await HolderAsync(ns);

        Assert.Equal(leader.Election.Identity, heldBy);
        Assert.False(followerLedMeanwhile);
        Assert.False(leader.Election.IsLeader);
        Assert.True(follower.Election.IsLeader);
        Assert.Equal(follower.Election.Identity, thenHeldBy);
        Assert.Equal(1, counter.Max);
    }

    [Fact]
    public async Task Leader_LeaseTakenByAnotherHolder_StopsItsWorkAtOnce()
    {
        var ns = await fixture.CreateNamespaceAsync("lease-lost");
        await using var candidate = new Candidate(fixture.Kubernetes, ns, Lease, "replica-a", new LeaderCounter(), _logs);
        await candidate.Leading.WaitAsync(RecordingHandler<object>.Guard);

        await TakeOverAsync(ns, "intruder");
        await candidate.Lost.WaitAsync(RecordingHandler<object>.Guard);

        Assert.False(candidate.Election.IsLeader);
    }

    [Fact]
    public async Task Leader_Stops_ReleasesLease()
    {
        var ns = await fixture.CreateNamespaceAsync("lease-release");
        var candidate = new Candidate(fixture.Kubernetes, ns, Lease, "replica-a", new LeaderCounter(), _logs);
        await candidate.Leading.WaitAsync(RecordingHandler<object>.Guard);

        await candidate.DisposeAsync();

        var leases = await fixture.Kubernetes.CoordinationV1.ListNamespacedLeaseAsync(ns);
        Assert.Empty(leases.Items);
    }

    /// <summary>Writes another holder into the Lease, retrying when the leader's renewal got there first.</summary>
    private async Task TakeOverAsync(string ns, string holder)
    {
        for (var attempt = 1; ; attempt++)
        {
            var lease = await fixture.Kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(Lease, ns);
            lease.Spec.HolderIdentity = holder;
            lease.Spec.RenewTime = DateTime.UtcNow;
            lease.Spec.AcquireTime = DateTime.UtcNow;
            try
            {
                await fixture.Kubernetes.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, Lease, ns);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < 10)
            {
                // The leader renewed between our read and write; read again.
            }
        }
    }

    private async Task<string> HolderAsync(string ns)
    {
        var lease = await fixture.Kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(Lease, ns);
        return lease.Spec.HolderIdentity;
    }
}
