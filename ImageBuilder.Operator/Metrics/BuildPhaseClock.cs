using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Metrics;

/// <summary>
/// Counts ImageBuilds by phase and times how long each has been in its phase, for the "stuck build" alerts. The
/// status keeps no per-phase timestamp, so the clock starts when this replica first sees a build in a phase; a build
/// that has never started (Pending, no retry yet) counts from its creation instead, so an operator restart does not
/// hide an old Pending build.
/// </summary>
public sealed class BuildPhaseClock(TimeProvider time)
{
    /// <summary>Every phase the figures cover, terminal ones included (their age is not tracked).</summary>
    public static readonly IReadOnlyList<string> AllPhases = [Phases.Pending, Phases.Queued, Phases.Building, Phases.Retrying, Phases.Succeeded, Phases.Failed, Phases.Superseded, Phases.Cancelled];

    private readonly Dictionary<string, Entered> _entered = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The figures of every phase in <see cref="AllPhases"/> for <paramref name="builds"/>; forgets builds no longer listed.</summary>
    public IReadOnlyDictionary<string, PhaseFigures> Observe(IReadOnlyCollection<ImageBuild> builds)
    {
        ArgumentNullException.ThrowIfNull(builds);
        var now = time.GetUtcNow();
        var counts = AllPhases.ToDictionary(p => p, _ => 0, StringComparer.Ordinal);
        var oldest = AllPhases.ToDictionary(p => p, _ => TimeSpan.Zero, StringComparer.Ordinal);
        lock (_lock)
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var build in builds)
            {
                // No status yet means the first reconcile has not run: the build waits, as Pending does.
                var phase = build.Status?.Phase ?? Phases.Pending;
                if (!counts.TryGetValue(phase, out var count))
                {
                    continue;
                }
                counts[phase] = count + 1;
                if (phase is Phases.Succeeded or Phases.Failed or Phases.Cancelled)
                {
                    continue;
                }
                var key = Key(build);
                listed.Add(key);
                if (!_entered.TryGetValue(key, out var entered) || entered.Phase != phase)
                {
                    entered = new Entered(phase, StartOf(build, phase, now));
                    _entered[key] = entered;
                }
                var age = now - entered.Since;
                if (age > oldest[phase])
                {
                    oldest[phase] = age;
                }
            }
            foreach (var gone in _entered.Keys.Where(k => !listed.Contains(k)).ToList())
            {
                _entered.Remove(gone);
            }
        }
        return AllPhases.ToDictionary(p => p, p => new PhaseFigures(counts[p], oldest[p].TotalSeconds), StringComparer.Ordinal);
    }

    private static DateTimeOffset StartOf(ImageBuild build, string phase, DateTimeOffset now)
    {
        if (phase == Phases.Pending && (build.Status?.Retries ?? 0) == 0 && build.Metadata.CreationTimestamp is { } created)
        {
            // The apiserver's timestamps come back as Unspecified or Local kinds depending on the serializer path.
            var utc = created.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(created, DateTimeKind.Utc) : created.ToUniversalTime();
            var since = new DateTimeOffset(utc);
            // Creation time comes from the apiserver's clock: never in this replica's future.
            return since < now ? since : now;
        }
        return now;
    }

    // The uid tells a re-created build of the same name from the old one.
    private static string Key(ImageBuild build) =>
        build.Metadata.Uid ?? $"{build.Metadata.NamespaceProperty}/{build.Metadata.Name}";

    private readonly record struct Entered(string Phase, DateTimeOffset Since);
}
