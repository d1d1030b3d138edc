using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Reconciliation.Admission;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Reconciliation.Admission;

/// <summary>Build slots over in-memory caches, and builds and Jobs to put in them.</summary>
internal sealed class SlotWorld
{
    public SlotWorld(int max, int perUser)
    {
        Options = Microsoft.Extensions.Options.Options.Create(new BuildOptions { MaxConcurrentBuilds = max, MaxConcurrentBuildsPerUser = perUser });
        Slots = new BuildSlots(Builds, Jobs, Options, Time);
    }

    public Microsoft.Extensions.Options.IOptions<BuildOptions> Options { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public MemoryCache<ImageBuild> Builds { get; } = new();

    public MemoryCache<V1Job> Jobs { get; } = new();

    public BuildSlots Slots { get; }

    /// <summary>A build of <paramref name="user"/> created <paramref name="secondsAgo"/> before now, in the cache with <paramref name="phase"/>.</summary>
    public ImageBuild Build(string name, string user, int secondsAgo, string? phase = Phases.Pending)
    {
        var build = ImageBuilder.Operator.Tests.Reconciliation.Builds.New(s => s.UserId = user);
        build.Metadata.Name = name;
        build.Metadata.Uid = "uid-" + name;
        build.Metadata.CreationTimestamp = Time.GetUtcNow().UtcDateTime.AddSeconds(-secondsAgo);
        build.Status = new ImageBuildStatus { Phase = phase, Commit = "c0ffee", Image = "127.0.0.1:5000/u/app:c0ffee" };
        Builds.Put(build);
        return build;
    }

    /// <summary>The Job of <paramref name="build"/>'s first attempt in the cache, finished or not.</summary>
    public V1Job Job(ImageBuild build, bool finished = false)
    {
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta
            {
                Name = JobNames.For(build, 1),
                NamespaceProperty = build.Metadata.NamespaceProperty,
                OwnerReferences = [new V1OwnerReference { ApiVersion = ImageBuild.ApiGroupVersion, Kind = ImageBuild.KindName, Name = build.Metadata.Name, Uid = build.Metadata.Uid }],
            },
            Status = new V1JobStatus { Conditions = finished ? [new V1JobCondition { Type = "Complete", Status = "True" }] : null },
        };
        Jobs.Put(job);
        return job;
    }

    public ReconcileContext Context(ImageBuild build) => new(build, ImageBuildStore.CopyStatus(build.Status), Time.GetUtcNow());
}
