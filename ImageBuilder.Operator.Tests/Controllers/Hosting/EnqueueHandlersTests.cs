using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Controllers.Hosting;
using ImageBuilder.Operator.Controllers.Queues;
using ImageBuilder.Operator.Tests.Controllers.Queues;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace ImageBuilder.Operator.Tests.Controllers.Hosting;

public sealed class EnqueueHandlersTests : IDisposable
{
    private readonly WorkQueue _queue = TestWorkQueue.On(new FakeTimeProvider());

    public void Dispose() => _queue.Dispose();

    [Fact]
    public void EnqueueOnChange_StatusOnlyUpdate_NotQueued()
    {
        var handler = new EnqueueOnChange<ImageBuild>(_queue, ChangePredicates.SpecOrMetadataChanged);
        var before = Build(generation: 1);
        var after = Build(generation: 1);
        after.Status = new ImageBuildStatus { Phase = Phases.Succeeded };

        handler.OnUpdate(before, after);

        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void EnqueueOnChange_AddGenerationChangeAndDelete_QueueTheKey()
    {
        var handler = new EnqueueOnChange<ImageBuild>(_queue, ChangePredicates.SpecOrMetadataChanged);

        handler.OnAdd(Build(1));
        Assert.True(_queue.TryGet(out var added));
        _queue.Done(added);
        handler.OnUpdate(Build(1), Build(2));
        Assert.True(_queue.TryGet(out var updated));
        _queue.Done(updated);
        handler.OnDelete(Build(2));
        Assert.True(_queue.TryGet(out var deleted));

        Assert.All(new[] { added, updated, deleted }, k => Assert.Equal(new ObjectKey("ns", "b1"), k));
    }

    [Fact]
    public void EnqueueOwner_JobStatusChange_QueuesOwningBuild()
    {
        var handler = new EnqueueOwner<ImageBuild, V1Job>(_queue);
        var before = OwnedJob();
        var after = OwnedJob();
        after.Status = new V1JobStatus { Succeeded = 1 };

        handler.OnUpdate(before, after);

        Assert.True(_queue.TryGet(out var key));
        Assert.Equal(new ObjectKey("ns", "b1"), key);
    }

    [Fact]
    public void EnqueueOwner_JobResync_NotQueued()
    {
        var handler = new EnqueueOwner<ImageBuild, V1Job>(_queue);
        var job = OwnedJob();

        handler.OnUpdate(job, job);

        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void EnqueueOwner_UnownedJob_NotQueued()
    {
        var handler = new EnqueueOwner<ImageBuild, V1Job>(_queue);

        handler.OnAdd(new V1Job { Metadata = new V1ObjectMeta { Name = "stray", NamespaceProperty = "ns" } });

        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public void EnqueueOwner_OwnerOnlyInLabel_QueuesTheLabelledOwner()
    {
        var handler = new EnqueueOwner<ImageBuild, V1Job>(_queue, ownerLabel: "example.test/owner");

        handler.OnDelete(new V1Job { Metadata = new V1ObjectMeta { Name = "j", NamespaceProperty = "ns", Labels = new Dictionary<string, string> { ["example.test/owner"] = "b2" } } });

        Assert.True(_queue.TryGet(out var key));
        Assert.Equal(new ObjectKey("ns", "b2"), key);
    }

    [Fact]
    public void EnqueueMapped_AddUpdateDelete_PassesBeforeAndAfterAndQueuesEveryKey()
    {
        var mapper = new RecordingMapper([new ObjectKey("ns", "x"), new ObjectKey("ns", "y")]);
        var handler = new EnqueueMapped<ImageBuild, V1Job>(_queue, mapper);
        var (before, after) = (OwnedJob(), OwnedJob());

        handler.OnAdd(after);
        handler.OnUpdate(before, after);
        handler.OnDelete(before);

        Assert.Equal([(null, after), (before, after), (before, null)], mapper.Calls);
        Assert.Equal(2, _queue.Count);
    }

    [Fact]
    public void EnqueueMapped_Resync_NotMapped()
    {
        var mapper = new RecordingMapper([new ObjectKey("ns", "x")]);
        var handler = new EnqueueMapped<ImageBuild, V1Job>(_queue, mapper);
        var job = OwnedJob();

        handler.OnUpdate(job, job);

        Assert.Empty(mapper.Calls);
        Assert.Equal(0, _queue.Count);
    }

    private sealed class RecordingMapper(IReadOnlyList<ObjectKey> keys) : IKeyMapper<ImageBuild, V1Job>
    {
        public List<(V1Job? Before, V1Job? After)> Calls { get; } = [];

        public IEnumerable<ObjectKey> Map(V1Job? before, V1Job? after)
        {
            Calls.Add((before, after));
            return keys;
        }
    }

    private static ImageBuild Build(long generation) =>
        new() { Metadata = new V1ObjectMeta { Name = "b1", NamespaceProperty = "ns", Generation = generation } };

    private static V1Job OwnedJob() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "b1-attempt-1",
            NamespaceProperty = "ns",
            OwnerReferences = [new V1OwnerReference { ApiVersion = ImageBuild.ApiGroupVersion, Kind = ImageBuild.KindName, Name = "b1", Uid = "u1" }],
        },
    };
}
