using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.RabbitMq;
using k8s.Models;

namespace ImageBuilder.Operator.Hosting;

/// <summary>
/// What <c>/readyz</c> answers: ready once this replica's informers have their first list and,
/// when messaging is on, the broker connection is not down. Never tied to the Lease: followers
/// are ready too, or a rollout of several replicas would never complete. The broker connection is
/// registered only when messaging is on; without it, the container leaves it null.
/// </summary>
public sealed class ReadinessProbe(
    IObjectCache<ImageBuild> builds,
    IObjectCache<V1Job> jobs,
    ILeaderStatus leader,
    RabbitMqConnection? rabbitMq = null)
{
    public (bool Ready, string Detail) Check()
    {
        if (!builds.HasSynced || !jobs.HasSynced)
        {
            return (false, "not ready: the ImageBuild and Job caches are still loading");
        }
        if (rabbitMq is { IsUsable: false })
        {
            return (false, "not ready: the RabbitMQ connection is down (recovering)");
        }
        return (true, leader.IsLeader ? "ready (leader)" : "ready (standby)");
    }
}
