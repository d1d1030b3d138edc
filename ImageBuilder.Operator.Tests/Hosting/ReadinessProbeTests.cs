using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Hosting;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Hosting;

public sealed class ReadinessProbeTests
{
    private sealed class Cache<T>(bool synced) : IObjectCache<T>
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        public bool HasSynced => synced;

        public T? Get(ObjectKey key) => default;

        public IReadOnlyList<T> List(string? @namespace = null) => [];

        public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Leader(bool leads) : ILeaderStatus
    {
        public bool IsLeader => leads;
    }

    [Theory]
    [InlineData(false, true, false, false, "still loading")]
    [InlineData(true, false, false, false, "still loading")]
    [InlineData(true, true, false, true, "ready (standby)")]
    [InlineData(true, true, true, true, "ready (leader)")]
    public void Check_ReadyOnceCachesSynced_WhetherLeaderOrNot(bool buildsSynced, bool jobsSynced, bool leads, bool ready, string detail)
    {
        var probe = new ReadinessProbe(new Cache<ImageBuild>(buildsSynced), new Cache<V1Job>(jobsSynced), new Leader(leads));

        var answer = probe.Check();

        Assert.Equal(ready, answer.Ready);
        Assert.Contains(detail, answer.Detail, StringComparison.Ordinal);
    }
}
