using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers;
using ImageBuilder.Operator.Options;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator.Reconciliation.Admission;

/// <summary>
/// The build slots of <c>Build:MaxConcurrentBuilds</c> and <c>Build:MaxConcurrentBuildsPerUser</c>, counted from the
/// objects: every unfinished build Job in the informer cache holds one, and the queue is the cached ImageBuilds in
/// phase Queued. Nothing of it lives only in memory, so a restart or a new leader sees the same slots and the same
/// queue. The one exception is the moment between admitting a build and its Job reaching the cache: a reservation
/// covers it, so two reconciles running at once (several workers) cannot both take the last slot. Only the leader
/// reconciles, so only the leader holds reservations.
/// </summary>
public sealed class BuildSlots(
    IObjectCache<ImageBuild> builds,
    IObjectCache<V1Job> jobs,
    IOptions<BuildOptions> options,
    TimeProvider time)
{
    /// <summary>How long a reservation may wait for its Job to reach the cache; only a lost create or write lets one get this old.</summary>
    public static readonly TimeSpan ReservationTimeout = TimeSpan.FromMinutes(2);

    private readonly BuildOptions _options = options.Value;
    private readonly Dictionary<ObjectKey, Reservation> _reservations = [];
    private readonly Lock _gate = new();

    /// <summary>
    /// Decides whether the build of <paramref name="context"/> may start its Job now. When it may, a slot is
    /// reserved for it until its Job is in the cache or <see cref="Settle"/> says no Job was made.
    /// </summary>
    public AdmissionDecision TryAdmit(ReconcileContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = new ObjectKey(context.Namespace, context.Name);
        var self = Request(context.Build);
        lock (_gate)
        {
            var running = RunningLocked(out var holders);
            if (holders.Contains(key))
            {
                // Already admitted (its Job is being made, or a reconcile repeats): never count it twice.
                return new AdmissionDecision(true, 0, SlotHold.None, running.Count, 0);
            }
            var waiting = Waiting(holders).Where(r => r.Key != self.Key).Append(self).ToList();
            var decision = FairShare.Decide(running, waiting, self.Key, _options.MaxConcurrentBuilds, _options.MaxConcurrentBuildsPerUser);
            if (decision.Admitted)
            {
                _reservations[key] = new Reservation(context.Build.Spec.UserId, JobNames.For(context.Build, context.Attempt), time.GetUtcNow(), context.Status.QueuedSince);
            }
            return decision;
        }
    }

    /// <summary>
    /// Called after each reconcile with the status it wrote: a reservation whose Job was not made (a failure, a cancel)
    /// is given back. Returns, once per admitted Job, how long the build waited in the queue (zero when it never queued).
    /// </summary>
    public TimeSpan? Settle(ObjectKey key, ImageBuildStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        lock (_gate)
        {
            if (!_reservations.TryGetValue(key, out var reservation))
            {
                return null;
            }
            if (status.Phase != Phases.Building || status.Job != reservation.JobName)
            {
                _reservations.Remove(key);
                return null;
            }
            if (reservation.Started)
            {
                return null;
            }
            _reservations[key] = reservation with { Started = true };
            var since = reservation.QueuedSince is { } queued ? new DateTimeOffset(DateTime.SpecifyKind(queued, DateTimeKind.Utc)) : reservation.At;
            return reservation.At > since ? reservation.At - since : TimeSpan.Zero;
        }
    }

    /// <summary>True once both caches have their first list: before that, counts would be too low.</summary>
    public bool HasSynced => builds.HasSynced && jobs.HasSynced;

    /// <summary>The slots in use by user, and the builds waiting, for the metrics; from the caches at the time of the call.</summary>
    public (IReadOnlyList<string> Running, int Queued) Snapshot()
    {
        lock (_gate)
        {
            var running = RunningLocked(out var holders);
            return (running, Waiting(holders).Count(r => !r.Arriving));
        }
    }

    // One entry per slot in use, the user holding it: unfinished owned Jobs in the cache, then reservations whose Job is not there yet.
    private List<string> RunningLocked(out HashSet<ObjectKey> holders)
    {
        var now = time.GetUtcNow();
        var running = new List<string>();
        holders = [];
        var cachedJobs = new HashSet<ObjectKey>();
        foreach (var job in jobs.List())
        {
            cachedJobs.Add(ObjectKey.From(job));
            if (IsFinished(job) || ImageBuildController.BuildOf(job) is not { } owner)
            {
                continue;
            }
            holders.Add(owner);
            running.Add(builds.Get(owner)?.Spec?.UserId ?? "");
        }
        foreach (var (key, reservation) in _reservations.ToList())
        {
            if (cachedJobs.Contains(new ObjectKey(key.Namespace, reservation.JobName)) || now - reservation.At > ReservationTimeout || builds.Get(key) is null)
            {
                // Counted from its Job from now on (or never made, or its build is gone).
                _reservations.Remove(key);
                continue;
            }
            if (holders.Add(key))
            {
                running.Add(reservation.User);
            }
        }
        return running;
    }

    // Queued builds, and Pending ones on their way here (new, or back from Retrying; not those waiting for their token
    // Secret, which may take long): without the latter, of requests that arrive together the first reconcile to get
    // here would win, not the oldest request.
    private IEnumerable<SlotRequest> Waiting(HashSet<ObjectKey> holders) => builds.List()
        .Where(b => b.Metadata.DeletionTimestamp is null && !CancelRequested(b) && !holders.Contains(ObjectKey.From(b)))
        .Select(b => b.Status?.Phase switch
        {
            Phases.Queued => Request(b),
            null or Phases.Pending when b.Status?.TokenSecretMissingSince is null => Request(b) with { Arriving = true },
            _ => null,
        })
        .OfType<SlotRequest>();

    private static bool CancelRequested(ImageBuild build) => build.Metadata.Annotations?.ContainsKey(Annotations.Cancel) == true;

    private static SlotRequest Request(ImageBuild build)
    {
        // The apiserver's timestamps come back as Unspecified or Local kinds depending on the serializer path.
        var created = build.Metadata.CreationTimestamp is { } t
            ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime())
            : DateTimeOffset.MaxValue;
        return new SlotRequest(ObjectKey.From(build).ToString(), build.Spec?.UserId ?? "", created);
    }

    /// <summary>A Job holds its slot until the Job controller marks it Complete or Failed.</summary>
    public static bool IsFinished(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true;
    }

    private sealed record Reservation(string User, string JobName, DateTimeOffset At, DateTime? QueuedSince, bool Started = false);
}
