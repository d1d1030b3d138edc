using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using k8s.Models;

namespace ImageBuilder.Operator.Reconciliation.Admission;

/// <summary>
/// Wakes the Queued builds when a build Job frees its slot (it finished, or was deleted unfinished): without it
/// they would wait for their safety poll. All of them, not just the next: each recomputes its place in the queue,
/// and the fair order decides which one takes the slot.
/// </summary>
public sealed class QueuedBuildsOnFreedSlot(IObjectCache<ImageBuild> builds) : IKeyMapper<ImageBuild, V1Job>
{
    public IEnumerable<ObjectKey> Map(V1Job? before, V1Job? after)
    {
        var freed = after is null
            ? before is not null && !BuildSlots.IsFinished(before)
            : before is not null && !BuildSlots.IsFinished(before) && BuildSlots.IsFinished(after);
        if (!freed)
        {
            return [];
        }
        return builds.List().Where(b => b.Status?.Phase == Phases.Queued).Select(ObjectKey.From).ToList();
    }
}
